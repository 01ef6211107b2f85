package server

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/query/sql"
)

// runSQLText parses and runs one statement on n, as a session would.
func runSQLText(t *testing.T, n *Node, text string) (*sql.Result, error) {
	t.Helper()
	stmts, err := sql.Parse(text)
	if err != nil {
		return nil, err
	}
	require.Len(t, stmts, 1)
	prep, err := sql.Prepare(stmts[0], n.Catalog(), nil)
	if err != nil {
		return nil, err
	}
	bound, err := prep.Bind(nil)
	if err != nil {
		return nil, err
	}
	return n.Run(context.Background(), bound)
}

// resultRows renders a result's rows as text, NULL as "NULL".
func resultRows(t *testing.T, res *sql.Result) [][]string {
	t.Helper()
	var out [][]string
	for _, rec := range res.Records {
		for r := 0; r < int(rec.NumRows()); r++ {
			var row []string
			for c := 0; c < int(rec.NumCols()); c++ {
				col := rec.Column(c)
				if col.IsNull(r) {
					row = append(row, "NULL")
				} else {
					row = append(row, col.ValueStr(r))
				}
			}
			out = append(out, row)
		}
	}
	return out
}

const pipelineTableSQL = `CREATE TABLE events (id bigint NOT NULL, body text)`

