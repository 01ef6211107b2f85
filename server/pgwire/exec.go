package pgwire

import (
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/stratadb/strata/query/sql"
)

// resultSet is a statement's answer, materialized, and a cursor over it so
// that a portal can send it in pieces (Execute with a row limit).
type resultSet struct {
	columns []column
	records []arrow.RecordBatch // the engine's rows
	rows    [][]any             // Go values (SHOW, pg_catalog)
	rec     int                 // cursor: record (or row of rows) next to send
	row     int                 // cursor: row within records[rec]
	tag     string              // command tag; "SELECT" tags get the row count sent
}

func (r *resultSet) release() {
	for _, rec := range r.records {
		rec.Release()
	}
	r.records = nil
}

// execute runs a portal (on its first Execute) and sends up to limit of its
// rows (0: all). A simple query describes the rows itself.
func (ss *session) execute(p *portal, limit int, simple bool) error {
	if p.st.kind == kindEmpty {
		ss.be.Send(&pgproto3.EmptyQueryResponse{})
		return nil
	}
	if p.done {
		ss.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(countTag(p.st.stmt.Tag(), 0))})
		return nil
	}
	if p.res == nil {
		res, err := ss.runPortal(p)
		if err != nil {
			return err
		}
		if res.columns == nil {
			p.done = true
			ss.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(res.tag)})
			return nil
		}
		if err := ss.checkColumns(p, res, simple); err != nil {
			res.release()
			return err
		}
		p.res = res
	}
	n, more, err := ss.sendRows(p.res, p.formats, limit)
	if err != nil {
		return err
	}
	if more {
		ss.flushRows()
		ss.be.Send(&pgproto3.PortalSuspended{})
		return nil
	}
	ss.flushRows()
	ss.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(countTag(p.res.tag, n))})
	p.release()
	p.done = true
	return nil
}

// checkColumns matches a result to its description: a simple query sends
// the description now; in the extended protocol the client has it already.
func (ss *session) checkColumns(p *portal, res *resultSet, simple bool) error {
	if simple {
		p.st.columns = res.columns
		if len(p.formats) != len(res.columns) {
			p.formats = make([]int16, len(res.columns))
		}
		ss.be.Send(rowDescription(res.columns, p.formats))
		return nil
	}
	same := len(res.columns) == len(p.st.columns)
	for i := 0; same && i < len(res.columns); i++ {
		same = res.columns[i].oid == p.st.columns[i].oid
	}
	if !same {
		return newError(codeFeatureNotSupported, "cached plan must not change result type")
	}
	return nil
}

// countTag puts n in a SELECT tag ("SELECT n"); other tags stay as they are.
func countTag(tag string, n int) string {
	if tag == "SELECT" || strings.HasPrefix(tag, "SELECT ") {
		return "SELECT " + strconv.Itoa(n)
	}
	return tag
}

// runPortal runs a portal's statement to its result.
func (ss *session) runPortal(p *portal) (*resultSet, error) {
	switch p.st.kind {
	case kindEngine:
		if ss.txn != 'I' && isWrite(p.bound) {
			ss.wroteInBlock = true
		}
		return ss.runEngine(p.bound, p.st.columns)
	case kindSystem:
		return ss.runSystem(p)
	case kindSet:
		return ss.execSet(p.st.stmt.(*sql.SetVar))
	case kindShow:
		return ss.execShow(p.st.stmt.(*sql.ShowVar))
	case kindTxn:
		return ss.execTransaction(p.st.stmt.(*sql.Transaction))
	case kindCopy:
		return ss.copyIn(p.st.stmt.(*sql.CopyFrom))
	case kindSessionCmd:
		return ss.execSessionCmd(p.st.stmt.(*sessionCmd))
	}
	return nil, newError(codeInternal, "BUG: statement kind %d", p.st.kind)
}

