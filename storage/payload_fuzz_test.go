package storage

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

// Run: go test -run '^$' -fuzz FuzzDecodeIPC -fuzztime 120s -fuzzminimizetime 2s ./storage
// Interesting inputs land in testdata/fuzz/FuzzDecodeIPC; commit the small ones.

// FuzzDecodeIPC: DecodeIPC never panics or leaks. What it refuses is
// ErrBadPayload; what it accepts passes arrow's own full validation (UTF-8
// aside: Apply checks that, and must refuse a batch with invalid UTF-8),
// has columns of storable types only, and goes through Apply into a table
// of those types (applied or refused with ErrSchemaMismatch) and reads
// back, without a panic.
func FuzzDecodeIPC(f *testing.F) {
	for _, seed := range decodeIPCSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(checkDecodeIPC)
}

// checkDecodeIPC checks FuzzDecodeIPC's property on one input.
func checkDecodeIPC(t *testing.T, data []byte) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs, err := DecodeIPC(mem, data, 0)
	if err != nil {
		if !errors.Is(err, ErrBadPayload) || recs != nil {
			t.Fatalf("error %v with %d records", err, len(recs))
		}
		return
	}
	defer releaseRecords(recs)
	badUTF8 := make([]bool, len(recs))
	for i, rec := range recs {
		for c, col := range rec.Columns() {
			bin := binaryView(col)
			err := array.ValidateFull(bin)
			bin.Release()
			if err != nil {
				t.Fatalf("record batch %d accepted, arrow finds column %d invalid: %v", i+1, c+1, err)
			}
			badUTF8[i] = badUTF8[i] || array.ValidateFull(col) != nil
		}
	}
	applyDecoded(t, mem, recs, badUTF8)
}

// Every byte of a small payload, damaged two ways, keeps the property.
func TestDecodeIPCEveryByte(t *testing.T) {
	payload, _ := testPayload(t, 2, 3, true)
	if testing.Short() {
		payload = smallPayload(t, memory.NewGoAllocator(), dictOf(arrow.PrimitiveTypes.Int16))
	}
	for i := range payload {
		for _, edit := range []func(byte) byte{func(b byte) byte { return ^b }, func(b byte) byte { return b + 1 }} {
			bad := bytes.Clone(payload)
			bad[i] = edit(bad[i])
			checkDecodeIPC(t, bad)
		}
	}
}

// binaryView reinterprets utf8 data, plain or as dictionary values, as
// binary, which arrow validates alike but for UTF-8. The caller releases
// the result.
func binaryView(a arrow.Array) arrow.Array {
	d := a.Data()
	var data *array.Data
	switch dt := a.DataType().(type) {
	case *arrow.StringType:
		data = array.NewData(arrow.BinaryTypes.Binary, d.Len(), d.Buffers(), nil, d.NullN(), d.Offset())
	case *arrow.DictionaryType:
		dict := binaryView(a.(*array.Dictionary).Dictionary())
		defer dict.Release()
		dictType := &arrow.DictionaryType{IndexType: dt.IndexType, ValueType: dict.DataType()}
		data = array.NewDataWithDictionary(dictType, d.Len(), d.Buffers(), d.NullN(), d.Offset(), dict.Data().(*array.Data))
	default:
		a.Retain()
		return a
	}
	defer data.Release()
	return array.MakeFromData(data)
}

