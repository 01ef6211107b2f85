package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

// decodeChecked decodes with a checked allocator that the test's cleanup
// checks; the records are released at cleanup too.
func decodeChecked(t *testing.T, payload []byte, maxBytes int) ([]arrow.RecordBatch, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	recs, err := DecodeIPC(mem, payload, maxBytes)
	t.Cleanup(func() {
		releaseRecords(recs)
		mem.AssertSize(t, 0)
	})
	if err != nil {
		require.Nil(t, recs)
		require.ErrorIs(t, err, ErrBadPayload)
	}
	return recs, err
}

func requireBadPayload(t *testing.T, payload []byte, want ...string) {
	t.Helper()
	_, err := decodeChecked(t, payload, 0)
	require.ErrorIs(t, err, ErrBadPayload)
	for _, w := range want {
		require.Contains(t, err.Error(), w)
	}
}

func decodedRows(t *testing.T, recs []arrow.RecordBatch) [][]any {
	var rows [][]any
	for _, rec := range recs {
		require.NoError(t, array.ValidateRecordFull(rec))
		require.True(t, rec.Schema().Equal(payloadSchema), "schema %s", rec.Schema())
		rows = append(rows, recordRows(rec)...)
	}
	return rows
}

func TestDecodeIPCRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name    string
		batches int
		eos     bool
		opts    []ipc.Option
	}{
		{"one batch", 1, true, nil},
		{"several batches", 4, true, nil},
		{"no end-of-stream marker", 3, false, nil},
		{"dictionary deltas", 4, true, []ipc.Option{ipc.WithDictionaryDeltas(true)}},
		{"deltas, no end-of-stream marker", 3, false, []ipc.Option{ipc.WithDictionaryDeltas(true)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			payload, want := testPayload(t, tc.batches, 9, tc.eos, tc.opts...)
			recs, err := decodeChecked(t, payload, 0)
			require.NoError(t, err)
			require.Len(t, recs, tc.batches)
			clear(payload) // the records must not alias the payload
			require.Equal(t, want, decodedRows(t, recs))
		})
	}
}

func TestDecodeIPCDeltasAreSent(t *testing.T) {
	// The writer sends a delta when a batch's dictionary extends the last.
	mem := memory.NewGoAllocator()
	dict := func(vals ...string) arrow.Array {
		b := array.NewStringBuilder(mem)
		defer b.Release()
		b.AppendValues(vals, nil)
		return b.NewArray()
	}
	idx := func(vals ...int8) arrow.Array {
		b := array.NewInt8Builder(mem)
		defer b.Release()
		b.AppendValues(vals, nil)
		return b.NewArray()
	}
	schema := arrow.NewSchema([]arrow.Field{{Name: "s", Type: dictOf(arrow.PrimitiveTypes.Int8), Nullable: true}}, nil)
	var recs []arrow.RecordBatch
	for _, d := range [][]string{{"a", "b"}, {"a", "b", "c"}, {"x"}} {
		values, indices := dict(d...), idx(0, int8(len(d)-1))
		col := array.NewDictionaryArray(schema.Field(0).Type, indices, values)
		recs = append(recs, array.NewRecordBatch(schema, []arrow.Array{col}, 2))
		values.Release()
		indices.Release()
		col.Release()
	}
	defer releaseRecords(recs)
	payload := writeIPC(t, schema, recs, true, ipc.WithDictionaryDeltas(true))
	var deltas int
	for _, m := range ipcMessages(t, payload) {
		if isDelta, _ := m.header.uint8(2); m.kind == ipcDictionaryBatch && isDelta != 0 {
			deltas++
		}
	}
	require.Equal(t, 1, deltas)
	got, err := decodeChecked(t, payload, 0)
	require.NoError(t, err)
	var rows [][]any
	for _, rec := range got {
		require.NoError(t, array.ValidateRecordFull(rec))
		rows = append(rows, recordRows(rec)...)
	}
	require.Equal(t, [][]any{{"a"}, {"b"}, {"a"}, {"c"}, {"x"}, {"x"}}, rows)
}

func TestDecodeIPCZeroRecords(t *testing.T) {
	for _, eos := range []bool{true, false} {
		payload := writeIPC(t, payloadSchema, nil, eos)
		recs, err := decodeChecked(t, payload, 0)
		require.NoError(t, err)
		require.Empty(t, recs)
	}
}

