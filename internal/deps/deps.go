//go:build tools

// Package deps pins the modules the SQL work is adopting, so `go mod tidy`
// keeps them while the code that imports them is being written. Remove an
// import here once a real package imports the module.
package deps

import (
	_ "github.com/cockroachdb/cockroachdb-parser/pkg/sql/parser"
	_ "github.com/ergochat/readline"
	_ "github.com/jackc/pgx/v5"
	_ "github.com/jedib0t/go-pretty/v6/table"
	_ "github.com/jeroenrinzema/psql-wire"
)
