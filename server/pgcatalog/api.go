package pgcatalog

import (
	"context"
	"fmt"
	"regexp"
	"runtime/debug"
	"strings"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/parser"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/types"

	"github.com/stratadb/strata/query/sql"
)

// Env is what a query on the system catalogs can see: Strata's tables
// and the session.
type Env struct {
	Catalog       sql.Catalog // Strata's tables (read at every Run)
	ServerVersion string      // e.g. "15.0 (Strata 0.1.0)"
	Database      string
	User          string
	// Setting answers the session's value of a configuration parameter
	// (lower-case name), for current_setting and pg_settings; parameters
	// it does not know take Strata's defaults.
	Setting func(name string) (string, bool)
}

// Column is a result column: its name and the OID of its type.
type Column struct {
	Name string
	OID  uint32
}

// Prepared is a system-catalog query ready to run.
type Prepared struct {
	Columns []Column
	Params  []uint32 // the OIDs of $1, $2, ...

	env  *Env
	text string
	root node
	out  []uint32 // the evaluated types of the output columns
}

// maxSteps bounds the work of one Run (rows read, pairs of rows a join
// tries, subquery runs) and maxCells the values it materializes, so a
// query that would take forever or fill memory fails instead (SQLSTATE
// 54001). Catalog queries of psql, drivers and tools stay far below
// (JDBC's getColumns over 200 tables: ~40,000 steps, ~500,000 cells).
var (
	maxSteps = 50_000_000
	maxCells = 10_000_000
)

// Prepare compiles a query on the system catalogs. hints are the OIDs the
// client declared for $1, $2, ... (0 or missing: infer from the context,
// else text). If q.AST is nil, q.Text is parsed here (rewriting what
// cockroach's parser rejects, such as psql's COLLATE pg_catalog.default).
func Prepare(q *sql.SystemQuery, env *Env, hints []uint32) (p *Prepared, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &sql.Error{Code: codeInternal, Message: fmt.Sprintf("internal error in system catalog query: %v", r),
				Err: fmt.Errorf("panic: %v\n%s", r, debug.Stack())}
		}
	}()
	return prepare(q, env, hints)
}

func prepare(q *sql.SystemQuery, env *Env, hints []uint32) (*Prepared, error) {
	if q == nil {
		return nil, errorf(codeProtocol, "no query")
	}
	if env == nil {
		env = &Env{}
	}
	stmt := q.AST
	if stmt == nil {
		var err error
		if stmt, err = Parse(q.Text); err != nil {
			return nil, err
		}
	}
	sel, ok := stmt.(*tree.Select)
	if !ok {
		if stmt == nil {
			return nil, errorf(codeSyntax, "empty query")
		}
		return nil, unsupported(stmt.StatementTag())
	}
	c := &compiler{env: env, hints: hints}
	plan, err := c.compileSelect(sel, nil)
	if err != nil {
		return nil, err
	}
	p := &Prepared{env: env, text: q.Text, root: plan}
	for _, col := range plan.columns() {
		p.Columns = append(p.Columns, Column{Name: col.name, OID: outputType(col.typ)})
		p.out = append(p.out, col.typ)
	}
	p.Params = make([]uint32, len(c.params))
	for i, t := range c.params {
		if t == 0 || t == oidUnknown {
			t = oidText
		}
		p.Params[i] = t
	}
	return p, nil
}

// Run executes the query with args (args[0] is $1; values of Params'
// types, or their text forms) and returns rows of Go values typed by the
// columns' OIDs (see the package doc).
func (p *Prepared) Run(ctx context.Context, args []any) (rows [][]any, err error) {
	defer func() {
		if r := recover(); r != nil {
			rows = nil
			err = &sql.Error{Code: codeInternal, Message: fmt.Sprintf("internal error in system catalog query: %v", r),
				Err: fmt.Errorf("panic: %v\n%s", r, debug.Stack())}
		}
	}()
	return p.run(ctx, args)
}

func (p *Prepared) run(ctx context.Context, args []any) ([][]any, error) {
	if len(args) != len(p.Params) {
		return nil, errorf(codeProtocol, "bind message supplies %d parameters, but prepared statement requires %d", len(args), len(p.Params))
	}
	cd := newCatalogData(p.env)
	cd.query = p.text
	ec := &evalCtx{ctx: ctx, env: p.env, cat: cd, regex: map[string]*regexp.Regexp{}, cache: map[*subPlan][][]any{}}
	ec.args = make([]any, len(args))
	for i, a := range args {
		var err error
		if ec.args[i], err = fromArg(ec, a, p.Params[i]); err != nil {
			return nil, err
		}
	}
	in, err := p.root.rows(ec, nil)
	if err != nil {
		return nil, err
	}
	out := make([][]any, len(in))
	for i, r := range in {
		row := make([]any, len(p.out))
		for j, t := range p.out {
			row[j] = toOutput(ec, r[j], t)
		}
		out[i] = row
	}
	return out, nil
}

