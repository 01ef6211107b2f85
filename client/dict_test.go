package client

import (
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

func TestDictEncodeKeepsValues(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "host", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "id", Type: arrow.BinaryTypes.String},
		{Name: "n", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	var rows [][]any
	for i := 0; i < 300; i++ {
		var host any = fmt.Sprintf("h%d", i%5)
		if i%17 == 0 {
			host = nil
		}
		rows = append(rows, []any{host, fmt.Sprintf("id-%d", i), int64(i)})
	}
	rec, err := RecordFromRows(mem, schema, rows)
	require.NoError(t, err)
	defer rec.Release()
	for _, r := range []arrow.RecordBatch{rec, rec.NewSlice(37, 250)} {
		enc := dictEncode(mem, r)
		_, hostDict := enc.Column(0).(*array.Dictionary)
		_, idDict := enc.Column(1).(*array.Dictionary)
		require.True(t, hostDict, "5 hosts: encoded")
		require.False(t, idDict, "all distinct: left plain")
		for i := 0; i < int(r.NumRows()); i++ {
			for c := 0; c < 3; c++ {
				require.Equal(t, Value(r.Column(c), i), Value(enc.Column(c), i), "row %d col %d", i, c)
			}
		}
		require.Less(t, payloadSize(enc), int64(r.NumRows())*40, "estimate covers the rows, not shared buffers")
		enc.Release()
		if r != rec {
			r.Release()
		}
	}
}
