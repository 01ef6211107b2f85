package server

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"

	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/raftlog"
)

// TestEnqueueTimeoutIsRetryable: when raft does not accept a
// proposal within its enqueue timeout (raftlog/propose.go
// defaultEnqueueTimeout, 10s, e.g. a slow disk under heavy ingest),
// raftlog.mapErr answers "propose: raft did not accept it in time:
// context deadline exceeded" (raftlog/errors.go, the ErrEnqueueTimeout
// case): the command was NOT appended, so the producer's sequence is not
// spent. The ack must then be retryable (Unavailable or ResourceExhausted
// with a hint); DeadlineExceeded without a hint makes client.Writer drop
// the batch as permanently failed, after which every later batch of that
// producer is out of order and dropped too (see
// client/regression_test.go TestEnqueueTimeoutWedgesWriter).
//
// The error is built here exactly as raftlog builds it (mapErr is
// unexported and the timeout needs raft's apply queue blocked for 10s).
func TestEnqueueTimeoutIsRetryable(t *testing.T) {
	err := fmt.Errorf("propose: raft did not accept it in time: %w", raftlog.ErrBusy)
	req := &stratapb.IngestRequest{Table: "kv", ProducerId: "p", Sequence: 7}
	ack := ackFor(req, nil, err)
	require.NotNil(t, ack.Error)
	code := codes.Code(ack.Error.Code)
	require.Contains(t, []codes.Code{codes.Unavailable, codes.ResourceExhausted}, code,
		"a batch raft never accepted (sequence not spent) is answered %v, which the client treats as final", code)
	require.Positive(t, ack.Error.RetryAfterMs)
}

// TestCloseWithIdleIngestStream: a client.Writer keeps its Ingest
// stream open between writes. Close's GracefulStop waits for that stream,
// which would never end on its own if the handler did not watch the node
// closing; then every shutdown with a connected idle writer would take the
// whole ctx (cmd/strata uses 30s) and then cut every stream with Stop.
func TestCloseWithIdleIngestStream(t *testing.T) {
	n, c := startNode(t, Config{})
	_, err := c.CreateTable(context.Background(), &stratapb.CreateTableRequest{Table: kvTable})
	require.NoError(t, err)
	stream, err := c.Ingest(context.Background())
	require.NoError(t, err)
	require.NoError(t, stream.Send(&stratapb.IngestRequest{Table: "kv", ProducerId: "p", Sequence: 1, ArrowIpc: kvPayload(t, 0, 10)}))
	ack, err := stream.Recv()
	require.NoError(t, err)
	require.Nil(t, ack.Error)
	// The writer is now idle, its stream open.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	require.NoError(t, n.Close(ctx))
	took := time.Since(start)
	require.Less(t, took, time.Second, "Close of an idle node took %v: it waited for an idle Ingest stream until ctx ended", took)
}

// TestReadyAfterRestartWithoutWrites: ready() waits for
// AppliedIndex >= the last log index found at start. AppliedIndex only
// moves on entries the FSM sees (commands, configuration), but each
// election appends a no-op. A node restarted twice with no write in
// between finds a no-op last in its log, so its FSM watermark never
// reaches replayTo: reads (Query, ListTables, DescribeTable, Versions)
// answer Unavailable "replaying the log" and /readyz stays 503 until some
// client writes.
func TestReadyAfterRestartWithoutWrites(t *testing.T) {
	dir := t.TempDir()
	n, c := startNode(t, Config{DataDir: dir})
	_, err := c.CreateTable(context.Background(), &stratapb.CreateTableRequest{Table: kvTable})
	require.NoError(t, err)
	require.NoError(t, n.Close(context.Background()))

	// Restart 1: replays the table, elects itself (a no-op entry), no write.
	n1, _ := startNode(t, Config{DataDir: dir})
	require.NoError(t, n1.Close(context.Background()))

	// Restart 2: the last entry in the log is that no-op.
	cfg := Config{DataDir: dir, GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", RaftAddr: "127.0.0.1:0", NoSync: true}
	cfg.Logger = startNodeLogger()
	n2, err := Open(cfg)
	require.NoError(t, err)
	defer n2.Close(context.Background())
	deadline := time.Now().Add(10 * time.Second)
	for n2.ready() != nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	require.NoError(t, n2.ready(), "a restarted node with nothing new to replay never becomes ready")
}
