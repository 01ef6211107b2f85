package bench

import (
	"github.com/apache/arrow-go/v18/arrow"
)

// Dataset is one of the suite's deterministic datasets: its table on both
// engines, how to generate its rows, the indexes a PostgreSQL user would
// create for its queries, and the queries.
type Dataset struct {
	Name  string // telemetry, weather, transactions
	Table string
	// StrataDDL creates the table on Strata (partition and sort keys in
	// WITH); PostgresDDL on PostgreSQL.
	StrataDDL, PostgresDDL string
	// PostgresIndexes are the CREATE INDEX statements run after loading,
	// with a comment in the source saying which queries each serves.
	PostgresIndexes []string
	// Generate produces rows [0, rows) in order, as Arrow records of at
	// most batchRows rows in the table's column order, the same for the
	// same seed. yield owns nothing: it must Retain what it keeps.
	Generate func(rows, seed int64, batchRows int, yield func(arrow.RecordBatch) error) error
	Queries  []Query
}

// Query is one benchmark query. SQL runs on both engines unless the
// dialects differ, then StrataSQL/PostgresSQL hold each side's text and
// Why says why.
type Query struct {
	Name                   string
	SQL                    string
	StrataSQL, PostgresSQL string
	Why                    string
	// Ordered: the query orders its rows completely, so they are compared
	// in order; otherwise as multisets.
	Ordered bool
}

// TextFor returns the query's text on one engine ("strata" or "postgres").
func (q Query) TextFor(engine string) string {
	switch {
	case engine == "strata" && q.StrataSQL != "":
		return q.StrataSQL
	case engine == "postgres" && q.PostgresSQL != "":
		return q.PostgresSQL
	}
	return q.SQL
}
