package server

import (
	"context"
	"fmt"
	"strings"

	"github.com/stratadb/strata/query/sql"
	"github.com/stratadb/strata/server/pgcatalog"
	"github.com/stratadb/strata/storage"
)

// runSystemQuery answers a query on PostgreSQL's system catalogs over gRPC
// (the wire protocol runs them itself, with its session's settings): the
// pg_catalog emulation's rows, integers and booleans as such, every other
// value as text.
func (n *Node) runSystemQuery(ctx context.Context, q *sql.SystemQuery) (*sql.Result, error) {
	env := &pgcatalog.Env{
		Catalog:       n.Catalog(),
		ServerVersion: n.pgServerVersion(),
		Database:      "strata",
		User:          "strata",
	}
	p, err := pgcatalog.Prepare(q, env, nil)
	if err != nil {
		return nil, err
	}
	if len(p.Params) > 0 {
		return nil, &sql.Error{Code: "08P01", Message: fmt.Sprintf("the statement has %d parameters; over gRPC send values inline", len(p.Params))}
	}
	rows, err := p.Run(ctx, nil)
	if err != nil {
		return nil, err
	}
	cols := make([]sql.Column, len(p.Columns))
	for i, c := range p.Columns {
		cols[i] = sql.Column{Name: c.Name, Type: storage.TypeString}
		switch c.OID {
		case 20, 21, 23, 26: // int8, int2, int4, oid
			cols[i].Type = storage.TypeInt64
		case 16:
			cols[i].Type = storage.TypeBool
		}
	}
	out := make([][]any, len(rows))
	for r, row := range rows {
		out[r] = make([]any, len(row))
		for i, v := range row {
			out[r][i] = systemValue(cols[i].Type, v)
		}
	}
	return rowsResult(selectTag(len(out)), cols, out)
}

func systemValue(t storage.ColumnType, v any) any {
	switch v := v.(type) {
	case nil:
		return nil
	case int16:
		return int64(v)
	case int32:
		return int64(v)
	case uint32:
		return int64(v)
	case int64, bool:
		return v
	case string:
		if t == storage.TypeString {
			return v
		}
	case []string:
		return pgTextArray(v)
	}
	return fmt.Sprint(v)
}

// pgServerVersion is the PostgreSQL version the node reports to clients.
func (n *Node) pgServerVersion() string {
	if n.cfg.Version != "" {
		return fmt.Sprintf("15.0 (Strata %s)", n.cfg.Version)
	}
	return "15.0 (Strata)"
}

// pgTextArray writes a text[] as PostgreSQL's output does: elements with
// separators, quotes, backslashes, spaces or braces (or empty, or NULL
// spelled out) are double-quoted with " and \ escaped.
func pgTextArray(items []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, it := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		if it == "" || strings.EqualFold(it, "null") || strings.ContainsAny(it, ",{}\" \t\n\\") {
			b.WriteByte('"')
			b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(it))
			b.WriteByte('"')
			continue
		}
		b.WriteString(it)
	}
	b.WriteByte('}')
	return b.String()
}