func TestDecodeIPCEmpty(t *testing.T) {
	requireBadPayload(t, nil, "empty payload")
	requireBadPayload(t, []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}, "no schema")
	requireBadPayload(t, []byte("definitely not arrow"), "IPC message 1 at byte 0")
}

// Every prefix is either malformed or ends after a whole message, and then
// holds the batches before that point.
func TestDecodeIPCTruncated(t *testing.T) {
	payload, want := testPayload(t, 3, 4, true)
	msgs := ipcMessages(t, payload)
	ends := map[int]int{} // message end -> record batches up to there
	// Accepted: the ends of the schema, of the first dictionaries (all
	// of them), and of every message from the first batch on.
	var wantAccepted []int
	dicts := indexOf(msgs, firstOf(t, msgs, ipcRecordBatch)) - 1
	records := 0
	for i, m := range msgs {
		if m.kind == ipcRecordBatch {
			records++
		}
		end := m.body + int(m.bodyLen)
		ends[end] = records
		if i == 0 || i == dicts || records > 0 {
			wantAccepted = append(wantAccepted, end)
		}
	}
	var accepted []int
	for n := range len(payload) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		recs, err := DecodeIPC(mem, payload[:n], 0)
		if err != nil {
			require.ErrorIs(t, err, ErrBadPayload)
			require.Nil(t, recs)
		} else {
			k, ok := ends[n]
			require.True(t, ok, "prefix of %d bytes accepted, not at a message end", n)
			require.Len(t, recs, k)
			var rows [][]any
			for _, rec := range recs {
				rows = append(rows, recordRows(rec)...)
			}
			if len(rows) > 0 {
				require.Equal(t, want[:len(rows)], rows)
			}
			accepted = append(accepted, n)
		}
		releaseRecords(recs)
		mem.AssertSize(t, 0)
	}
	// Not: a stream cut inside the first dictionaries, which arrow's
	// reader wants all of.
	require.Equal(t, wantAccepted, accepted)
}

func TestDecodeIPCNamesPlace(t *testing.T) {
	payload, _ := testPayload(t, 2, 5, true)
	msgs := ipcMessages(t, payload)
	rec := msgs[len(msgs)-1]
	require.EqualValues(t, ipcRecordBatch, rec.kind)
	bad := bytes.Clone(payload)
	entry, _ := rec.bufferAt(t, bad, firstBuffer(0)+1) // i64 values
	binary.LittleEndian.PutUint64(bad[entry+8:], 8)
	requireBadPayload(t, bad, fmt.Sprintf("IPC message %d at byte %d", len(msgs), rec.start), `column "i64": buffer 2: 8 bytes, 5 rows need 40`)
}

