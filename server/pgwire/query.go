package pgwire

import (
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/query/sql"
	"github.com/stratadb/strata/storage"
)

// The SQL front end, as variables so that tests can stand in for it.
var (
	parseSQL   = sql.Parse
	prepareSQL = sql.Prepare
	bindSQL    = func(p *sql.Prepared, args []plan.Value) (sql.Statement, error) { return p.Bind(args) }
)

// stmtKind says who answers a statement.
type stmtKind uint8

const (
	kindEngine     stmtKind = iota // the Backend runs it
	kindSystem                     // server/pgcatalog answers it
	kindSet                        // SET / RESET
	kindShow                       // SHOW
	kindTxn                        // BEGIN / COMMIT / ROLLBACK
	kindCopy                       // COPY FROM STDIN
	kindEmpty                      // nothing to run
	kindSessionCmd                 // DEALLOCATE, DISCARD
)

// statement is a parsed and planned statement (a named or unnamed prepared
// statement, or one statement of a simple query).
type statement struct {
	kind    stmtKind
	stmt    sql.Statement
	prep    *sql.Prepared    // kindEngine
	sys     *systemStatement // kindSystem
	params  []uint32         // parameter OIDs as described to the client
	columns []column         // result columns; nil: no rows
}

// portal is a statement bound to its arguments and result formats.
type portal struct {
	st      *statement
	bound   sql.Statement // kindEngine: parameters replaced by values
	args    []any         // kindSystem: arguments typed per OID
	formats []int16       // one per result column
	res     *resultSet    // after the first Execute, until every row is sent
	done    bool          // ran to completion
}

func (p *portal) release() {
	if p.res != nil {
		p.res.release()
		p.res = nil
	}
}

// simpleQuery runs the statements of a Query message one after the other,
// each planned just before it runs (so a statement sees the tables the ones
// before it created), and stops at the first error.
func (ss *session) simpleQuery(text string) error {
	stmts, err := parseStatements(text)
	if err != nil {
		return err
	}
	ran := false
	for _, stmt := range stmts {
		if _, empty := stmt.(*sql.Empty); empty {
			continue
		}
		ran = true
		if err := ss.simpleStatement(stmt); err != nil {
			return err
		}
		if ss.terminated || ss.ioErr != nil {
			return nil
		}
	}
	if !ran {
		ss.be.Send(&pgproto3.EmptyQueryResponse{})
	}
	return nil
}

func (ss *session) simpleStatement(stmt sql.Statement) error {
	if err := ss.checkFailedBlock(stmt); err != nil {
		return err
	}
	st, err := ss.prepare(stmt, nil)
	if err != nil {
		return err
	}
	if len(st.params) > 0 {
		return newError(codeUndefinedParameter, "there is no parameter $1")
	}
	p, err := ss.newPortal(st, nil, nil, nil)
	if err != nil {
		return err
	}
	defer p.release()
	return ss.execute(p, 0, true)
}

// checkFailedBlock refuses everything but the end of a failed transaction
// block, as PostgreSQL does.
func (ss *session) checkFailedBlock(stmt sql.Statement) error {
	if _, ok := stmt.(*sql.Transaction); ss.txn == 'E' && !ok {
		return newError(codeInFailedTransaction, "current transaction is aborted, commands ignored until end of transaction block")
	}
	return nil
}

// prepare plans a statement; oids are the parameter types the client
// declared (0: unspecified).
func (ss *session) prepare(stmt sql.Statement, oids []uint32) (*statement, error) {
	st := &statement{stmt: stmt}
	switch s := stmt.(type) {
	case *sql.Empty:
		st.kind = kindEmpty
	case *sql.SetVar:
		st.kind = kindSet
	case *sql.Transaction:
		st.kind = kindTxn
	case *sql.CopyFrom:
		st.kind = kindCopy
	case *sessionCmd:
		st.kind = kindSessionCmd
	case *sql.ShowVar:
		st.kind = kindShow
		cols, err := ss.showColumns(s.Name)
		if err != nil {
			return nil, err
		}
		st.columns = cols
	case *sql.SystemQuery:
		return ss.prepareSystemQuery(s, oids)
	default:
		return ss.prepareEngine(stmt, oids)
	}
	return st, nil
}

func (ss *session) prepareEngine(stmt sql.Statement, oids []uint32) (*statement, error) {
	hints := make([]storage.ColumnType, len(oids))
	for i, oid := range oids {
		t, ok := typeOfOID(oid)
		if !ok {
			return nil, newError(codeFeatureNotSupported, "parameter $%d has type %s (oid %d), which Strata does not support", i+1, pgTypeName(oid), oid)
		}
		hints[i] = t
	}
	prep, err := prepareSQL(stmt, ss.srv.b.Catalog(), hints)
	if f, ok := ss.srv.b.(Fencer); ok && err != nil {
		ctx, done := ss.statementContext()
		ferr := f.Fence(ctx)
		done()
		if ferr == nil {
			prep, err = prepareSQL(stmt, ss.srv.b.Catalog(), hints)
		}
	}
	if err != nil {
		return nil, err
	}
	st := &statement{kind: kindEngine, stmt: prep.Stmt, prep: prep}
	if prep.Columns != nil {
		if st.columns, err = sqlColumns(prep.Columns); err != nil {
			return nil, err
		}
	}
	st.params = make([]uint32, max(len(prep.Params), len(oids)))
	for i := range st.params {
		switch {
		case i < len(oids) && oids[i] != 0 && oids[i] != oidUnknown:
			st.params[i] = oids[i]
		case i < len(prep.Params) && oidOfType(prep.Params[i]) != 0:
			st.params[i] = oidOfType(prep.Params[i])
		default:
			return nil, newError(codeIndeterminateType, "could not determine data type of parameter $%d", i+1)
		}
	}
	return st, nil
}

