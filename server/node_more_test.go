package server

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/query/plan"
)

func TestBackPressure(t *testing.T) {
	// While the ingest budget is full, batches are refused, retryable, with
	// a hint, and nothing refused is applied; once it frees up, the same
	// batches go through. The test holds the budget itself, so the outcome
	// does not depend on how fast the log applies.
	payload := kvPayload(t, 0, 2000)
	limit := int64(len(payload)) + 1
	node, c := startNode(t, Config{IngestBudgetBytes: limit, IngestWait: time.Millisecond})
	_, err := c.CreateTable(context.Background(), &stratapb.CreateTableRequest{Table: kvTable})
	require.NoError(t, err)
	var reqs []*stratapb.IngestRequest
	for i := 1; i <= 10; i++ {
		reqs = append(reqs, &stratapb.IngestRequest{Table: "kv", ProducerId: "p", Sequence: uint64(i), ArrowIpc: payload})
	}
	held, err := node.budget.acquire(limit, time.Second)
	require.NoError(t, err)
	acks := sendBatches(t, c, reqs...)
	require.Len(t, acks, 10)
	for seq, ack := range acks {
		require.NotNil(t, ack.Error, "batch %d admitted while the budget is full", seq)
		require.Equal(t, codes.ResourceExhausted, codes.Code(ack.Error.Code), ack.Error.Message)
		require.Positive(t, ack.Error.RetryAfterMs, ack.Error.Message)
		require.Contains(t, ack.Error.Message, "ingest budget")
	}
	n, _ := sumV(t, c)
	require.Zero(t, n, "refused batches are not applied")

	node.budget.release(held)
	for _, r := range reqs { // one at a time: the budget holds only one
		ack := sendBatches(t, c, r)[r.Sequence]
		require.Nil(t, ack.Error, "batch %d", r.Sequence)
		require.False(t, ack.Duplicate, "a refused batch spends no sequence")
	}
	n, _ = sumV(t, c)
	require.EqualValues(t, 10*2000, n)
	require.Zero(t, node.budget.inUse(), "every reservation is given back")
}

func TestDataCap(t *testing.T) {
	_, c := startNode(t, Config{MaxDataBytes: 1})
	_, err := c.CreateTable(context.Background(), &stratapb.CreateTableRequest{Table: kvTable})
	require.NoError(t, err)
	acks := sendBatches(t, c, &stratapb.IngestRequest{Table: "kv", ProducerId: "p", Sequence: 1, ArrowIpc: kvPayload(t, 0, 100)})
	require.Nil(t, acks[1].Error, "below the cap")
	require.Eventually(t, func() bool {
		a := sendBatches(t, c, &stratapb.IngestRequest{Table: "kv", ProducerId: "p", Sequence: 2, ArrowIpc: kvPayload(t, 0, 1)})
		return a[2].Error != nil && codes.Code(a[2].Error.Code) == codes.ResourceExhausted
	}, 5e9, 5e7, "above the cap writes are refused")
}

func TestQueryErrors(t *testing.T) {
	_, c := startNode(t, Config{})
	ctx := context.Background()
	_, err := c.CreateTable(ctx, &stratapb.CreateTableRequest{Table: kvTable})
	require.NoError(t, err)
	run := func(p plan.Node, version uint64) error {
		pp, err := PlanToProto(p)
		require.NoError(t, err)
		stream, err := c.Query(ctx, &stratapb.QueryRequest{Query: &stratapb.QueryRequest_Plan{Plan: pp}, Version: version})
		require.NoError(t, err)
		for {
			if _, err := stream.Recv(); err != nil {
				if err == io.EOF {
					return nil
				}
				return err
			}
		}
	}
	require.Equal(t, codes.NotFound, status.Code(run(&plan.Scan{Table: "nope"}, 0)))
	require.Equal(t, codes.OutOfRange, status.Code(run(&plan.Scan{Table: "kv"}, 1<<40)))
	err = run(&plan.Project{Input: &plan.Scan{Table: "kv"}, Exprs: []plan.Named{{Name: "x", Expr: plan.Col{Name: "zz"}}}}, 0)
	require.Equal(t, codes.InvalidArgument, status.Code(err))
	require.Contains(t, err.Error(), `"zz"`)
	require.NoError(t, run(&plan.Scan{Table: "kv"}, 0), "an empty table answers its schema")
	_, err = c.Query(ctx, &stratapb.QueryRequest{})
	require.NoError(t, err)
}