// runEngine runs a statement on the Backend. described are the columns
// planning gave (nil: none): they, not the result's, are what is sent, as
// only the planner knows which columns PostgreSQL would answer as numeric.
func (ss *session) runEngine(stmt sql.Statement, described []column) (*resultSet, error) {
	ctx, done := ss.statementContext()
	res, err := ss.srv.b.Run(ctx, stmt)
	err = statementError(ctx, err)
	done()
	if err != nil {
		if res != nil {
			res.Release()
		}
		return nil, err
	}
	tag := res.Tag
	if tag == "" {
		tag = stmt.Tag()
	}
	if v := res.Stats.Version; v > 0 {
		// The version a read saw, for SHOW strata.read_version (gRPC
		// answers it with every query; the protocol has no place for it).
		ss.vars.vals[readVersionVar] = strconv.FormatUint(v, 10)
	}
	if res.Columns == nil {
		res.Release()
		return &resultSet{tag: tag}, nil
	}
	cols := described
	if len(cols) != len(res.Columns) {
		var err error
		if cols, err = sqlColumns(res.Columns); err != nil {
			res.Release()
			return nil, err
		}
	}
	return &resultSet{columns: cols, records: res.Records, tag: tag}, nil
}

func (ss *session) runSystem(p *portal) (*resultSet, error) {
	ctx, done := ss.statementContext()
	rows, err := p.st.sys.run(ctx, p.args)
	err = statementError(ctx, err)
	done()
	if err != nil {
		return nil, err
	}
	return &resultSet{columns: p.st.columns, rows: rows, tag: "SELECT"}, nil
}

// sendRows sends up to limit rows (0: all) from the cursor as DataRows,
// batched; it reports how many it sent and whether rows remain.
func (ss *session) sendRows(r *resultSet, formats []int16, limit int) (n int, more bool, err error) {
	if r.rows != nil {
		return ss.sendGoRows(r, formats, limit)
	}
	style := ss.vars.textStyle()
	for ; r.rec < len(r.records); r.rec, r.row = r.rec+1, 0 {
		rec := r.records[r.rec]
		encs, err := recordEncoders(rec, r.columns, formats, style)
		if err != nil {
			return n, false, err
		}
		rows := int(rec.NumRows())
		for ; r.row < rows; r.row++ {
			if limit > 0 && n == limit {
				return n, true, nil
			}
			var start int
			ss.rows, start = appendDataRowHeader(ss.rows, len(encs))
			for _, enc := range encs {
				ss.rows = enc(ss.rows, r.row)
			}
			ss.rows = finishMessage(ss.rows, start)
			n++
			if len(ss.rows) >= flushRowBytes {
				ss.flush()
				if ss.ioErr != nil {
					return n, false, ss.ioErr
				}
			}
		}
	}
	return n, false, nil
}

func recordEncoders(rec arrow.RecordBatch, cols []column, formats []int16, style textStyle) ([]cellEncoder, error) {
	if int(rec.NumCols()) != len(cols) {
		return nil, newError(codeInternal, "BUG: result record has %d columns, described %d", rec.NumCols(), len(cols))
	}
	encs := make([]cellEncoder, len(cols))
	for i, c := range cols {
		enc, err := newCellEncoder(rec.Column(i), c, formats[i], style)
		if err != nil {
			return nil, err
		}
		encs[i] = enc
	}
	return encs, nil
}

func (ss *session) sendGoRows(r *resultSet, formats []int16, limit int) (n int, more bool, err error) {
	style := ss.vars.textStyle()
	for ; r.rec < len(r.rows); r.rec++ {
		if limit > 0 && n == limit {
			return n, true, nil
		}
		row := r.rows[r.rec]
		if len(row) != len(r.columns) {
			return n, false, newError(codeInternal, "BUG: row has %d values, described %d columns", len(row), len(r.columns))
		}
		var start int
		ss.rows, start = appendDataRowHeader(ss.rows, len(row))
		for i, v := range row {
			if ss.rows, err = appendGoCell(ss.rows, r.columns[i].oid, formats[i], v, style); err != nil {
				return n, false, err
			}
		}
		ss.rows = finishMessage(ss.rows, start)
		n++
	}
	return n, false, nil
}

// Session statements.