func TestDecodeIPCCrafted(t *testing.T) {
	payload, _ := testPayload(t, 2, 6, true)
	msgs := ipcMessages(t, payload)
	schema, rec := msgs[0], firstOf(t, msgs, ipcRecordBatch)
	edit := func(f func(b []byte)) []byte {
		b := bytes.Clone(payload)
		f(b)
		return b
	}
	t.Run("schema claims a huge field vector", func(t *testing.T) {
		start, _, err := schema.header.vector(1, 4)
		require.NoError(t, err)
		requireBadPayload(t, edit(func(b []byte) {
			binary.LittleEndian.PutUint32(b[schema.meta+start-4:], 0x7fffffff)
		}), "IPC message 1 at byte 0", "schema fields: vector of 2147483647 elements does not fit")
	})
	t.Run("schema claims a huge name", func(t *testing.T) {
		fields, err := schema.header.tables(1)
		require.NoError(t, err)
		start, _, err := fields[0].vector(0, 1)
		require.NoError(t, err)
		requireBadPayload(t, edit(func(b []byte) {
			binary.LittleEndian.PutUint32(b[schema.meta+start-4:], 1<<30)
		}), "schema column 1: name: vector of 1073741824 elements does not fit")
	})
	t.Run("body beyond the payload", func(t *testing.T) {
		p, err := rec.msg.field(3)
		require.NoError(t, err)
		requireBadPayload(t, edit(func(b []byte) {
			binary.LittleEndian.PutUint64(b[rec.meta+p:], 1<<40)
		}), fmt.Sprintf("IPC message %d at byte %d: body length 1099511627776", 0+indexOf(msgs, rec)+1, rec.start))
	})
	t.Run("buffer beyond the body", func(t *testing.T) {
		entry, _ := rec.bufferAt(t, payload, firstBuffer(4)+2) // s data
		requireBadPayload(t, edit(func(b []byte) {
			binary.LittleEndian.PutUint64(b[entry+8:], uint64(rec.bodyLen))
		}), `column "s": buffer 3:`, "outside a body")
	})
	t.Run("buffer shorter than its array", func(t *testing.T) {
		entry, _ := rec.bufferAt(t, payload, firstBuffer(6)+1) // ts values
		requireBadPayload(t, edit(func(b []byte) {
			binary.LittleEndian.PutUint64(b[entry+8:], 40)
		}), `column "ts": buffer 2: 40 bytes, 6 rows need 48`)
	})
	t.Run("node longer than its batch", func(t *testing.T) {
		node := rec.nodeAt(t, 2)
		requireBadPayload(t, edit(func(b []byte) {
			binary.LittleEndian.PutUint64(b[node:], 1<<33)
		}), `column "f": 8589934592 rows with`)
	})
	t.Run("null count differs from the bitmap", func(t *testing.T) {
		node := rec.nodeAt(t, 0) // i64: two nulls in 6 rows
		requireBadPayload(t, edit(func(b []byte) {
			binary.LittleEndian.PutUint64(b[node+8:], 3)
		}), "record batch 1", `column "i64": 2 nulls in the bitmap, 3 declared`)
	})
	t.Run("offsets out of range", func(t *testing.T) {
		_, offs := rec.bufferAt(t, payload, firstBuffer(4)+1) // s offsets
		requireBadPayload(t, edit(func(b []byte) {
			binary.LittleEndian.PutUint32(b[offs+6*4:], 1<<20)
		}), `column "s": offsets 0..1048576 outside a data buffer`)
	})
	t.Run("offsets decrease", func(t *testing.T) {
		_, offs := rec.bufferAt(t, payload, firstBuffer(5)+1) // bin offsets
		requireBadPayload(t, edit(func(b []byte) {
			binary.LittleEndian.PutUint32(b[offs+2*4:], 1)
		}), `column "bin": offsets decrease at row 2`)
	})
	t.Run("dictionary index out of range", func(t *testing.T) {
		_, idx := rec.bufferAt(t, payload, firstBuffer(12)+1) // du8 indices
		requireBadPayload(t, edit(func(b []byte) {
			b[idx] = 200 // row 1 is valid
		}), `column "du8": row 1: dictionary index 200 of`)
	})
	t.Run("negative dictionary index", func(t *testing.T) {
		_, idx := rec.bufferAt(t, payload, firstBuffer(8)+1) // d8 indices
		requireBadPayload(t, edit(func(b []byte) {
			b[idx] = 0xff
		}), `column "d8": row 1: dictionary index -1 of`)
	})
	t.Run("dictionary for no column", func(t *testing.T) {
		dict := msgs[2] // the first dictionary's id, 0, is left out as the default
		require.EqualValues(t, ipcDictionaryBatch, dict.kind)
		p, err := dict.header.field(0)
		require.NoError(t, err)
		require.NotZero(t, p)
		requireBadPayload(t, edit(func(b []byte) {
			binary.LittleEndian.PutUint64(b[dict.meta+p:], 99)
		}), "dictionary batch for id 99, which no column uses")
	})
	t.Run("bytes after the end-of-stream marker", func(t *testing.T) {
		requireBadPayload(t, append(bytes.Clone(payload), 0, 0, 0, 0), "4 bytes after the IPC end-of-stream marker")
	})
	t.Run("second schema", func(t *testing.T) {
		b := bytes.Clone(payload[:len(payload)-8])
		b = append(b, payload[:schema.body]...)
		requireBadPayload(t, b, fmt.Sprintf("IPC message %d at byte %d: unexpected message type 1", len(msgs)+1, len(payload)-8))
	})
}

func indexOf(msgs []ipcMsg, m ipcMsg) int {
	return slices.IndexFunc(msgs, func(x ipcMsg) bool { return x.start == m.start })
}

