package storage

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

var eventsDef = TableDef{
	Name: "events",
	Columns: []Column{
		{Name: "host", Type: TypeString},
		{Name: "ts", Type: TypeTimestamp},
		{Name: "value", Type: TypeFloat64, Nullable: true},
		{Name: "n", Type: TypeInt64, Nullable: true},
	},
	PartitionKey: []string{"host"},
	Buckets:      4,
	SortKey:      []string{"ts"},
}

func newTestStore(t *testing.T, chunkRows int) (*Store, *memory.CheckedAllocator) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	s := New(Options{Allocator: mem, ChunkRows: chunkRows})
	t.Cleanup(func() {
		s.Close()
		mem.AssertSize(t, 0)
	})
	return s, mem
}

func eventRows(from, to int, version uint64) [][]any {
	var rows [][]any
	for i := from; i < to; i++ {
		var v any = float64(i) / 2
		if i%7 == 0 {
			v = nil
		}
		rows = append(rows, []any{fmt.Sprintf("h%d", i%5), arrow.Timestamp(int64(to-i) * 1000), v, int64(version)})
	}
	return rows
}

func applyRows(t *testing.T, s *Store, mem memory.Allocator, v uint64, def *TableDef, rows [][]any) {
	t.Helper()
	rec := buildRecord(t, mem, def, rows)
	defer rec.Release()
	require.NoError(t, s.Apply(v, []TableBatch{{Table: def.Name, Record: rec}}))
}

func TestCreateListDescribeDrop(t *testing.T) {
	s, _ := newTestStore(t, 0)
	require.NoError(t, s.CreateTable(1, eventsDef))
	require.ErrorIs(t, s.CreateTable(2, eventsDef), ErrTableExists)
	require.NoError(t, s.CreateTable(3, TableDef{Name: "b", Columns: []Column{{Name: "x", Type: TypeInt32}}}))
	require.Equal(t, []string{"b", "events"}, s.ListTables())
	info, err := s.DescribeTable("events")
	require.NoError(t, err)
	require.Equal(t, 4, info.Def.Buckets)
	require.Equal(t, uint64(1), info.CreatedAt)
	b, err := s.DescribeTable("b")
	require.NoError(t, err)
	require.Equal(t, 1, b.Def.Buckets, "no partition key means one partition")
	require.NoError(t, s.DropTable(4, "b"))
	require.Equal(t, []string{"events"}, s.ListTables())
	require.ErrorIs(t, s.DropTable(5, "b"), ErrNoTable)
	_, err = s.DescribeTable("b")
	require.ErrorIs(t, err, ErrNoTable)
}

func TestInvalidDefinitions(t *testing.T) {
	s, _ := newTestStore(t, 0)
	cases := map[string]TableDef{
		"empty table name":        {Columns: []Column{{Name: "a", Type: TypeInt64}}},
		"has no columns":          {Name: "t"},
		"appears twice":           {Name: "t", Columns: []Column{{Name: "a", Type: TypeInt64}, {Name: "a", Type: TypeInt32}}},
		"invalid type":            {Name: "t", Columns: []Column{{Name: "a"}}},
		"partition key names":     {Name: "t", Columns: []Column{{Name: "a", Type: TypeInt64}}, PartitionKey: []string{"z"}},
		"sort key names":          {Name: "t", Columns: []Column{{Name: "a", Type: TypeInt64}}, SortKey: []string{"z"}},
		"need a partition key":    {Name: "t", Columns: []Column{{Name: "a", Type: TypeInt64}}, Buckets: 3},
		"buckets must be":         {Name: "t", Columns: []Column{{Name: "a", Type: TypeInt64}}, PartitionKey: []string{"a"}, Buckets: 99999},
		"primary keys":            {Name: "t", Columns: []Column{{Name: "a", Type: TypeInt64}}, PrimaryKey: []string{"a"}},
		"decimal":                 {Name: "t", Columns: []Column{{Name: "a", Type: TypeDecimal}}},
		"prefix is reserved":      {Name: "t", Columns: []Column{{Name: "__version", Type: TypeInt64}}},
		"has a control character": {Name: "t\n", Columns: []Column{{Name: "a", Type: TypeInt64}}},
	}
	v := uint64(1)
	for want, def := range cases {
		err := s.CreateTable(v, def)
		require.Error(t, err, want)
		require.Contains(t, err.Error(), want)
		v++
	}
	require.Empty(t, s.ListTables())
	require.Equal(t, uint64(0), s.Applied(), "failed DDL applies nothing")
}