// Parse parses a system-catalog query as PostgreSQL would: INT is int4,
// and COLLATE pg_catalog.default, which cockroach's parser rejects, is
// rewritten to a collation it accepts (collations are ignored here).
func Parse(text string) (tree.Statement, error) {
	text = collateDefault.ReplaceAllString(text, `COLLATE "default"`)
	stmts, err := parser.ParseWithInt(text, types.Int4)
	if err != nil {
		return nil, &sql.Error{Code: codeSyntax, Message: err.Error(), Err: err}
	}
	switch len(stmts) {
	case 0:
		return nil, errorf(codeSyntax, "empty query")
	case 1:
		return stmts[0].AST, nil
	}
	return nil, errorf(codeSyntax, "cannot run %d statements as one system catalog query", len(stmts))
}

var collateDefault = regexp.MustCompile(`(?i)COLLATE\s+(pg_catalog\s*\.\s*)?("default"|default)`)

// evalCtx is one Run's state.
type evalCtx struct {
	ctx   context.Context
	env   *Env
	cat   *catalogData
	args  []any
	steps int
	cells int
	regex map[string]*regexp.Regexp
	cache map[*subPlan][][]any // results of uncorrelated subqueries
}

// tick counts n units of work, failing when the query was canceled or
// does too much.
func (ec *evalCtx) tick(n int) error {
	before := ec.steps
	ec.steps += n
	if ec.steps > maxSteps {
		return errorf(codeTooComplex, "system catalog query too complex: more than %d steps", maxSteps)
	}
	if ec.steps/4096 != before/4096 && ec.ctx != nil {
		if err := ec.ctx.Err(); err != nil {
			return ctxError(err)
		}
	}
	return nil
}

// hold counts n values materialized.
func (ec *evalCtx) hold(n int) error {
	ec.cells += n
	if ec.cells > maxCells {
		return errorf(codeTooComplex, "system catalog query too large: more than %d values", maxCells)
	}
	return nil
}

// regLookup resolves a name to the OID of a reg* type's object.
func (ec *evalCtx) regLookup(s string, typ uint32) (any, error) {
	cd := ec.cat
	switch typ {
	case oidRegclass:
		parts := splitQualified(s)
		schema, name := "", parts[len(parts)-1]
		if len(parts) > 1 {
			schema = parts[len(parts)-2]
		}
		if r, t := cd.lookupRelation(schema, name); r != nil {
			return int64(r.oid), nil
		} else if t != nil {
			return int64(t.oid), nil
		}
		return nil, errorf(codeUndefinedTable, "relation %q does not exist", s)
	case oidRegtype:
		if oid, ok := lookupTypeName(s); ok {
			return int64(oid), nil
		}
		return nil, errorf(codeUndefinedObject, "type %q does not exist", s)
	case oidRegproc, 2202: // regprocedure: the name before any argument list
		name, _, _ := strings.Cut(s, "(")
		parts := splitQualified(name)
		if p := procByName[parts[len(parts)-1]]; p != nil {
			return int64(p.oid), nil
		}
		return nil, errorf(codeUndefinedFunction, "function %q does not exist", s)
	case oidRegnamespace:
		parts := splitQualified(s)
		if oid, ok := nspOID(parts[0]); ok && len(parts) == 1 {
			return int64(oid), nil
		}
		return nil, errorf(codeUndefinedObject, "schema %q does not exist", s)
	case oidRegrole:
		parts := splitQualified(s)
		for _, r := range cd.roles() {
			if len(parts) == 1 && r.name == parts[0] {
				return int64(r.oid), nil
			}
		}
		return nil, errorf(codeUndefinedObject, "role %q does not exist", s)
	}
	return nil, errorf(codeUnsupported, "input of type %s is not supported", typeName(typ))
}

// regName is the text form of a reg* value: the object's name, "-" for
// 0, the number for an OID that names nothing.
func (ec *evalCtx) regName(v int64, typ uint32) string {
	if v == 0 {
		return "-"
	}
	oid := uint32(v)
	switch typ {
	case oidRegclass:
		if name, ok := ec.cat.relationName(oid); ok {
			return name
		}
	case oidRegtype:
		if t := typeByOID[oid]; t != nil {
			return t.format
		}
	case oidRegproc, 2202:
		if p := procByOID[oid]; p != nil {
			return p.name
		}
	case oidRegnamespace:
		if name := nspName(oid); name != "" {
			return name
		}
	case oidRegrole:
		if name, ok := ec.cat.roleName(oid); ok {
			return name
		}
	}
	return itoa(v)
}
