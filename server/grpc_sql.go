package server

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/query"
	"github.com/stratadb/strata/query/sql"
	"github.com/stratadb/strata/server/pgcatalog"
)

// runSQL answers a Query carrying SQL text: one statement, planned,
// run, and streamed back like a plan's answer with its command tag.
func (n *Node) runSQL(text string, ro readOptions, stream stratapb.Strata_QueryServer) error {
	ctx := withReadOptions(stream.Context(), ro)
	stmts, err := sql.Parse(text)
	if err != nil {
		// psql's catalog queries say COLLATE pg_catalog.default, which the
		// SQL grammar refuses and the catalog emulation's parser accepts.
		if _, perr := pgcatalog.Parse(text); perr != nil || !strings.Contains(strings.ToLower(text), "pg_catalog") {
			return err
		}
		stmts = []sql.Statement{&sql.SystemQuery{Text: text}}
	}
	stmts = nonEmpty(stmts)
	switch len(stmts) {
	case 0:
		stmts = []sql.Statement{&sql.Empty{}}
	case 1:
	default:
		return &sql.Error{Code: "42601", Message: fmt.Sprintf("send one statement per request (got %d)", len(stmts))}
	}
	if _, read := stmts[0].(*sql.Select); read {
		// Plan against the state the read will see: a table recreated
		// through another node a moment ago has its new definition.
		if err := n.Fence(ctx); err != nil {
			return err
		}
		ctx = context.WithValue(ctx, fencedKey{}, true)
	}
	prep, err := sql.Prepare(stmts[0], n.Catalog(), nil)
	if err != nil && n.Fence(ctx) == nil {
		// The catalog may lag a write made through another node.
		prep, err = sql.Prepare(stmts[0], n.Catalog(), nil)
	}
	if err != nil {
		return err
	}
	if len(prep.Params) > 0 {
		return &sql.Error{Code: "08P01", Message: fmt.Sprintf("the statement has %d parameters; over gRPC send values inline", len(prep.Params))}
	}
	bound, err := prep.Bind(nil)
	if err != nil {
		return err
	}
	res, err := n.runOverGRPC(ctx, bound)
	if err != nil {
		return err
	}
	defer res.Release()
	cols := res.Columns
	if prep.Columns != nil {
		cols = prep.Columns
	}
	qr := &query.Result{Schema: recordsSchema(res), Records: res.Records}
	if err := sendRecords(stream, qr); err != nil {
		return err
	}
	numeric := make([]bool, len(cols))
	for i, c := range cols {
		numeric[i] = c.Numeric
	}
	st := res.Stats
	return stream.Send(&stratapb.QueryResponse{Payload: &stratapb.QueryResponse_Stats{Stats: &stratapb.QueryStats{
		Version:        st.Version,
		ChunksScanned:  int64(st.ChunksScanned),
		ChunksPruned:   int64(st.ChunksPruned),
		RowsScanned:    st.RowsScanned,
		Rows:           res.NumRows(),
		ElapsedUs:      st.Elapsed.Microseconds(),
		Workers:        int32(st.Workers),
		CommandTag:     res.Tag,
		NumericColumns: numeric,
	}}})
}

func (n *Node) runOverGRPC(ctx context.Context, stmt sql.Statement) (*sql.Result, error) {
	if q, ok := stmt.(*sql.SystemQuery); ok {
		return n.runSystemQuery(ctx, q)
	}
	return n.Run(ctx, stmt)
}

func nonEmpty(stmts []sql.Statement) []sql.Statement {
	out := stmts[:0:0]
	for _, s := range stmts {
		if _, ok := s.(*sql.Empty); !ok {
			out = append(out, s)
		}
	}
	return out
}

// sqlStatus is toStatus for a SQL statement's error: the gRPC code its
// SQLSTATE class implies, and the SQLSTATE in the message, where the shell
// and other clients find it.
func sqlStatus(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	state := sql.SQLState(err)
	code := codeOf(err)
	var se *sql.Error
	if code == codes.Internal && errors.As(err, &se) {
		code = codeOfSQLState(state)
	}
	msg := err.Error()
	if !strings.Contains(msg, "SQLSTATE") {
		msg = fmt.Sprintf("%s (SQLSTATE %s)", msg, state)
	}
	return status.New(code, msg).Err()
}

func codeOfSQLState(state string) codes.Code {
	switch {
	case state == "42P01":
		return codes.NotFound
	case state == "42P07":
		return codes.AlreadyExists
	case state == "0A000":
		return codes.Unimplemented
	case state == "57014":
		return codes.Canceled
	case state == "53000" || state == "53200":
		return codes.ResourceExhausted
	case strings.HasPrefix(state, "57P"):
		return codes.Unavailable
	case strings.HasPrefix(state, "42"), strings.HasPrefix(state, "22"), strings.HasPrefix(state, "23"),
		strings.HasPrefix(state, "08"):
		return codes.InvalidArgument
	}
	return codes.Internal
}

// recordsSchema is the result's Arrow schema: its records', or one built
// from its columns (none for a statement without rows).
func recordsSchema(res *sql.Result) *arrow.Schema {
	if len(res.Records) > 0 {
		return res.Records[0].Schema()
	}
	fields := make([]arrow.Field, len(res.Columns))
	for i, c := range res.Columns {
		fields[i] = arrow.Field{Name: c.Name, Type: c.Type.ArrowType(), Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}