func TestApplyAndReadBack(t *testing.T) {
	s, mem := newTestStore(t, 8)
	require.NoError(t, s.CreateTable(1, eventsDef))
	want := eventRows(0, 100, 2)
	applyRows(t, s, mem, 2, &eventsDef, want)
	require.Equal(t, sortRows(want), sortRows(readTable(t, s, Latest, "events")))

	info, err := s.DescribeTable("events")
	require.NoError(t, err)
	require.EqualValues(t, 100, info.Rows)
	require.Greater(t, info.SealedChunks, 4, "100 rows over 4 buckets at 8 rows a chunk must seal")

	snap, err := s.Snapshot(Latest, "events")
	require.NoError(t, err)
	defer snap.Release()
	ts, _ := snap.Table("events")
	for _, ref := range ts.Chunks() {
		c := ref.Chunk
		if !c.Sealed() {
			continue
		}
		require.Equal(t, 8, c.Rows())
		require.True(t, c.Sorted())
		prev := int64(-1 << 62)
		for i := range c.Rows() {
			v := int64(valueAt(c.Column(1), i).(arrow.Timestamp))
			require.GreaterOrEqual(t, v, prev, "sealed chunk sorted by ts")
			prev = v
		}
		st := c.Stats(1)
		require.True(t, st.HasRange)
		require.Equal(t, int64(valueAt(c.Column(1), 0).(arrow.Timestamp)), st.MinInt)
		host := c.Stats(0)
		require.True(t, host.HasRange)
		dt, isDict := c.Column(0).DataType().(*arrow.DictionaryType)
		require.True(t, isDict, "a low-cardinality string column is dictionary-encoded when sealed")
		require.Equal(t, arrow.UINT8, dt.IndexType.ID(), "with one-byte codes")
		for i := range c.Rows() {
			h := valueAt(c.Column(0), i).(string)
			require.True(t, host.MinString <= h && h <= host.MaxString)
			require.Equal(t, ref.Partition, NewKeyHash().String(h).Bucket(4), "row in its hash bucket")
		}
	}
}

func TestVersionsAndRollback(t *testing.T) {
	s, mem := newTestStore(t, 16)
	require.NoError(t, s.CreateTable(1, eventsDef))
	applyRows(t, s, mem, 2, &eventsDef, eventRows(0, 30, 2))
	applyRows(t, s, mem, 3, &eventsDef, eventRows(30, 50, 3))
	applyRows(t, s, mem, 5, &eventsDef, eventRows(50, 55, 5))
	at := func(v uint64) int { return len(readTable(t, s, v, "events")) }
	require.Equal(t, 0, at(1))
	require.Equal(t, 30, at(2))
	require.Equal(t, 50, at(3))
	require.Equal(t, 50, at(4))
	require.Equal(t, 55, at(5))

	require.NoError(t, s.Rollback(6, "events", 2))
	require.Equal(t, sortRows(readTable(t, s, 2, "events")), sortRows(readTable(t, s, 6, "events")))
	require.Equal(t, 55, at(5), "reads before the rollback are unchanged")
	applyRows(t, s, mem, 7, &eventsDef, eventRows(100, 110, 7))
	require.Equal(t, 40, at(7))

	// Roll back to a version that itself was after a rollback.
	require.NoError(t, s.Rollback(8, "events", 7))
	require.Equal(t, 40, at(8))
	require.NoError(t, s.Rollback(9, "events", 4))
	require.Equal(t, sortRows(readTable(t, s, 4, "events")), sortRows(readTable(t, s, 9, "events")))
	require.Equal(t, 50, at(9))
	require.NoError(t, s.Rollback(10, "events", 7))
	require.Equal(t, sortRows(readTable(t, s, 7, "events")), sortRows(readTable(t, s, 10, "events")))

	info, _ := s.DescribeTable("events")
	require.EqualValues(t, 40, info.Rows)
	require.EqualValues(t, 65, info.StoredRows)

	_, err := s.Snapshot(11)
	require.ErrorIs(t, err, ErrFutureVersion)
	require.ErrorIs(t, s.Rollback(11, "events", 12), ErrFutureVersion)
	require.ErrorIs(t, s.Rollback(10, "events", 1), ErrVersionOrder)
	hist, _ := s.Versions("events")
	require.Len(t, hist, 9)
	require.Equal(t, VersionRollback, hist[len(hist)-1].Kind)
}