func TestHTTPEndpoints(t *testing.T) {
	n, _ := startNode(t, Config{})
	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + n.HTTPAddr() + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, _ := get("/healthz")
	require.Equal(t, 200, code)
	code, _ = get("/readyz")
	require.Equal(t, 200, code)
	code, body := get("/metrics")
	require.Equal(t, 200, code)
	for _, m := range []string{"strata_ingest_rows_total", "strata_query_duration_seconds", "strata_data_bytes", "strata_raft_applied_index", "go_goroutines"} {
		require.Contains(t, body, m)
	}
	code, body = get("/status")
	require.Equal(t, 200, code)
	require.True(t, strings.Contains(body, `"raft_state":"leader"`), body)
}

func TestRestartKeepsData(t *testing.T) {
	dir := t.TempDir()
	n, c := startNode(t, Config{DataDir: dir})
	_, err := c.CreateTable(context.Background(), &stratapb.CreateTableRequest{Table: kvTable})
	require.NoError(t, err)
	sendBatches(t, c, &stratapb.IngestRequest{Table: "kv", ProducerId: "p", Sequence: 1, ArrowIpc: kvPayload(t, 0, 50)})
	require.NoError(t, n.Close(context.Background()))

	_, c2 := startNode(t, Config{DataDir: dir})
	cnt, sum := sumV(t, c2)
	require.EqualValues(t, 50, cnt)
	require.EqualValues(t, 49*50/2, sum)
	a := sendBatches(t, c2, &stratapb.IngestRequest{Table: "kv", ProducerId: "p", Sequence: 1, ArrowIpc: kvPayload(t, 0, 50)})
	require.True(t, a[1].Duplicate, "the dedup table survives a restart")
}

func TestPanicsBecomeInternal(t *testing.T) {
	n, _ := startNode(t, Config{})
	_, err := n.recoverUnary(context.Background(), nil, &grpc.UnaryServerInfo{FullMethod: "/x"}, func(context.Context, any) (any, error) {
		panic("boom")
	})
	require.Equal(t, codes.Internal, status.Code(err))
}

// TestRestartFromSnapshot: state written before a snapshot and after it,
// and the dedup table, survive a restart that restores the snapshot and
// replays the log after it.
func TestRestartFromSnapshot(t *testing.T) {
	dir := t.TempDir()
	n, c := startNode(t, Config{DataDir: dir})
	_, err := c.CreateTable(context.Background(), &stratapb.CreateTableRequest{Table: kvTable})
	require.NoError(t, err)
	sendBatches(t, c, &stratapb.IngestRequest{Table: "kv", ProducerId: "p", Sequence: 1, ArrowIpc: kvPayload(t, 0, 70_000)})
	require.NoError(t, n.raft.Snapshot())
	sendBatches(t, c, &stratapb.IngestRequest{Table: "kv", ProducerId: "p", Sequence: 2, ArrowIpc: kvPayload(t, 70_000, 70_010)})
	require.NoError(t, n.Close(context.Background()))

	n2, c2 := startNode(t, Config{DataDir: dir})
	cnt, sum := sumV(t, c2)
	require.EqualValues(t, 70_010, cnt)
	require.EqualValues(t, int64(70_009)*70_010/2, sum)
	a := sendBatches(t, c2, &stratapb.IngestRequest{Table: "kv", ProducerId: "p", Sequence: 1, ArrowIpc: kvPayload(t, 0, 1)})
	require.True(t, a[1].Duplicate, "a sequence from before the snapshot is still known")
	info, err := c2.DescribeTable(context.Background(), &stratapb.DescribeTableRequest{Name: "kv"})
	require.NoError(t, err)
	require.Positive(t, info.SealedChunks, "sealed chunks came back from the snapshot")
	require.Equal(t, n2.raft.Status().AppliedIndex, n2.fsm.Store().Applied())
}

// Status names the PostgreSQL listener and the process's memory, which
// tools given only the gRPC address (strata bench --strata-addr) use.
func TestStatusReportsPGAddrAndMemory(t *testing.T) {
	n, c := startNode(t, Config{})
	st, err := c.Status(context.Background(), &stratapb.StatusRequest{})
	require.NoError(t, err)
	require.Equal(t, n.PGAddr(), st.GetPgAddr())
	require.NotEmpty(t, st.GetPgAddr())
	require.Greater(t, st.GetRssBytes(), int64(1<<20), "a running node holds more than 1 MiB")
}
