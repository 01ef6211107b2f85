package server

import (
	"slices"
	"strconv"

	"github.com/stratadb/strata/query/sql"
	"github.com/stratadb/strata/storage"
)

// pgTypeNames are the PostgreSQL names of Strata's column types, as
// DESCRIBE and psql show them.
var pgTypeNames = map[storage.ColumnType]string{
	storage.TypeInt64:     "bigint",
	storage.TypeInt32:     "integer",
	storage.TypeFloat64:   "double precision",
	storage.TypeBool:      "boolean",
	storage.TypeString:    "text",
	storage.TypeBinary:    "bytea",
	storage.TypeTimestamp: "timestamp",
	storage.TypeDate:      "date",
}

func (n *Node) showTables() (*sql.Result, error) {
	if err := n.readable(); err != nil {
		return nil, err
	}
	s := n.fsm.Store()
	var rows [][]any
	for _, name := range s.ListTables() {
		info, err := s.DescribeTable(name)
		if err != nil {
			continue // dropped meanwhile
		}
		rows = append(rows, []any{name, info.Rows, int64(len(info.Def.Columns)), int64(max(info.Def.Buckets, 1)), info.LatestVersion})
	}
	return rowsResult(selectTag(len(rows)), []sql.Column{
		{Name: "table_name", Type: storage.TypeString},
		{Name: "rows", Type: storage.TypeInt64},
		{Name: "columns", Type: storage.TypeInt64},
		{Name: "partitions", Type: storage.TypeInt64},
		{Name: "latest_version", Type: storage.TypeInt64},
	}, rows)
}

func (n *Node) describe(table string) (*sql.Result, error) {
	if err := n.readable(); err != nil {
		return nil, err
	}
	info, err := n.fsm.Store().DescribeTable(table)
	if err != nil {
		return nil, err
	}
	def := info.Def
	var rows [][]any
	for _, c := range def.Columns {
		var sortPos any
		if i := slices.Index(def.SortKey, c.Name); i >= 0 {
			sortPos = int32(i + 1)
		}
		rows = append(rows, []any{c.Name, pgTypeNames[c.Type], c.Nullable, slices.Contains(def.PartitionKey, c.Name), sortPos})
	}
	return rowsResult(selectTag(len(rows)), []sql.Column{
		{Name: "column_name", Type: storage.TypeString},
		{Name: "data_type", Type: storage.TypeString},
		{Name: "nullable", Type: storage.TypeBool},
		{Name: "partition_key", Type: storage.TypeBool},
		{Name: "sort_key", Type: storage.TypeInt32},
	}, rows)
}

func (n *Node) showVersions(table string) (*sql.Result, error) {
	if err := n.readable(); err != nil {
		return nil, err
	}
	hist, err := n.fsm.Store().Versions(table)
	if err != nil {
		return nil, err
	}
	var rows [][]any
	for _, h := range hist {
		var to any
		if h.To != 0 {
			to = int64(h.To)
		}
		rows = append(rows, []any{int64(h.Version), h.Kind.String(), h.Rows, to})
	}
	return rowsResult(selectTag(len(rows)), []sql.Column{
		{Name: "version", Type: storage.TypeInt64},
		{Name: "kind", Type: storage.TypeString},
		{Name: "rows", Type: storage.TypeInt64},
		{Name: "rolled_back_to", Type: storage.TypeInt64},
	}, rows)
}

func selectTag(n int) string { return "SELECT " + strconv.Itoa(n) }
