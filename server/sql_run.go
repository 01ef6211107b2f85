package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/stratadb/strata/ingest"
	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/query"
	"github.com/stratadb/strata/query/sql"
	"github.com/stratadb/strata/raftlog"
	"github.com/stratadb/strata/storage"
)

// Run executes a bound SQL statement: reads through the engine, writes
// (DDL, INSERT, ROLLBACK TABLE) through the write path. Session
// statements are the wire protocol's business; over gRPC, which keeps no
// session, they are accepted and change nothing.
func (n *Node) Run(ctx context.Context, stmt sql.Statement) (*sql.Result, error) {
	res, err := n.run(ctx, stmt)
	if err != nil {
		return nil, writePathSQLError(err)
	}
	return res, nil
}

func (n *Node) run(ctx context.Context, stmt sql.Statement) (*sql.Result, error) {
	switch s := stmt.(type) {
	case *sql.Select:
		return n.runSelect(ctx, s)
	case *sql.CreateTable:
		if _, err := n.proposeCommand(ctx, ingest.CreateTableCommand(ingest.TableDefToProto(s.Def), s.IfNotExists)); err != nil {
			return nil, err
		}
		return &sql.Result{Tag: "CREATE TABLE"}, nil
	case *sql.DropTable:
		if _, err := n.proposeCommand(ctx, ingest.DropTableCommand(s.Name, s.IfExists)); err != nil {
			return nil, err
		}
		return &sql.Result{Tag: "DROP TABLE"}, nil
	case *sql.RollbackTable:
		r, err := n.proposeCommand(ctx, ingest.RollbackCommand(s.Table, s.Version))
		if err != nil {
			return nil, err
		}
		return &sql.Result{Tag: fmt.Sprintf("ROLLBACK TABLE %d", r.Version)}, nil
	case *sql.Insert:
		def, err := n.Catalog().TableDef(s.Table, 0)
		if err != nil {
			return nil, err
		}
		rec, err := insertRecord(def, s)
		if err != nil {
			return nil, err
		}
		defer rec.Release()
		rows, err := n.Insert(ctx, s.Table, []arrow.RecordBatch{rec})
		if err != nil {
			return nil, err
		}
		return &sql.Result{Tag: fmt.Sprintf("INSERT 0 %d", rows)}, nil
	case *sql.ShowTables:
		return n.showTables(ctx)
	case *sql.ShowVersions:
		return n.showVersions(ctx, s.Table)
	case *sql.Describe:
		return n.describe(ctx, s.Table)
	case *sql.CreatePipeline, *sql.StartPipeline, *sql.StopPipeline, *sql.DropPipeline, *sql.ShowPipelines:
		return n.runPipeline(ctx, s)
	case *sql.SetVar:
		return &sql.Result{Tag: "SET"}, nil
	case *sql.Transaction:
		return &sql.Result{Tag: s.Verb}, nil
	case *sql.Empty:
		return &sql.Result{}, nil
	}
	return nil, &sql.Error{Code: "0A000", Message: fmt.Sprintf("%s is not supported here", describeStatement(stmt))}
}

func describeStatement(stmt sql.Statement) string {
	switch stmt.(type) {
	case *sql.CopyFrom:
		return "COPY FROM STDIN needs the PostgreSQL protocol (psql's \\copy); over gRPC use strata load;"
	case *sql.ShowVar:
		return "SHOW of a session setting"
	}
	if t := stmt.Tag(); t != "" {
		return t
	}
	return fmt.Sprintf("%T", stmt)
}

func (n *Node) runSelect(ctx context.Context, s *sql.Select) (*sql.Result, error) {
	if err := n.Fence(ctx); err != nil {
		return nil, err
	}
	if s.Explain != sql.ExplainNone {
		return n.explain(ctx, s)
	}
	res, err := query.Execute(ctx, n.fsm.Store(), s.Plan, query.Options{MemoryLimit: n.cfg.QueryMemoryLimit})
	if err != nil {
		return nil, err
	}
	out := &sql.Result{Tag: selectTag(int(res.NumRows())), Columns: columnsOf(res.Schema), Records: res.Records, Stats: res.Stats}
	return out, nil
}

// columnsOf describes an engine result's columns (Numeric is the
// planner's knowledge; callers holding the prepared statement use its).
func columnsOf(s *arrow.Schema) []sql.Column {
	cols := make([]sql.Column, s.NumFields())
	for i, f := range s.Fields() {
		t, _ := storage.TypeOfArrow(f.Type)
		cols[i] = sql.Column{Name: f.Name, Type: t}
	}
	return cols
}

