package bench

import (
	"github.com/apache/arrow-go/v18/arrow"
)

// Dataset is one of the suite's deterministic datasets: its table on each
// engine, how to generate its rows, the indexes a PostgreSQL user would
// create for its queries, and the queries.
type Dataset struct {
	Name  string // telemetry, weather, transactions
	Table string
	// StrataDDL creates the table on Strata (partition and sort keys in
	// WITH); PostgresDDL on PostgreSQL. DuckDBDDL creates it on DuckDB (the
	// optional third engine, -tags duckdb); empty means PostgresDDL, whose
	// type names (text, integer, bigint, double precision, timestamptz)
	// DuckDB reads as the same types.
	StrataDDL, PostgresDDL, DuckDBDDL string
	// PostgresIndexes are the CREATE INDEX statements run after loading,
	// with a comment in the source saying which queries each serves.
	PostgresIndexes []string
	// Generate produces rows [0, rows) in order, as Arrow records of at
	// most batchRows rows in the table's column order, the same for the
	// same seed. yield owns nothing: it must Retain what it keeps.
	Generate func(rows, seed int64, batchRows int, yield func(arrow.RecordBatch) error) error
	Queries  []Query
}

// Query is one benchmark query. SQL runs on every engine unless the
// dialects differ, then StrataSQL/PostgresSQL/DuckDBSQL hold that side's
// text; Why says why Strata's and PostgreSQL's differ, DuckDBWhy why
// DuckDB's does (or, with the same text, a dialect difference that does
// not change the answer; the report lists both).
type Query struct {
	Name                              string
	SQL                               string
	StrataSQL, PostgresSQL, DuckDBSQL string
	Why, DuckDBWhy                    string
	// Ordered: the query orders its rows completely, so they are compared
	// in order; otherwise as multisets.
	Ordered bool
}

// TextFor returns the query's text on one engine ("strata", "postgres" or
// "duckdb").
func (q Query) TextFor(engine string) string {
	switch {
	case engine == "strata" && q.StrataSQL != "":
		return q.StrataSQL
	case engine == "postgres" && q.PostgresSQL != "":
		return q.PostgresSQL
	case engine == "duckdb" && q.DuckDBSQL != "":
		return q.DuckDBSQL
	}
	return q.SQL
}

// DuckDBTable returns the CREATE TABLE statement for DuckDB.
func (d *Dataset) DuckDBTable() string {
	if d.DuckDBDDL != "" {
		return d.DuckDBDDL
	}
	return d.PostgresDDL
}