func (ss *session) execSet(s *sql.SetVar) (*resultSet, error) {
	if s.Reset {
		changed, err := ss.vars.resetVar(s.Name)
		if err != nil {
			return nil, err
		}
		ss.sendParameterStatus(changed...)
		return &resultSet{tag: "RESET"}, nil
	}
	key, err := ss.vars.set(s.Name, s.Value, s.Local, ss.txn != 'I')
	if err != nil {
		return nil, err
	}
	if s.Local && ss.txn == 'I' {
		ss.notice(codeNoActiveTransaction, "SET LOCAL can only be used in transaction blocks")
	}
	if key != "" {
		ss.sendParameterStatus(key)
	}
	return &resultSet{tag: "SET"}, nil
}

// showColumns describes SHOW name's answer.
func (ss *session) showColumns(name string) ([]column, error) {
	if strings.EqualFold(name, "all") {
		return []column{{name: "name", oid: oidText}, {name: "setting", oid: oidText}, {name: "description", oid: oidText}}, nil
	}
	if _, ok := ss.vars.get(name); !ok {
		return nil, unknownVar(name)
	}
	return []column{{name: displayName(name), oid: oidText}}, nil
}

func (ss *session) execShow(s *sql.ShowVar) (*resultSet, error) {
	cols, err := ss.showColumns(s.Name)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(s.Name, "all") {
		return &resultSet{columns: cols, rows: ss.vars.all(), tag: "SHOW"}, nil
	}
	v, _ := ss.vars.get(s.Name)
	return &resultSet{columns: cols, rows: [][]any{{v}}, tag: "SHOW"}, nil
}

// execTransaction accepts BEGIN/COMMIT/ROLLBACK. Every statement commits
// on its own, so they only move the transaction status byte (and undo SET
// LOCAL), with PostgreSQL's warnings.
func (ss *session) execTransaction(t *sql.Transaction) (*resultSet, error) {
	verb := strings.ToUpper(t.Verb)
	switch {
	case strings.HasPrefix(verb, "BEGIN"), strings.HasPrefix(verb, "START"):
		if ss.txn != 'I' {
			ss.notice(codeActiveTransaction, "there is already a transaction in progress")
		} else {
			ss.txn = 'T'
		}
		return &resultSet{tag: t.Tag()}, nil
	case strings.HasPrefix(verb, "COMMIT"), strings.HasPrefix(verb, "END"),
		strings.HasPrefix(verb, "ROLLBACK"), strings.HasPrefix(verb, "ABORT"):
		tag := "COMMIT"
		if strings.HasPrefix(verb, "ROLLBACK") || strings.HasPrefix(verb, "ABORT") || ss.txn == 'E' {
			tag = "ROLLBACK"
		}
		if ss.txn == 'I' {
			ss.notice(codeNoActiveTransaction, "there is no transaction in progress")
		}
		if tag == "ROLLBACK" && ss.wroteInBlock {
			// Every statement commits on its own: say so rather than let a
			// driver believe its writes were undone.
			ss.notice(codeWritesNotRolledBack, "ROLLBACK did not undo the writes of this block: Strata commits every statement on its own")
		}
		ss.txn = 'I'
		ss.wroteInBlock = false
		ss.sendParameterStatus(ss.vars.endBlock()...)
		return &resultSet{tag: tag}, nil
	}
	return nil, newError(codeFeatureNotSupported, "%s is not supported", t.Verb)
}

// codeWritesNotRolledBack is the SQLSTATE of the warning a ROLLBACK gets
// after writes in its block (PostgreSQL's "warning" class).
const codeWritesNotRolledBack = "01000"

// isWrite reports statements that change data or tables.
func isWrite(stmt sql.Statement) bool {
	switch stmt.(type) {
	case *sql.Insert, *sql.CreateTable, *sql.DropTable, *sql.RollbackTable, *sql.CopyFrom,
		*sql.CreatePipeline, *sql.StartPipeline, *sql.StopPipeline, *sql.DropPipeline:
		return true
	}
	return false
}