// proposeCommand sends a DDL or rollback command through the log and
// returns its outcome; the command's own failure is the error.
func (n *Node) proposeCommand(ctx context.Context, cmd *stratapb.Command) (*ingest.Result, error) {
	r, err := n.propose(ctx, cmd)
	if err != nil {
		return nil, err
	}
	if r.Err != nil {
		return nil, r.Err
	}
	return r, nil
}

// Insert writes records into a table through the write path, without a
// producer id (SQL INSERT, COPY). Records that fit one message are one
// write, applied atomically; beyond MaxMessageBytes they are split into
// several writes, each atomic. Once the first write is proposed the rest
// follow even if the statement is canceled or times out, and each waits
// for room in the ingest budget rather than being refused, so only a lost
// leader or a shutdown can leave part of the rows written, which the error
// then says. It returns the rows written.
func (n *Node) Insert(ctx context.Context, table string, recs []arrow.RecordBatch) (int64, error) {
	written, err := n.insert(ctx, table, recs)
	if err == nil {
		return written, nil
	}
	err = writePathSQLError(err)
	if written > 0 {
		var total int64
		for _, r := range recs {
			total += r.NumRows()
		}
		err = &sql.Error{Code: sql.SQLState(err), Err: err, Message: fmt.Sprintf(
			"%v; %d of %d rows were written before the failure (a write larger than the batch limit is split into atomic parts)",
			err, written, total)}
	}
	return written, err
}

// insertBudgetWait is how long a synchronous write waits for room in the
// ingest budget: its rows are in memory already, so waiting costs nothing
// more, and refusing half way would leave part of them written.
const insertBudgetWait = 30 * time.Second

func (n *Node) insert(ctx context.Context, table string, recs []arrow.RecordBatch) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := n.checkDataCap(); err != nil {
		return 0, err
	}
	ctx = context.WithoutCancel(ctx)
	var written int64
	for _, group := range n.splitForWrites(recs) {
		payload, err := encodeRecords(group)
		if err != nil {
			return written, err
		}
		reserved, err := n.budget.acquire(int64(len(payload)), max(n.cfg.IngestWait, insertBudgetWait))
		if err != nil {
			return written, err
		}
		r, err := n.propose(ctx, ingest.WriteCommand(table, "", 0, payload))
		n.budget.release(reserved)
		if err == nil {
			err = r.Err
		}
		if err != nil {
			return written, err
		}
		n.metrics.ingestRows.Add(float64(r.Rows))
		n.metrics.ingestBytes.Add(float64(len(payload)))
		written += r.Rows
	}
	return written, nil
}

// splitForWrites groups records so each group's payload stays under the
// message limit (estimated from their buffers).
func (n *Node) splitForWrites(recs []arrow.RecordBatch) [][]arrow.RecordBatch {
	limit := int64(n.cfg.MaxMessageBytes) / 2
	var out [][]arrow.RecordBatch
	var cur []arrow.RecordBatch
	var size int64
	for _, rec := range recs {
		b := storage.RecordBytes(rec)
		if len(cur) > 0 && size+b > limit {
			out = append(out, cur)
			cur, size = nil, 0
		}
		cur = append(cur, rec)
		size += b
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// encodeRecords writes records as one Arrow IPC stream.
func encodeRecords(recs []arrow.RecordBatch) ([]byte, error) {
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(recs[0].Schema()))
	for _, rec := range recs {
		if err := w.Write(rec); err != nil {
			return nil, fmt.Errorf("encode rows: %w", err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("encode rows: %w", err)
	}
	return buf.Bytes(), nil
}

// writePathSQLError gives the write path's refusals a SQLSTATE; others
// pass through (sql.SQLState maps the engine's and storage's errors).
func writePathSQLError(err error) error {
	var se *sql.Error
	if errors.As(err, &se) {
		return err
	}
	var code string
	switch {
	case errors.Is(err, ErrOverloaded), errors.Is(err, raftlog.ErrBusy):
		code = "53000" // insufficient_resources: retry later
	case errors.Is(err, raftlog.ErrShutdown), errors.Is(err, storage.ErrClosed):
		code = "57P01" // admin_shutdown
	case errors.Is(err, raftlog.ErrNotLeader), errors.Is(err, ErrNotReady):
		code = "57P03" // cannot_connect_now
	case errors.Is(err, ingest.ErrNoPipeline):
		code = "42704" // undefined_object
	case errors.Is(err, ingest.ErrPipelineExists):
		code = "42710" // duplicate_object
	case errors.Is(err, ingest.ErrBadCommand):
		code = "22023"
	default:
		return err
	}
	return &sql.Error{Code: code, Message: err.Error(), Err: err}
}