func (ss *session) prepareSystemQuery(q *sql.SystemQuery, oids []uint32) (*statement, error) {
	sys, err := prepareSystem(q, ss.systemEnv(), oids)
	if err != nil {
		return nil, err
	}
	st := &statement{kind: kindSystem, stmt: q, sys: sys, columns: sys.columns}
	st.params = make([]uint32, max(len(sys.params), len(oids)))
	for i := range st.params {
		switch {
		case i < len(oids) && oids[i] != 0 && oids[i] != oidUnknown:
			st.params[i] = oids[i]
		case i < len(sys.params) && sys.params[i] != 0:
			st.params[i] = sys.params[i]
		default:
			return nil, newError(codeIndeterminateType, "could not determine data type of parameter $%d", i+1)
		}
	}
	return st, nil
}

func (ss *session) systemEnv() systemEnv {
	return systemEnv{
		catalog:       ss.srv.b.Catalog(),
		serverVersion: ss.srv.opts.ServerVersion,
		database:      ss.database,
		user:          ss.user,
		setting:       ss.vars.get,
	}
}

// newPortal binds a statement to parameter values (raw, in formats) and
// result formats.
func (ss *session) newPortal(st *statement, values [][]byte, paramFormats, resultCodes []int16) (*portal, error) {
	formats, err := resultFormats(resultCodes, len(st.columns))
	if err != nil {
		return nil, err
	}
	p := &portal{st: st, formats: formats}
	switch st.kind {
	case kindEngine:
		args, err := decodeEngineParams(st, values, paramFormats)
		if err != nil {
			return nil, err
		}
		if p.bound, err = bindSQL(st.prep, args); err != nil {
			return nil, err
		}
	case kindSystem:
		if p.args, err = decodeSystemParams(st, values, paramFormats); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Extended protocol.

func (ss *session) parse(m *pgproto3.Parse) error {
	if _, exists := ss.stmts[m.Name]; exists && m.Name != "" {
		return newError(codeDuplicatePrepared, "prepared statement \"%s\" already exists", m.Name)
	}
	stmts, err := parseStatements(m.Query)
	if err != nil {
		return err
	}
	var stmt sql.Statement = &sql.Empty{}
	switch len(stmts) {
	case 0:
	case 1:
		stmt = stmts[0]
	default:
		return newError(codeSyntax, "cannot insert multiple commands into a prepared statement")
	}
	st, err := ss.prepare(stmt, m.ParameterOIDs)
	if err != nil {
		return err
	}
	ss.stmts[m.Name] = st
	ss.be.Send(&pgproto3.ParseComplete{})
	return nil
}

func (ss *session) bind(m *pgproto3.Bind) error {
	st := ss.stmts[m.PreparedStatement]
	if st == nil {
		return newError(codeInvalidStatementName, "prepared statement \"%s\" does not exist", m.PreparedStatement)
	}
	if old, exists := ss.portals[m.DestinationPortal]; exists {
		if m.DestinationPortal != "" {
			return newError(codeDuplicateCursor, "cursor \"%s\" already exists", m.DestinationPortal)
		}
		old.release()
		delete(ss.portals, "")
	}
	if len(m.Parameters) != len(st.params) {
		return newError(codeProtocolViolation, "bind message supplies %d parameters, but prepared statement \"%s\" requires %d", len(m.Parameters), m.PreparedStatement, len(st.params))
	}
	p, err := ss.newPortal(st, m.Parameters, m.ParameterFormatCodes, m.ResultFormatCodes)
	if err != nil {
		return err
	}
	ss.portals[m.DestinationPortal] = p
	ss.be.Send(&pgproto3.BindComplete{})
	return nil
}

func (ss *session) describe(m *pgproto3.Describe) error {
	if m.ObjectType == 'S' {
		st := ss.stmts[m.Name]
		if st == nil {
			return newError(codeInvalidStatementName, "prepared statement \"%s\" does not exist", m.Name)
		}
		ss.be.Send(&pgproto3.ParameterDescription{ParameterOIDs: st.params})
		ss.describeRows(st.columns, nil)
		return nil
	}
	p := ss.portals[m.Name]
	if p == nil {
		return newError(codeInvalidCursorName, "portal \"%s\" does not exist", m.Name)
	}
	ss.describeRows(p.st.columns, p.formats)
	return nil
}

func (ss *session) describeRows(cols []column, formats []int16) {
	if cols == nil {
		ss.be.Send(&pgproto3.NoData{})
		return
	}
	ss.be.Send(rowDescription(cols, formats))
}

func (ss *session) executeMessage(m *pgproto3.Execute) error {
	p := ss.portals[m.Portal]
	if p == nil {
		return newError(codeInvalidCursorName, "portal \"%s\" does not exist", m.Portal)
	}
	if p.res == nil && !p.done {
		if err := ss.checkFailedBlock(p.st.stmt); err != nil {
			return err
		}
	}
	return ss.execute(p, int(m.MaxRows), false)
}

func (ss *session) closeMessage(m *pgproto3.Close) error {
	if m.ObjectType == 'S' {
		delete(ss.stmts, m.Name)
	} else if p := ss.portals[m.Name]; p != nil {
		p.release()
		delete(ss.portals, m.Name)
	}
	ss.be.Send(&pgproto3.CloseComplete{})
	return nil
}
