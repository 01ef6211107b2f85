package client

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// dictEncode returns rec with each plain string column whose values are at
// most half distinct replaced by a dictionary-encoded one: the payload
// shrinks through every copy on its way (network, Raft log, fsync), and
// the server keeps a dictionary per entry instead of hashing every row.
// It returns rec itself, retained, when no column pays. The caller
// releases the result.
func dictEncode(mem memory.Allocator, rec arrow.RecordBatch) arrow.RecordBatch {
	cols := rec.Columns()
	var out []arrow.Array
	for i, c := range cols {
		s, ok := c.(*array.String)
		if !ok || s.Len() < 16 {
			continue
		}
		d := encodeStrings(mem, s)
		if d == nil {
			continue
		}
		if out == nil {
			out = make([]arrow.Array, len(cols))
			copy(out, cols)
		}
		out[i] = d
	}
	if out == nil {
		rec.Retain()
		return rec
	}
	fields := make([]arrow.Field, len(out))
	for i, f := range rec.Schema().Fields() {
		f.Type = out[i].DataType()
		fields[i] = f
	}
	enc := array.NewRecordBatch(arrow.NewSchema(fields, nil), out, rec.NumRows())
	for i, c := range out {
		if c != cols[i] {
			c.Release()
		}
	}
	return enc
}

// encodeStrings dictionary-encodes s, or returns nil when more than half
// its values are distinct.
func encodeStrings(mem memory.Allocator, s *array.String) arrow.Array {
	n := s.Len()
	codes := make([]int32, n)
	index := make(map[string]int32)
	var values []string
	for i := 0; i < n; i++ {
		if s.IsNull(i) {
			codes[i] = -1
			continue
		}
		v := s.Value(i) // aliases s: the map lives only during this call
		c, ok := index[v]
		if !ok {
			if len(values) >= n/2 {
				return nil
			}
			c = int32(len(values))
			index[v] = c
			values = append(values, v)
		}
		codes[i] = c
	}
	db := array.NewStringBuilder(mem)
	db.AppendValues(values, nil)
	dict := db.NewArray()
	db.Release()
	defer dict.Release()
	idx := buildIndices(mem, codes, len(values))
	defer idx.Release()
	return array.NewDictionaryArray(&arrow.DictionaryType{IndexType: idx.DataType(), ValueType: arrow.BinaryTypes.String}, idx, dict)
}

// buildIndices stores codes (-1 for NULL) in the narrowest index type.
func buildIndices(mem memory.Allocator, codes []int32, distinct int) arrow.Array {
	valid := make([]bool, len(codes))
	for i, c := range codes {
		valid[i] = c >= 0
	}
	switch {
	case distinct <= 1<<8:
		b := array.NewUint8Builder(mem)
		defer b.Release()
		b.AppendValues(narrow[uint8](codes), valid)
		return b.NewArray()
	case distinct <= 1<<16:
		b := array.NewUint16Builder(mem)
		defer b.Release()
		b.AppendValues(narrow[uint16](codes), valid)
		return b.NewArray()
	}
	b := array.NewInt32Builder(mem)
	defer b.Release()
	b.AppendValues(codes, valid)
	return b.NewArray()
}

func narrow[T uint8 | uint16](codes []int32) []T {
	out := make([]T, len(codes))
	for i, c := range codes {
		out[i] = T(max(c, 0))
	}
	return out
}
