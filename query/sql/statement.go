package sql

import (
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// Statement is one parsed SQL statement. Tag is the PostgreSQL command
// tag's verb ("SELECT", "CREATE TABLE", "INSERT", "SET", ...); the server
// adds row counts where PostgreSQL does ("INSERT 0 5", "SELECT 3").
type Statement interface {
	Tag() string
}

// ExplainMode says whether a Select is run, explained, or both.
type ExplainMode uint8

const (
	ExplainNone    ExplainMode = iota
	ExplainPlan                // EXPLAIN: the plan, partitions and chunks pruned, parallelism
	ExplainAnalyze             // EXPLAIN ANALYZE: run it, then the plan with what it read and how long it took
)

// Select is a read: a logical plan (unbound; may hold plan.Param until
// Prepared.Bind replaces them) whose output columns are Columns.
//
// Parse plans without the catalog; Prepare plans the query again against
// it (resolving, say, GROUP BY name to an input column before an alias,
// as PostgreSQL does) and reports the query's errors. Plan is nil after
// Parse where it depends on the tables' columns (SELECT * beside other
// items, DISTINCT *, a column alias list) or planning fails; Prepare
// always fills it.
type Select struct {
	Plan    plan.Node
	Explain ExplainMode

	src    *tree.Select                // the parsed query; nil for a Select built by hand
	limits map[*plan.Limit]limitParams // LIMIT/OFFSET parameters of Plan (Prepare sets it)
	clock  []tconst                    // clock values of Plan, evaluated at Bind (clock.go)
}

// CreateTable is CREATE TABLE, with partition and sort keys from
// WITH (partition_by = 'a,b', buckets = 16, sort_by = 'ts').
type CreateTable struct {
	Def         storage.TableDef
	IfNotExists bool
}

// DropTable is DROP TABLE.
type DropTable struct {
	Name     string
	IfExists bool
}

// Insert is INSERT INTO t [(cols)] VALUES (...), (...). Rows hold one
// constant expression per column of Columns (the table's columns in
// order when the statement names none), coerced to the column's type
// by Prepare; plan.Param may stand for a value until Bind.
type Insert struct {
	Table   string
	Columns []string
	Rows    [][]plan.Expr

	colTypes []storage.ColumnType // per column of Columns (Prepare sets them, for Bind)
	notNull  []bool
}

// RollbackTable is Strata's ROLLBACK TABLE t TO VERSION n.
type RollbackTable struct {
	Table   string
	Version uint64
}

// ShowTables is SHOW TABLES: one row per table (name).
type ShowTables struct{}

// ShowVersions is Strata's SHOW VERSIONS OF t: the table's versions.
type ShowVersions struct{ Table string }

// Describe is Strata's DESCRIBE t (also SHOW COLUMNS FROM t): one row per
// column (name, type, nullable, partition key, sort key).
type Describe struct{ Table string }

// SetVar is SET name = value, SET name TO value, SET LOCAL, RESET name
// (Value empty and Reset true), SET TIME ZONE.
type SetVar struct {
	Name  string // lower case
	Value string // as text, unquoted
	Local bool
	Reset bool
}

// ShowVar is SHOW name (lower case; "all" for SHOW ALL).
type ShowVar struct{ Name string }

// Transaction is BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK (without
// TABLE): accepted as no-ops, since every statement is atomic on its own.
type Transaction struct{ Verb string } // "BEGIN", "COMMIT", "ROLLBACK"

// CopyFrom is COPY t [(cols)] FROM STDIN [WITH (FORMAT csv, HEADER,
// DELIMITER ',', NULL ”)]; the rows follow on the connection.
type CopyFrom struct {
	Table     string
	Columns   []string
	Format    string // "csv", "text" or "binary"
	Header    bool
	Delimiter rune
	Null      string
}

// SystemQuery is a query that reads PostgreSQL's system catalogs or
// session functions (pg_catalog, information_schema, version(),
// current_schema(), ...): the server answers it from its pg_catalog
// emulation, not the engine.
type SystemQuery struct {
	AST  tree.Statement
	Text string
}

// Empty is a statement with nothing in it (a lone ";" or a comment).
type Empty struct{}

func (*Select) Tag() string        { return "SELECT" }
func (*CreateTable) Tag() string   { return "CREATE TABLE" }
func (*DropTable) Tag() string     { return "DROP TABLE" }
func (*Insert) Tag() string        { return "INSERT" }
func (*RollbackTable) Tag() string { return "ROLLBACK TABLE" }
func (*ShowTables) Tag() string    { return "SHOW TABLES" }
func (*ShowVersions) Tag() string  { return "SHOW VERSIONS" }
func (*Describe) Tag() string      { return "DESCRIBE" }
func (*SetVar) Tag() string        { return "SET" }
func (*ShowVar) Tag() string       { return "SHOW" }
func (t *Transaction) Tag() string { return t.Verb }
func (*CopyFrom) Tag() string      { return "COPY" }
func (*SystemQuery) Tag() string   { return "SELECT" }
func (*Empty) Tag() string         { return "" }