// applyDecoded applies recs to a table of their columns' types (renamed,
// so that any names fit) and reads the table back. Apply must refuse the
// batches marked badUTF8.
func applyDecoded(t *testing.T, mem memory.Allocator, recs []arrow.RecordBatch, badUTF8 []bool) {
	if len(recs) == 0 {
		return
	}
	def := TableDef{Name: "fuzz", Buckets: 2}
	var fields []arrow.Field
	for i, f := range recs[0].Schema().Fields() {
		typ, err := TypeOfArrow(f.Type)
		if err != nil {
			if f.Type.ID() != arrow.TIMESTAMP {
				t.Fatalf("column %d of type %s accepted: %v", i+1, f.Type, err)
			}
			typ = TypeTimestamp // Apply refuses the unit or time zone
		}
		name := fmt.Sprintf("c%d", i)
		def.Columns = append(def.Columns, Column{Name: name, Type: typ, Nullable: i > 0})
		fields = append(fields, arrow.Field{Name: name, Type: f.Type, Nullable: true})
	}
	def.PartitionKey = []string{"c0"}
	def.SortKey = []string{def.Columns[len(def.Columns)-1].Name}
	s := New(Options{Allocator: mem, ChunkRows: 4})
	defer s.Close()
	require.NoError(t, s.CreateTable(1, def))
	schema := arrow.NewSchema(fields, nil)
	for i, rec := range recs {
		renamed := array.NewRecordBatch(schema, rec.Columns(), rec.NumRows())
		err := s.Apply(uint64(i+2), []TableBatch{{Table: "fuzz", Record: renamed}})
		renamed.Release()
		if err != nil && !errors.Is(err, ErrSchemaMismatch) {
			t.Fatalf("apply record batch %d: %v", i+1, err)
		}
		if err == nil && badUTF8[i] {
			t.Fatalf("record batch %d with invalid UTF-8 applied", i+1)
		}
	}
	readTable(t, s, Latest, "fuzz")
}

// decodeIPCSeeds are small valid payloads — several batches, sliced
// sources, nulls, every storable type, dictionaries of every index type,
// replacements and deltas, with and without the end-of-stream marker —
// and a few damaged ones.
func decodeIPCSeeds(tb testing.TB) [][]byte {
	var out [][]byte
	p1, _ := testPayload(tb, 1, 3, true)
	p2, _ := testPayload(tb, 2, 2, false)
	p3, _ := testPayload(tb, 3, 2, true, ipc.WithDictionaryDeltas(true))
	out = append(out, p1, p2, p3, writeIPC(tb, payloadSchema, nil, true))
	mem := memory.NewGoAllocator()
	for _, dt := range []arrow.DataType{
		arrow.PrimitiveTypes.Int64, arrow.BinaryTypes.String, arrow.FixedWidthTypes.Boolean,
		arrow.FixedWidthTypes.Timestamp_ns, dictOf(arrow.PrimitiveTypes.Int16), dictOf(arrow.PrimitiveTypes.Uint64),
	} {
		out = append(out, smallPayload(tb, mem, dt))
	}
	z, _ := testPayload(tb, 1, 4, true, ipc.WithZstd())
	out = append(out, z, p1[:len(p1)/2], editAt(p2, len(p2)/3), editAt(p3, 2*len(p3)/3))
	return out
}

// smallPayload is three batches of one column of type dt, with nulls, the
// middle one sliced.
func smallPayload(tb testing.TB, mem memory.Allocator, dt arrow.DataType) []byte {
	schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: dt, Nullable: true}}, nil)
	var recs []arrow.RecordBatch
	for k := range 3 {
		b := array.NewRecordBuilder(mem, schema)
		for i := range 5 + k {
			switch fb := b.Field(0).(type) {
			case *array.BinaryDictionaryBuilder:
				require.NoError(tb, fb.AppendString(fmt.Sprintf("v%d", (i+k)%3)))
			case *array.TimestampBuilder:
				fb.Append(arrow.Timestamp(i * 1000))
			default:
				appendValue(tb, fb, map[arrow.Type]any{arrow.INT64: int64(i), arrow.STRING: fmt.Sprint(i), arrow.BOOL: i%2 == 0}[dt.ID()])
			}
			if i%3 == 1 {
				b.Field(0).AppendNull()
			}
		}
		rec := b.NewRecordBatch()
		b.Release()
		if k == 1 {
			sliced := rec.NewSlice(1, rec.NumRows()-1)
			rec.Release()
			rec = sliced
		}
		recs = append(recs, rec)
	}
	defer releaseRecords(recs)
	return writeIPC(tb, schema, recs, true)
}

func TestDecodeIPCSeeds(t *testing.T) {
	var ok int
	for _, seed := range decodeIPCSeeds(t) {
		recs, err := decodeChecked(t, bytes.Clone(seed), 0)
		if err == nil {
			ok++
			for _, rec := range recs {
				require.NoError(t, array.ValidateRecordFull(rec))
			}
		}
	}
	require.Equal(t, 10, ok, "valid seeds")
}
