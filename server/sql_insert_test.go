package server

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/stratadb/strata/query/sql"
	"github.com/stratadb/strata/storage"
)

func insertRecs(t *testing.T, n, per int) []arrow.RecordBatch {
	schema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.BinaryTypes.String}, {Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil)
	var recs []arrow.RecordBatch
	for done := 0; done < n; done += per {
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		for i := done; i < min(n, done+per); i++ {
			b.Field(0).(*array.StringBuilder).Append("key")
			b.Field(1).(*array.Int64Builder).Append(1)
		}
		recs = append(recs, b.NewRecordBatch())
		b.Release()
	}
	t.Cleanup(func() {
		for _, r := range recs {
			r.Release()
		}
	})
	return recs
}

func TestInsertSplitsLargeWritesAndMapsRefusals(t *testing.T) {
	node, c := startNode(t, Config{MaxMessageBytes: 64 << 10})
	ctx := context.Background()
	_, err := node.Run(ctx, &sql.CreateTable{Def: storage.TableDef{Name: "kv", Columns: []storage.Column{{Name: "k", Type: storage.TypeString}, {Name: "v", Type: storage.TypeInt64}}}})
	require.NoError(t, err)

	// Larger than one message: several atomic writes, every row lands.
	recs := insertRecs(t, 40_000, 4096)
	n, err := node.Insert(ctx, "kv", recs)
	require.NoError(t, err)
	require.EqualValues(t, 40_000, n)
	count, sum := sumV(t, c)
	require.EqualValues(t, 40_000, count)
	require.EqualValues(t, 40_000, sum)

	// A statement canceled before it writes writes nothing.
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = node.Insert(canceled, "kv", recs)
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, "57014", sql.SQLState(err))
	count, _ = sumV(t, c)
	require.EqualValues(t, 40_000, count)
}

func TestInsertAboveTheDataCapIsInsufficientResources(t *testing.T) {
	node, _ := startNode(t, Config{MaxDataBytes: 1})
	ctx := context.Background()
	_, err := node.Run(ctx, &sql.CreateTable{Def: storage.TableDef{Name: "kv", Columns: []storage.Column{{Name: "k", Type: storage.TypeString}, {Name: "v", Type: storage.TypeInt64}}}})
	require.NoError(t, err)
	_, err = node.Insert(ctx, "kv", insertRecs(t, 100, 100))
	require.NoError(t, err, "below the cap")
	require.Eventually(t, func() bool {
		_, err = node.Insert(ctx, "kv", insertRecs(t, 1, 1))
		return err != nil
	}, 5e9, 5e7)
	require.Equal(t, "53000", sql.SQLState(err), "%v", err)
}
