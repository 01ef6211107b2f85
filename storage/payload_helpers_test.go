package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

func dictOf(index arrow.DataType) *arrow.DictionaryType {
	return &arrow.DictionaryType{IndexType: index, ValueType: arrow.BinaryTypes.String}
}

// payloadDef is a table with every column type and a dictionary-encoded
// string column for each index type clients may send.
var payloadDef = TableDef{
	Name: "payload",
	Columns: []Column{
		{Name: "i64", Type: TypeInt64, Nullable: true},
		{Name: "i32", Type: TypeInt32},
		{Name: "f", Type: TypeFloat64, Nullable: true},
		{Name: "b", Type: TypeBool, Nullable: true},
		{Name: "s", Type: TypeString, Nullable: true},
		{Name: "bin", Type: TypeBinary, Nullable: true},
		{Name: "ts", Type: TypeTimestamp},
		{Name: "d", Type: TypeDate, Nullable: true},
		{Name: "d8", Type: TypeString, Nullable: true},
		{Name: "d16", Type: TypeString, Nullable: true},
		{Name: "d32", Type: TypeString},
		{Name: "d64", Type: TypeString, Nullable: true},
		{Name: "du8", Type: TypeString, Nullable: true},
	},
	PartitionKey: []string{"i32"},
	Buckets:      2,
	SortKey:      []string{"ts"},
}

// payloadSchema is payloadDef's schema as a client sends it: the d*
// columns dictionary-encoded with int8, int16, int32, int64 and uint8
// indices.
var payloadSchema = func() *arrow.Schema {
	fields := payloadDef.ArrowSchema().Fields()
	for i, idx := range []arrow.DataType{arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Int16,
		arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Uint8} {
		fields[8+i].Type = dictOf(idx)
	}
	return arrow.NewSchema(fields, nil)
}()