func TestPipelineLifecycle(t *testing.T) {
	n, c := startNode(t, Config{})
	ctx := context.Background()
	_, _, err := sqlOverGRPC(t, c, pipelineTableSQL)
	require.NoError(t, err)

	// CREATE PIPELINE in SQL over gRPC.
	st, _, err := sqlOverGRPC(t, c, `CREATE PIPELINE clicks FROM KAFKA 'k1:9092, k2:9092' TOPIC 'clicks' INTO TABLE events FORMAT JSON ON ERROR STOP BATCH RECORDS 500 BATCH WAIT '250ms'`)
	require.NoError(t, err)
	require.Equal(t, "CREATE PIPELINE", st.CommandTag)
	p, ok := n.fsm.Pipeline("clicks")
	require.True(t, ok)
	require.Equal(t, "k1:9092,k2:9092", p.GetDef().GetBrokers())
	require.Equal(t, "json", p.GetDef().GetFormat())
	require.True(t, p.GetDef().GetStopOnError())
	require.EqualValues(t, 500, p.GetDef().GetBatchRecords())
	require.EqualValues(t, 250, p.GetDef().GetBatchWaitMs())
	require.NotEqual(t, "running", p.GetState())

	// And through the RPC.
	resp, err := c.CreatePipeline(ctx, &stratapb.CreatePipelineRequest{Pipeline: &stratapb.PipelineDef{
		Name: "audit", Brokers: "k1:9092", Topic: "audit", Table: "events", Format: "CSV"}})
	require.NoError(t, err)
	require.NotZero(t, resp.GetVersion())
	require.Equal(t, "audit", resp.GetPipeline().GetDef().GetName())
	require.Equal(t, "csv", resp.GetPipeline().GetDef().GetFormat())
	require.False(t, resp.GetPipeline().GetDef().GetStopOnError())

	list, err := c.ListPipelines(ctx, &stratapb.ListPipelinesRequest{})
	require.NoError(t, err)
	require.Len(t, list.GetPipelines(), 2)

	// SHOW PIPELINES: no partitions yet, so one row each with NULLs.
	res, err := runSQLText(t, n, `SHOW PIPELINES`)
	require.NoError(t, err)
	require.Equal(t, "SELECT 2", res.Tag)
	require.Equal(t, sql.ShowPipelinesColumns, res.Columns)
	rows := resultRows(t, res)
	stopped := p.GetState()
	require.Equal(t, [][]string{
		{"audit", stopped, "audit", "events", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL"},
		{"clicks", stopped, "clicks", "events", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL"},
	}, rows)
	st, msgs, err := sqlOverGRPC(t, c, `show pipelines`)
	require.NoError(t, err)
	require.Equal(t, "SELECT 2", st.CommandTag)
	require.Positive(t, msgs)

	// START and STOP, in SQL and through the RPCs.
	st, _, err = sqlOverGRPC(t, c, `START PIPELINE clicks`)
	require.NoError(t, err)
	require.Equal(t, "START PIPELINE", st.CommandTag)
	p, _ = n.fsm.Pipeline("clicks")
	require.Equal(t, "running", p.GetState())
	resp, err = c.StopPipeline(ctx, &stratapb.PipelineNameRequest{Name: "clicks"})
	require.NoError(t, err)
	require.Equal(t, stopped, resp.GetPipeline().GetState())
	resp, err = c.StartPipeline(ctx, &stratapb.PipelineNameRequest{Name: "audit"})
	require.NoError(t, err)
	require.Equal(t, "running", resp.GetPipeline().GetState())
	st, _, err = sqlOverGRPC(t, c, `STOP PIPELINE audit`)
	require.NoError(t, err)
	require.Equal(t, "STOP PIPELINE", st.CommandTag)
	p, _ = n.fsm.Pipeline("audit")
	require.Equal(t, stopped, p.GetState())

	// DROP in SQL and through the RPC; IF EXISTS of a missing one.
	st, _, err = sqlOverGRPC(t, c, `DROP PIPELINE clicks`)
	require.NoError(t, err)
	require.Equal(t, "DROP PIPELINE", st.CommandTag)
	_, ok = n.fsm.Pipeline("clicks")
	require.False(t, ok)
	resp, err = c.DropPipeline(ctx, &stratapb.PipelineNameRequest{Name: "audit"})
	require.NoError(t, err)
	require.NotZero(t, resp.GetVersion())
	require.Nil(t, resp.GetPipeline())
	_, _, err = sqlOverGRPC(t, c, `DROP PIPELINE IF EXISTS clicks`)
	require.NoError(t, err)
	_, err = c.DropPipeline(ctx, &stratapb.PipelineNameRequest{Name: "audit", IfExists: true})
	require.NoError(t, err)

	list, err = c.ListPipelines(ctx, &stratapb.ListPipelinesRequest{})
	require.NoError(t, err)
	require.Empty(t, list.GetPipelines())
	res, err = runSQLText(t, n, `SHOW PIPELINES`)
	require.NoError(t, err)
	require.Equal(t, "SELECT 0", res.Tag)
}

func TestPipelineErrors(t *testing.T) {
	n, c := startNode(t, Config{})
	ctx := context.Background()
	_, _, err := sqlOverGRPC(t, c, pipelineTableSQL)
	require.NoError(t, err)
	def := func(f func(d *stratapb.PipelineDef)) *stratapb.PipelineDef {
		d := &stratapb.PipelineDef{Name: "p", Brokers: "k:9092", Topic: "t", Table: "events", Format: "json"}
		if f != nil {
			f(d)
		}
		return d
	}

	// Validation: InvalidArgument naming the field.
	for field, d := range map[string]*stratapb.PipelineDef{
		"pipeline.name":          def(func(d *stratapb.PipelineDef) { d.Name = "" }),
		"pipeline.brokers":       def(func(d *stratapb.PipelineDef) { d.Brokers = "" }),
		"pipeline.topic":         def(func(d *stratapb.PipelineDef) { d.Topic = " " }),
		"pipeline.table":         def(func(d *stratapb.PipelineDef) { d.Table = "" }),
		"pipeline.format":        def(func(d *stratapb.PipelineDef) { d.Format = "avro" }),
		"pipeline.batch_records": def(func(d *stratapb.PipelineDef) { d.BatchRecords = -1 }),
		"pipeline.batch_wait_ms": def(func(d *stratapb.PipelineDef) { d.BatchWaitMs = -5 }),
	} {
		_, err := c.CreatePipeline(ctx, &stratapb.CreatePipelineRequest{Pipeline: d})
		require.Equal(t, codes.InvalidArgument, status.Code(err), "%s: %v", field, err)
		require.Contains(t, status.Convert(err).Message(), field)
	}
	_, err = c.CreatePipeline(ctx, &stratapb.CreatePipelineRequest{Pipeline: def(func(d *stratapb.PipelineDef) { d.Brokers = "k:9092,nohost" })})
	require.Equal(t, codes.InvalidArgument, status.Code(err))
	require.Contains(t, status.Convert(err).Message(), "nohost")
	_, err = c.CreatePipeline(ctx, &stratapb.CreatePipelineRequest{})
	require.Equal(t, codes.InvalidArgument, status.Code(err))
	_, err = c.StartPipeline(ctx, &stratapb.PipelineNameRequest{})
	require.Equal(t, codes.InvalidArgument, status.Code(err))
	_, err = c.DropPipeline(ctx, &stratapb.PipelineNameRequest{Name: " "})
	require.Equal(t, codes.InvalidArgument, status.Code(err))

	// Bad format in SQL: 22023 at the word.
	_, err = runSQLText(t, n, `CREATE PIPELINE p FROM KAFKA 'k:9092' TOPIC 't' INTO TABLE events FORMAT avro`)
	require.Equal(t, "22023", sql.SQLState(err), "%v", err)
	_, _, err = sqlOverGRPC(t, c, `CREATE PIPELINE p FROM KAFKA 'k:9092' TOPIC 't' INTO TABLE events FORMAT avro`)
	require.Error(t, err)
	require.Contains(t, status.Convert(err).Message(), "avro")

	// Unknown table.
	_, err = c.CreatePipeline(ctx, &stratapb.CreatePipelineRequest{Pipeline: def(func(d *stratapb.PipelineDef) { d.Table = "nope" })})
	require.Equal(t, codes.NotFound, status.Code(err), "%v", err)
	_, err = runSQLText(t, n, `CREATE PIPELINE p FROM KAFKA 'k:9092' TOPIC 't' INTO TABLE nope FORMAT json`)
	require.Equal(t, "42P01", sql.SQLState(err), "%v", err)
	_, ok := n.fsm.Pipeline("p")
	require.False(t, ok)

	// Duplicate; IF NOT EXISTS accepts it.
	_, err = c.CreatePipeline(ctx, &stratapb.CreatePipelineRequest{Pipeline: def(nil)})
	require.NoError(t, err)
	_, err = c.CreatePipeline(ctx, &stratapb.CreatePipelineRequest{Pipeline: def(nil)})
	require.Equal(t, codes.AlreadyExists, status.Code(err), "%v", err)
	_, err = runSQLText(t, n, `CREATE PIPELINE p FROM KAFKA 'k:9092' TOPIC 't' INTO TABLE events FORMAT json`)
	require.Equal(t, "42710", sql.SQLState(err), "%v", err)
	_, err = runSQLText(t, n, `CREATE PIPELINE IF NOT EXISTS p FROM KAFKA 'k:9092' TOPIC 't' INTO TABLE events FORMAT json`)
	require.NoError(t, err)
	resp, err := c.CreatePipeline(ctx, &stratapb.CreatePipelineRequest{Pipeline: def(nil), IfNotExists: true})
	require.NoError(t, err)
	require.Equal(t, "p", resp.GetPipeline().GetDef().GetName())

	// Unknown pipeline.
	_, err = c.StartPipeline(ctx, &stratapb.PipelineNameRequest{Name: "ghost"})
	require.Equal(t, codes.NotFound, status.Code(err), "%v", err)
	_, err = runSQLText(t, n, `STOP PIPELINE ghost`)
	require.Equal(t, "42704", sql.SQLState(err), "%v", err)
	_, err = runSQLText(t, n, `DROP PIPELINE ghost`)
	require.Error(t, err)
	_, err = c.DropPipeline(ctx, &stratapb.PipelineNameRequest{Name: "ghost"})
	require.Error(t, err)

	// A syntax error over gRPC names the position.
	_, _, err = sqlOverGRPC(t, c, `START PIPELINE a b`)
	require.Error(t, err)
	require.Contains(t, status.Convert(err).Message(), `syntax error at or near "b"`)
}

func TestPipelineRowsOfPartitions(t *testing.T) {
	ps := []*stratapb.PipelineStatus{
		{Def: &stratapb.PipelineDef{Name: "z", Topic: "tz", Table: "a"}, State: "error", Error: "offset 5 is gone",
			Partitions: []*stratapb.PartitionStatus{
				{Partition: 1, NextOffset: 10, HighWatermark: 12, Lag: 2, Rows: 9, Errors: 1},
				{Partition: 0, NextOffset: 3, HighWatermark: 3, Lag: 0, Rows: 3},
			}},
		{Def: &stratapb.PipelineDef{Name: "b", Topic: "tb", Table: "c"}, State: "stopped"},
	}
	rows := pipelineRows(ps)
	require.Equal(t, [][]any{
		{"b", "stopped", "tb", "c", nil, nil, nil, nil, nil, nil, nil},
		{"z", "error", "tz", "a", int32(0), int64(3), int64(3), int64(0), int64(3), int64(0), "offset 5 is gone"},
		{"z", "error", "tz", "a", int32(1), int64(10), int64(12), int64(2), int64(9), int64(1), "offset 5 is gone"},
	}, rows)
	res, err := rowsResult(selectTag(len(rows)), sql.ShowPipelinesColumns, rows)
	require.NoError(t, err)
	defer res.Release()
	require.Equal(t, "SELECT 3", res.Tag)
	require.EqualValues(t, 3, res.NumRows())
	require.Equal(t, "z", ps[0].GetDef().GetName(), "the input is not reordered")
}
