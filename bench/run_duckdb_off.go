//go:build !duckdb

package bench

import "context"

// DuckDBBuilt reports whether this binary has the DuckDB engine (build tag
// duckdb).
const DuckDBBuilt = false

// openDuckDB without the duckdb build tag: DuckDB's binding (cgo and a
// static library of a few hundred MB) is not linked into the default
// build, so --duckdb needs a binary built with -tags duckdb.
func openDuckDB(context.Context, *progress) (duckdbEngine, error) {
	return nil, ErrNoDuckDB
}