// payloadRows returns rows from..to-1 of payloadDef, with nulls in every
// nullable column and a few values per dictionary column (each batch's
// dictionaries differ, so the writer sends replacements or deltas).
func payloadRows(from, to int) [][]any {
	var rows [][]any
	for i := from; i < to; i++ {
		row := []any{
			int64(i) * 1_000_003, int32(i % 7), float64(i) / 3, i%3 == 0,
			fmt.Sprintf("s-%d", i), []byte{byte(i), 0, byte(i >> 8)},
			arrow.Timestamp(int64(i%13) * 1_000_000), arrow.Date32(19000 + i),
			fmt.Sprintf("a%d", i%3), fmt.Sprintf("b%d", i/3%1000), fmt.Sprintf("c%d", i%2),
			fmt.Sprintf("d%d", i), fmt.Sprintf("e%d", i%4),
		}
		for c, every := range map[int]int{0: 4, 2: 5, 3: 3, 4: 6, 5: 7, 7: 4, 8: 3, 9: 5, 11: 4, 12: 2} {
			if i%every == 1 {
				row[c] = nil
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// payloadRecord builds rows in payloadSchema.
func payloadRecord(t testing.TB, mem memory.Allocator, rows [][]any) arrow.RecordBatch {
	t.Helper()
	b := array.NewRecordBuilder(mem, payloadSchema)
	defer b.Release()
	for _, row := range rows {
		for ci, v := range row {
			if db, ok := b.Field(ci).(*array.BinaryDictionaryBuilder); ok && v != nil {
				require.NoError(t, db.AppendString(v.(string)))
				continue
			}
			appendValue(t, b.Field(ci), v)
		}
	}
	return b.NewRecordBatch()
}

// recordRows reads every row of rec as Go values.
func recordRows(rec arrow.RecordBatch) [][]any {
	var out [][]any
	for i := range int(rec.NumRows()) {
		row := make([]any, rec.NumCols())
		for ci := range row {
			row[ci] = valueAt(rec.Column(ci), i)
		}
		out = append(out, row)
	}
	return out
}

// writeIPC writes recs as an IPC stream with schema, with or without the
// end-of-stream marker.
func writeIPC(t testing.TB, schema *arrow.Schema, recs []arrow.RecordBatch, eos bool, opts ...ipc.Option) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, append([]ipc.Option{ipc.WithSchema(schema)}, opts...)...)
	for _, rec := range recs {
		require.NoError(t, w.Write(rec))
	}
	require.NoError(t, w.Close())
	out := buf.Bytes()
	eosMarker := []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}
	require.True(t, bytes.HasSuffix(out, eosMarker))
	if !eos {
		out = out[:len(out)-len(eosMarker)]
	}
	return out
}

// payloadBatches builds n batches of rows rows each, every other one a
// slice of a larger record, and returns them with their rows.
func payloadBatches(t testing.TB, mem memory.Allocator, n, rows int) ([]arrow.RecordBatch, [][]any) {
	var recs []arrow.RecordBatch
	var want [][]any
	for k := range n {
		from := k * rows
		if k%2 == 0 {
			recs = append(recs, payloadRecord(t, mem, payloadRows(from, from+rows)))
			want = append(want, payloadRows(from, from+rows)...)
			continue
		}
		// A slice at odd offsets, so bitmaps and offsets start mid-buffer.
		whole := payloadRecord(t, mem, payloadRows(from-3, from+rows+2))
		recs = append(recs, whole.NewSlice(3, int64(3+rows)))
		whole.Release()
		want = append(want, payloadRows(from, from+rows)...)
	}
	return recs, want
}

// testPayload is a valid payload of n batches and the rows it holds.
func testPayload(t testing.TB, n, rows int, eos bool, opts ...ipc.Option) ([]byte, [][]any) {
	mem := memory.NewGoAllocator()
	recs, want := payloadBatches(t, mem, n, rows)
	defer releaseRecords(recs)
	return writeIPC(t, payloadSchema, recs, eos, opts...), want
}

// ipcMsg locates one message of a stream (positions are payload offsets;
// header positions are relative to meta).
type ipcMsg struct {
	start, meta, body int
	bodyLen           int64
	kind              uint8
	msg, header       fbTable
}

// ipcMessages splits a well-formed stream into its messages.
func ipcMessages(t testing.TB, raw []byte) []ipcMsg {
	t.Helper()
	var out []ipcMsg
	for pos := 0; pos < len(raw); {
		metaLen, eos, n, err := ipcMessagePrefix(raw[pos:])
		require.NoError(t, err)
		if eos {
			break
		}
		m := ipcMsg{start: pos, meta: pos + n}
		meta := raw[m.meta : m.meta+metaLen]
		m.msg, err = fbTableAt(meta, int(binary.LittleEndian.Uint32(meta)))
		require.NoError(t, err)
		m.kind, _ = m.msg.uint8(1)
		m.bodyLen, _ = m.msg.int64(3)
		m.header, err = m.msg.table(2)
		require.NoError(t, err)
		m.body = m.meta + metaLen
		out = append(out, m)
		pos = m.body + int(m.bodyLen)
	}
	return out
}

// firstOf returns the first message of a kind.
func firstOf(t testing.TB, msgs []ipcMsg, kind uint8) ipcMsg {
	for _, m := range msgs {
		if m.kind == kind {
			return m
		}
	}
	t.Fatalf("no message of type %d", kind)
	return ipcMsg{}
}

// bufferAt returns the payload position of the (offset, length) entry of
// buffer k of a record batch message, and the buffer's payload position.
func (m ipcMsg) bufferAt(t testing.TB, raw []byte, k int) (entry, data int) {
	start, n, err := m.header.vector(2, 16)
	require.NoError(t, err)
	require.Less(t, k, n)
	entry = m.meta + start + 16*k
	return entry, m.body + int(binary.LittleEndian.Uint64(raw[entry:]))
}

// nodeAt returns the payload position of node k's (length, null count).
func (m ipcMsg) nodeAt(t testing.TB, k int) int {
	start, n, err := m.header.vector(1, 16)
	require.NoError(t, err)
	require.Less(t, k, n)
	return m.meta + start + 16*k
}

// firstBuffer returns the index of column c's first buffer in a record
// batch of payloadSchema.
func firstBuffer(c int) int {
	b := 0
	for i := range c {
		b += 2
		if id := payloadSchema.Field(i).Type.ID(); id == arrow.STRING || id == arrow.BINARY {
			b++
		}
	}
	return b
}
