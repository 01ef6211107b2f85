package pgwire

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/query/sql"
	"github.com/stratadb/strata/storage"
)

// COPY t [(cols)] FROM STDIN is a bulk load: every row is read and
// converted into Arrow records of the table's schema first; a bad value
// fails the COPY (22P02 and friends, naming the line and column in the
// error's CONTEXT) and nothing is written. Only then do the records go to
// Backend.Insert, all at once.

// copyIn runs the COPY sub-protocol for c.
func (ss *session) copyIn(c *sql.CopyFrom) (*resultSet, error) {
	def, err := ss.srv.b.Catalog().TableDef(c.Table, 0)
	if err != nil {
		return nil, err
	}
	targets, err := copyTargets(def, c.Columns)
	if err != nil {
		return nil, err
	}
	loader := newCopyLoader(def, targets, ss.srv.opts.Allocator, ss.srv.opts.CopyBatchRows)
	defer loader.release()
	format, parser, err := newCopyFormat(c, loader)
	if err != nil {
		return nil, err
	}
	codes := make([]uint16, len(targets))
	for i := range codes {
		codes[i] = uint16(format)
	}
	ss.be.Send(&pgproto3.CopyInResponse{OverallFormat: byte(format), ColumnFormatCodes: codes})
	ss.flush()
	if ss.ioErr != nil {
		return nil, ss.ioErr
	}
	ctx, done := ss.statementContext()
	defer done()
	if err := ss.receiveCopy(ctx, parser); err != nil {
		return nil, statementError(ctx, err)
	}
	recs := loader.finish()
	if ss.txn != 'I' {
		ss.wroteInBlock = true
	}
	n, err := ss.srv.b.Insert(ctx, def.Name, recs)
	if err = statementError(ctx, err); err != nil {
		return nil, err
	}
	return &resultSet{tag: "COPY " + strconv.FormatInt(n, 10)}, nil
}

// copyTargets maps the COPY's column list (empty: every column) to the
// table's columns.
func copyTargets(def *storage.TableDef, names []string) ([]int, error) {
	if len(names) == 0 {
		targets := make([]int, len(def.Columns))
		for i := range targets {
			targets[i] = i
		}
		return targets, nil
	}
	targets := make([]int, len(names))
	seen := map[int]bool{}
	for i, name := range names {
		j := def.ColumnIndex(name)
		if j < 0 {
			return nil, newError(codeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", name, def.Name)
		}
		if seen[j] {
			return nil, newError(codeDuplicateColumn, "column \"%s\" specified more than once", name)
		}
		seen[j] = true
		targets[i] = j
	}
	return targets, nil
}

// receiveCopy reads CopyData until CopyDone or CopyFail. After the first
// error it goes on reading, without parsing, to the end of the data: the
// client is sending it anyway, and the error is answered after it.
func (ss *session) receiveCopy(ctx context.Context, parser copyFormat) error {
	var failed error
	var total int64
	for {
		msg, err := ss.be.Receive()
		if err != nil {
			if ss.srv.isClosing() {
				return errAdminShutdown
			}
			ss.ioErr = err
			return err
		}
		switch m := msg.(type) {
		case *pgproto3.CopyData:
			total += int64(len(m.Data))
			switch {
			case failed != nil:
			case total > ss.srv.opts.MaxCopyBytes:
				failed = newError(codeProgramLimit, "COPY data exceeds the limit of %d bytes", ss.srv.opts.MaxCopyBytes)
			case ctx.Err() != nil:
				failed = ctx.Err()
			default:
				failed = parser.feed(m.Data)
			}
		case *pgproto3.CopyDone:
			if failed == nil {
				failed = parser.end()
			}
			return failed
		case *pgproto3.CopyFail:
			return newError(codeQueryCanceled, "COPY from stdin failed: %s", m.Message)
		case *pgproto3.Flush, *pgproto3.Sync:
		default:
			return newError(codeProtocolViolation, "unexpected message type %T during COPY from stdin", msg)
		}
	}
}

// copyLoader builds the table's records from COPY rows.
type copyLoader struct {
	def       *storage.TableDef
	targets   []int // field i goes to table column targets[i]
	given     []bool
	b         *array.RecordBuilder
	recs      []arrow.RecordBatch
	batchRows int
	inBatch   int
}

func newCopyLoader(def *storage.TableDef, targets []int, mem memory.Allocator, batchRows int) *copyLoader {
	l := &copyLoader{
		def:       def,
		targets:   targets,
		given:     make([]bool, len(def.Columns)),
		b:         array.NewRecordBuilder(mem, def.ArrowSchema()),
		batchRows: batchRows,
	}
	for _, t := range targets {
		l.given[t] = true
	}
	return l
}

// field returns the table column of field i.
func (l *copyLoader) field(i int) storage.Column { return l.def.Columns[l.targets[i]] }

// add appends one row, one value per target column (Null for NULL).
func (l *copyLoader) add(vals []plan.Value, where func() string) error {
	for i, v := range vals {
		c := l.field(i)
		if v.Null && !c.Nullable {
			return l.notNull(c.Name, where())
		}
	}
	for j, c := range l.def.Columns {
		if !l.given[j] && !c.Nullable {
			return l.notNull(c.Name, where())
		}
	}
	for i, v := range vals {
		appendToBuilder(l.b.Field(l.targets[i]), v)
	}
	for j := range l.def.Columns {
		if !l.given[j] {
			l.b.Field(j).AppendNull()
		}
	}
	if l.inBatch++; l.inBatch == l.batchRows {
		l.recs = append(l.recs, l.b.NewRecordBatch())
		l.inBatch = 0
	}
	return nil
}

func (l *copyLoader) notNull(col, where string) error {
	e := newError(codeNotNull, "null value in column \"%s\" of relation \"%s\" violates not-null constraint", col, l.def.Name)
	e.Where = where
	return e
}

// finish returns the records; the loader keeps owning them (release).
func (l *copyLoader) finish() []arrow.RecordBatch {
	if l.inBatch > 0 {
		l.recs = append(l.recs, l.b.NewRecordBatch())
		l.inBatch = 0
	}
	return l.recs
}

func (l *copyLoader) release() {
	l.b.Release()
	for _, r := range l.recs {
		r.Release()
	}
	l.recs = nil
}

// appendToBuilder appends a value already of the builder's column type.
func appendToBuilder(b array.Builder, v plan.Value) {
	if v.Null {
		b.AppendNull()
		return
	}
	switch b := b.(type) {
	case *array.Int64Builder:
		b.Append(v.Int)
	case *array.Int32Builder:
		b.Append(int32(v.Int))
	case *array.Float64Builder:
		b.Append(v.Float)
	case *array.BooleanBuilder:
		b.Append(v.Int != 0)
	case *array.StringBuilder:
		b.Append(v.Str)
	case *array.BinaryBuilder:
		b.Append([]byte(v.Str))
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(v.Int))
	case *array.Date32Builder:
		b.Append(arrow.Date32(v.Int))
	default:
		panic(fmt.Sprintf("BUG: no way to append %v to %T", v, b))
	}
}

// copyWhere is PostgreSQL's CONTEXT line of a COPY error.
func copyWhere(table string, line int, col, value string, quote bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "COPY %s, line %d", table, line)
	if col != "" {
		fmt.Fprintf(&b, ", column %s", col)
	}
	if quote {
		fmt.Fprintf(&b, ": \"%s\"", truncateForContext(value))
	}
	return b.String()
}

// truncateForContext keeps error context short, as PostgreSQL does.
func truncateForContext(s string) string {
	const max = 100
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
