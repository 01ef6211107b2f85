package server

import (
	"context"
	"slices"
	"strconv"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/query/sql"
)

func (n *Node) showTables(ctx context.Context) (*sql.Result, error) {
	if err := n.Fence(ctx); err != nil {
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
	return rowsResult(selectTag(len(rows)), sql.ShowTablesColumns, rows)
}

func (n *Node) describe(ctx context.Context, table string) (*sql.Result, error) {
	if err := n.Fence(ctx); err != nil {
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
		rows = append(rows, []any{c.Name, plan.SQLTypeName(c.Type), c.Nullable, slices.Contains(def.PartitionKey, c.Name), sortPos})
	}
	return rowsResult(selectTag(len(rows)), sql.DescribeColumns, rows)
}

func (n *Node) showVersions(ctx context.Context, table string) (*sql.Result, error) {
	if err := n.Fence(ctx); err != nil {
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
	return rowsResult(selectTag(len(rows)), sql.ShowVersionsColumns, rows)
}

func selectTag(n int) string { return "SELECT " + strconv.Itoa(n) }