func TestMismatchAppliesNothing(t *testing.T) {
	s, mem := newTestStore(t, 0)
	other := TableDef{Name: "other", Columns: []Column{{Name: "k", Type: TypeInt32}}}
	require.NoError(t, s.CreateTable(1, eventsDef))
	require.NoError(t, s.CreateTable(2, other))
	good := buildRecord(t, mem, &other, [][]any{{int32(1)}})
	defer good.Release()
	badNull := buildRecord(t, mem, &TableDef{Columns: []Column{
		{Name: "host", Type: TypeString, Nullable: true}, {Name: "ts", Type: TypeTimestamp},
		{Name: "value", Type: TypeFloat64, Nullable: true}, {Name: "n", Type: TypeInt64, Nullable: true},
	}}, [][]any{{"a", arrow.Timestamp(1), 1.0, nil}, {nil, arrow.Timestamp(2), 1.0, nil}})
	defer badNull.Release()
	wrongType := buildRecord(t, mem, &TableDef{Columns: []Column{{Name: "k", Type: TypeFloat64}}}, [][]any{{1.5}})
	defer wrongType.Release()
	unknown := buildRecord(t, mem, &TableDef{Columns: []Column{{Name: "k", Type: TypeInt32}, {Name: "zz", Type: TypeInt32}}}, [][]any{{int32(1), int32(2)}})
	defer unknown.Release()
	missing := buildRecord(t, mem, &TableDef{Columns: []Column{{Name: "ts", Type: TypeTimestamp}}}, [][]any{{arrow.Timestamp(1)}})
	defer missing.Release()

	cases := []struct {
		batch TableBatch
		want  string
	}{
		{TableBatch{"events", badNull}, `column "host", row 2: null in a NOT NULL column`},
		{TableBatch{"other", wrongType}, `column "k" has type float64`},
		{TableBatch{"other", unknown}, `unknown column "zz" (position 2)`},
		{TableBatch{"events", missing}, `missing column "host", which is NOT NULL`},
		{TableBatch{"nope", good}, `no such table: "nope"`},
	}
	for i, c := range cases {
		err := s.Apply(uint64(10+i), []TableBatch{{"other", good}, c.batch})
		require.Error(t, err)
		require.Contains(t, err.Error(), c.want)
		require.Contains(t, err.Error(), "batch 2")
	}
	require.Empty(t, readTable(t, s, Latest, "other"), "the good batch of a failed call is not applied")
	require.Equal(t, uint64(2), s.Applied())

	// A nullable column the batch lacks is filled with nulls.
	partial := buildRecord(t, mem, &TableDef{Columns: []Column{{Name: "host", Type: TypeString}, {Name: "ts", Type: TypeTimestamp}}},
		[][]any{{"x", arrow.Timestamp(5)}})
	defer partial.Release()
	require.NoError(t, s.Apply(20, []TableBatch{{"events", partial}, {"other", good}}))
	require.Equal(t, [][]any{{"x", arrow.Timestamp(5), nil, nil}}, readTable(t, s, Latest, "events"))
	require.Equal(t, [][]any{{int32(1)}}, readTable(t, s, Latest, "other"))
}

func TestBadUTF8(t *testing.T) {
	s, mem := newTestStore(t, 0)
	def := TableDef{Name: "s", Columns: []Column{{Name: "a", Type: TypeString}}}
	require.NoError(t, s.CreateTable(1, def))
	// "\xc3" + "\xa9" is valid as a whole, but each value alone is not.
	for _, vals := range [][]string{{"ok", "\xff"}, {"ok", "\xc3", "\xa9"}} {
		rows := make([][]any, len(vals))
		for i, v := range vals {
			rows[i] = []any{v}
		}
		rec := buildRecord(t, mem, &def, rows)
		err := s.Apply(2, []TableBatch{{"s", rec}})
		rec.Release()
		require.Error(t, err)
		require.True(t, strings.Contains(err.Error(), `row 2: string is not valid UTF-8`), err.Error())
	}
}

func TestVersionOrder(t *testing.T) {
	s, _ := newTestStore(t, 0)
	require.NoError(t, s.Apply(5, nil))
	require.Equal(t, uint64(5), s.Applied())
	require.True(t, errors.Is(s.Apply(5, nil), ErrVersionOrder))
	require.True(t, errors.Is(s.CreateTable(4, eventsDef), ErrVersionOrder))
	_, err := s.Snapshot(6)
	require.ErrorIs(t, err, ErrFutureVersion)
}

func TestUsage(t *testing.T) {
	s, mem := newTestStore(t, 8)
	require.NoError(t, s.CreateTable(1, eventsDef))
	applyRows(t, s, mem, 2, &eventsDef, eventRows(0, 100, 2))
	u := s.Usage()
	require.Equal(t, 1, u.Tables)
	require.EqualValues(t, 100, u.Rows)
	require.Positive(t, u.SealedChunks)
	// 100 rows of at least a timestamp, a float and an int64.
	require.Greater(t, u.Bytes, int64(100*24))
}

// TableDef answers what a snapshot's table would, without one.
func TestTableDefAtVersion(t *testing.T) {
	s, _ := newTestStore(t, 0)
	require.NoError(t, s.CreateTable(1, TableDef{Name: "a", Columns: []Column{{Name: "x", Type: TypeInt32}}}))
	require.NoError(t, s.CreateTable(2, eventsDef))
	def, err := s.TableDef("events", Latest)
	require.NoError(t, err)
	require.Equal(t, eventsDef.Columns, def.Columns)
	require.Equal(t, []string{"ts"}, def.SortKey)
	def.Columns[0].Name = "changed" // a clone: the store's definition stays
	again, err := s.TableDef("events", 2)
	require.NoError(t, err)
	require.Equal(t, "host", again.Columns[0].Name)

	_, err = s.TableDef("events", 1)
	require.ErrorIs(t, err, ErrNoTable, "created at version 2")
	_, err = s.TableDef("nope", Latest)
	require.ErrorIs(t, err, ErrNoTable)
	_, err = s.TableDef("events", 3)
	require.ErrorIs(t, err, ErrFutureVersion)
}