func TestDecodeIPCCompressed(t *testing.T) {
	for _, opt := range []ipc.Option{ipc.WithZstd(), ipc.WithLZ4()} {
		payload, _ := testPayload(t, 2, 50, true, opt)
		requireBadPayload(t, payload, "compressed IPC bodies are not accepted; send uncompressed batches")
	}
}

// singleColumn writes one column of type dt holding a null.
func singleColumn(t *testing.T, dt arrow.DataType) []byte {
	mem := memory.NewGoAllocator()
	b := array.NewBuilder(mem, dt)
	b.AppendNull()
	col := b.NewArray()
	b.Release()
	defer col.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: dt, Nullable: true}}, nil)
	rec := array.NewRecordBatch(schema, []arrow.Array{col}, 1)
	defer rec.Release()
	return writeIPC(t, schema, []arrow.RecordBatch{rec}, true)
}

func TestDecodeIPCTypes(t *testing.T) {
	for _, tc := range []struct {
		dt   arrow.DataType
		want string // "" for accepted
	}{
		{arrow.ListOf(arrow.PrimitiveTypes.Int64), `schema column 1 ("x"): nested type List is not accepted`},
		{arrow.StructOf(arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int64}), "nested type Struct is not accepted"},
		{arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64), "nested type Map is not accepted"},
		{arrow.PrimitiveTypes.Uint16, `schema column 1 ("x"): type uint16 is not storable`},
		{arrow.PrimitiveTypes.Int8, "type int8 is not storable"},
		{arrow.PrimitiveTypes.Float32, "type float32 is not storable"},
		{arrow.FixedWidthTypes.Date64, "type date64 is not storable"},
		{arrow.BinaryTypes.LargeString, "type LargeUtf8 is not storable"},
		{arrow.BinaryTypes.StringView, "type Utf8View is not storable"},
		{&arrow.Decimal128Type{Precision: 10, Scale: 2}, "type Decimal is not storable"},
		{arrow.FixedWidthTypes.Time32ms, "type Time is not storable"},
		{&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.PrimitiveTypes.Int64},
			"dictionary of int64 (only dictionaries of utf8 strings are accepted)"},
		{arrow.FixedWidthTypes.Timestamp_ns, ""},
		{&arrow.TimestampType{Unit: arrow.Second, TimeZone: "Europe/Paris"}, ""},
		{dictOf(arrow.PrimitiveTypes.Uint64), ""},
		{dictOf(arrow.PrimitiveTypes.Uint32), ""},
		{arrow.FixedWidthTypes.Date32, ""},
	} {
		t.Run(tc.dt.String(), func(t *testing.T) {
			recs, err := decodeChecked(t, singleColumn(t, tc.dt), 0)
			if tc.want != "" {
				require.ErrorIs(t, err, ErrBadPayload)
				require.ErrorContains(t, err, tc.want)
				return
			}
			require.NoError(t, err)
			require.Len(t, recs, 1)
			require.True(t, arrow.TypeEqual(tc.dt, recs[0].Column(0).DataType()))
			require.True(t, recs[0].Column(0).IsNull(0))
		})
	}
}

func TestDecodeIPCNoColumns(t *testing.T) {
	schema := arrow.NewSchema(nil, nil)
	rec := array.NewRecordBatch(schema, nil, 1<<30)
	defer rec.Release()
	requireBadPayload(t, writeIPC(t, schema, []arrow.RecordBatch{rec}, true), "schema has no columns")
}

func TestDecodeIPCBudget(t *testing.T) {
	payload, _ := testPayload(t, 2, 100, true)
	_, err := decodeChecked(t, payload, 512)
	require.ErrorIs(t, err, ErrBadPayload)
	require.ErrorContains(t, err, "budget of 512 bytes")
	recs, err := decodeChecked(t, payload, len(payload)+4096)
	require.NoError(t, err)
	require.Len(t, recs, 2)
}

func TestDecodeIPCRecordCap(t *testing.T) {
	payload, _ := testPayload(t, 3, 2, true)
	rules := payloadIPCRules
	rules.maxRecords = 2
	_, err := scanIPCStream(payload, &rules)
	require.ErrorContains(t, err, "more than 2 record batches")
	rules.maxDictBatches = 6
	rules.maxRecords = math.MaxInt32
	_, err = scanIPCStream(payload, &rules)
	require.ErrorContains(t, err, "more than 6 dictionary batches")
}

