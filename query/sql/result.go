package sql

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/stratadb/strata/query"
)

// Result is what running a statement answers (the server builds it).
type Result struct {
	// Tag is the whole PostgreSQL command tag: "SELECT 3", "INSERT 0 5",
	// "CREATE TABLE", "SET".
	Tag string
	// Columns describe the rows; nil when the statement returns none.
	Columns []Column
	// Records hold the rows, one Arrow column per Column, as the engine
	// answers them (utf8, int64, int32, float64, bool, binary,
	// timestamp[us, UTC], date32).
	Records []arrow.RecordBatch
	// Stats say how a query ran (zero for other statements).
	Stats query.Stats
}

// Release frees the records.
func (r *Result) Release() {
	for _, rec := range r.Records {
		rec.Release()
	}
	r.Records = nil
}

// NumRows counts the rows.
func (r *Result) NumRows() int64 {
	var n int64
	for _, rec := range r.Records {
		n += rec.NumRows()
	}
	return n
}
