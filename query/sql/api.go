package sql

import (
	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// Column is a result column as a PostgreSQL client sees it.
type Column struct {
	Name string
	Type storage.ColumnType
	// Numeric: PostgreSQL answers numeric here (sum of an int8 column,
	// avg of an integer column), so the wire protocol declares numeric
	// and sends the value as text; the engine's value is exact.
	Numeric bool
}

// Catalog is what planning needs to know of the tables.
type Catalog interface {
	plan.Catalog
	TableNames() []string
}

// Prepared is a statement planned against a catalog: its parameter types
// (inferred from context where the client gave none) and the columns it
// answers with (nil for a statement that returns no rows).
type Prepared struct {
	Stmt    Statement
	Params  []storage.ColumnType // Params[0] is $1
	Columns []Column
}

// Parse splits text into statements. Errors are *Error with a SQLSTATE
// and, for syntax errors, the 1-based character position. A query's
// planning errors (unknown columns, grouping, types) are Prepare's.
func Parse(text string) ([]Statement, error) {
	return parse(text)
}

// Prepare plans stmt against cat. hints are the parameter types the
// client declared (TypeInvalid, or a short slice, where it declared none);
// a parameter whose type neither a hint nor its context gives is an
// *Error with code 42P18.
func Prepare(stmt Statement, cat Catalog, hints []storage.ColumnType) (*Prepared, error) {
	return prepare(stmt, cat, hints)
}

// Bind returns the statement with every parameter replaced by its value
// (args[0] is $1), each already of the type Params gives.
func (p *Prepared) Bind(args []plan.Value) (Statement, error) {
	return bind(p, args)
}
