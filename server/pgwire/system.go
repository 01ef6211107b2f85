package pgwire

import (
	"context"
	"strings"

	"github.com/stratadb/strata/query/sql"
	"github.com/stratadb/strata/server/pgcatalog"
)

// System queries (pg_catalog, information_schema, version(), ...) are
// answered by server/pgcatalog. This file is the seam: the rest of the
// package sees only systemStatement.

// systemStatement is a system query planned for a session: its result
// columns, its parameters' OIDs, and a function that runs it with
// arguments typed per OID (uint32 for oid, int16/int32/int64, bool, string,
// float64; nil for NULL), answering rows of Go values typed per column OID.
type systemStatement struct {
	columns []column
	params  []uint32
	run     func(ctx context.Context, args []any) ([][]any, error)
}

// systemEnv is what the pg_catalog emulation knows of the session.
type systemEnv struct {
	catalog       sql.Catalog
	serverVersion string
	database      string
	user          string
	setting       func(name string) (string, bool)
}

// parseStatements is sql.Parse, with two fallbacks for a query it
// refuses: DEALLOCATE and DISCARD (see sessioncmd.go), and a statement
// pg_catalog's parser accepts (psql's \d queries say COLLATE
// pg_catalog.default, which cockroach's parser rejects), which is a
// system query.
func parseStatements(text string) ([]sql.Statement, error) {
	stmts, err := parseSQL(text)
	if err == nil {
		return stmts, nil
	}
	if cmd, ok := parseSessionCmd(text); ok {
		return []sql.Statement{cmd}, nil
	}
	if _, perr := pgcatalog.Parse(text); perr == nil && strings.Contains(strings.ToLower(text), "pg_catalog") {
		return []sql.Statement{&sql.SystemQuery{Text: text}}, nil
	}
	return nil, err
}

// prepareSystem plans a system query with the client's parameter OIDs as
// hints.
func prepareSystem(q *sql.SystemQuery, env systemEnv, hints []uint32) (*systemStatement, error) {
	p, err := pgcatalog.Prepare(q, &pgcatalog.Env{
		Catalog:       env.catalog,
		ServerVersion: env.serverVersion,
		Database:      env.database,
		User:          env.user,
		Setting:       env.setting,
	}, hints)
	if err != nil {
		return nil, err
	}
	st := &systemStatement{columns: make([]column, len(p.Columns)), params: p.Params, run: p.Run}
	for i, c := range p.Columns {
		st.columns[i] = column{name: c.Name, oid: c.OID}
	}
	return st, nil
}