// Decoded batches apply to a table, whatever their dictionary index types,
// and read back as sent; timestamps in another unit are refused by Apply.
func TestDecodeIPCApply(t *testing.T) {
	payload, want := testPayload(t, 4, 7, true)
	s, mem := newTestStore(t, 8)
	recs, err := DecodeIPC(mem, payload, 0)
	require.NoError(t, err)
	defer releaseRecords(recs)
	require.NoError(t, s.CreateTable(1, payloadDef))
	var batches []TableBatch
	for _, rec := range recs {
		batches = append(batches, TableBatch{Table: "payload", Record: rec})
	}
	require.NoError(t, s.Apply(2, batches))
	require.Equal(t, sortRows(want), sortRows(readTable(t, s, Latest, "payload")))

	ns := singleColumn(t, arrow.FixedWidthTypes.Timestamp_ns)
	recs2, err := DecodeIPC(mem, ns, 0)
	require.NoError(t, err)
	defer releaseRecords(recs2)
	require.NoError(t, s.CreateTable(3, TableDef{Name: "t", Columns: []Column{{Name: "x", Type: TypeTimestamp, Nullable: true}}}))
	err = s.Apply(4, []TableBatch{{Table: "t", Record: recs2[0]}})
	require.ErrorIs(t, err, ErrSchemaMismatch)
	require.ErrorContains(t, err, "timestamp unit ns (want microseconds)")
}

// Many small batches sharing a large dictionary cost Apply the dictionary
// once per batch; DecodeIPC counts it so.
func TestDecodeIPCSharedDictionaryBudget(t *testing.T) {
	mem := memory.NewGoAllocator()
	schema := arrow.NewSchema([]arrow.Field{{Name: "s", Type: dictOf(arrow.PrimitiveTypes.Int32)}}, nil)
	b := array.NewRecordBuilder(mem, schema)
	db := b.Field(0).(*array.BinaryDictionaryBuilder)
	for i := range 2000 {
		require.NoError(t, db.AppendString(fmt.Sprintf("a rather long value %d", i)))
	}
	whole := b.NewRecordBatch()
	b.Release()
	defer whole.Release()
	var recs []arrow.RecordBatch
	for i := range 200 {
		recs = append(recs, whole.NewSlice(int64(i), int64(i+1)))
	}
	defer releaseRecords(recs)
	payload := writeIPC(t, schema, recs, true)
	require.Len(t, ipcMessages(t, payload), 202, "one dictionary for all batches")
	_, err := decodeChecked(t, payload, 0)
	require.ErrorContains(t, err, "record batch 26 (IPC message 28 at byte")
	require.ErrorContains(t, err, "the dictionaries used by the batches so far add up to")
	got, err := decodeChecked(t, payload, 200*60_000)
	require.NoError(t, err)
	require.Len(t, got, 200)
	require.Equal(t, "a rather long value 7", valueAt(got[7].Column(0), 0))
}

// Indices of null rows are not read, at any array offset; valid rows' are.
func TestCheckDictionarySliced(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dictB := array.NewStringBuilder(mem)
	dictB.AppendValues([]string{"a", "b"}, nil)
	dict := dictB.NewArray()
	dictB.Release()
	defer dict.Release()
	for _, bad := range []bool{false, true} {
		idxB := array.NewInt16Builder(mem)
		// Rows 3..9 are kept; null rows hold 100, out of range.
		vals := []int16{100, 100, 100, 0, 100, 1, 100, 0, 1, 100}
		valid := []bool{false, false, false, true, false, true, false, true, true, false}
		if bad {
			vals[8] = 2
		}
		idxB.AppendValues(vals, valid)
		idx := idxB.NewArray()
		idxB.Release()
		whole := array.NewDictionaryArray(dictOf(arrow.PrimitiveTypes.Int16), idx, dict)
		idx.Release()
		sliced := array.NewSlice(whole, 3, 10).(*array.Dictionary)
		whole.Release()
		require.Equal(t, 3, sliced.NullN()) // a slice counts its nulls when asked
		err := checkLayout(sliced, &payloadLayout)
		sliced.Release()
		if bad {
			require.ErrorContains(t, err, "row 6: dictionary index 2 of 2 entries")
		} else {
			require.NoError(t, err)
		}
	}
}
