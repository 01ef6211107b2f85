package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/query/plan"
)

// In-process three-node clusters: the server's cluster paths (join,
// registry, forwarding, proxied ingest, read fences) under -race. The
// multi-process tests with kills are in cmd/strata.

// clusterTiming keeps a loaded test machine from holding spurious
// elections.
func clusterTiming(cfg Config) Config {
	cfg.HeartbeatTimeout, cfg.ElectionTimeout, cfg.LeaderLeaseTimeout = 2*time.Second, 2*time.Second, time.Second
	return cfg
}

type testCluster struct {
	nodes   []*Node
	clients []stratapb.StrataClient
}

func startCluster(t *testing.T, size int) *testCluster {
	t.Helper()
	c := &testCluster{}
	first, fc := startNode(t, clusterTiming(Config{NodeID: "n1"}))
	c.nodes, c.clients = append(c.nodes, first), append(c.clients, fc)
	for i := 2; i <= size; i++ {
		n, nc := startNode(t, clusterTiming(Config{NodeID: "n" + string(rune('0'+i)), Join: first.GRPCAddr()}))
		c.nodes, c.clients = append(c.nodes, n), append(c.clients, nc)
	}
	// Every member registered its gRPC address and applied it.
	require.Eventually(t, func() bool {
		for _, n := range c.nodes {
			ms := n.members()
			if len(ms) != size {
				return false
			}
			for _, m := range ms {
				if m.GetGrpcAddr() == "" {
					return false
				}
			}
		}
		return true
	}, 30*time.Second, 20*time.Millisecond)
	return c
}

func (c *testCluster) leader(t *testing.T) int {
	t.Helper()
	for i, n := range c.nodes {
		if n.raft.IsLeader() {
			return i
		}
	}
	t.Fatal("no leader")
	return -1
}

// sumVRead is sumV with read options; it returns the version read.
func sumVRead(c stratapb.StrataClient, req *stratapb.QueryRequest) (n, s int64, version uint64, err error) {
	p, err := PlanToProto(&plan.Aggregate{Input: &plan.Scan{Table: "kv"}, Aggs: []plan.NamedAgg{
		{Name: "n", Agg: plan.Agg{Func: plan.AggCountStar}},
		{Name: "s", Agg: plan.Agg{Func: plan.AggSum, Arg: plan.Col{Name: "v"}}},
	}})
	if err != nil {
		return 0, 0, 0, err
	}
	req.Query = &stratapb.QueryRequest_Plan{Plan: p}
	stream, err := c.Query(context.Background(), req)
	if err != nil {
		return 0, 0, 0, err
	}
	for {
		msg, err := stream.Recv()
		if err == io.EOF {
			return n, s, version, nil
		}
		if err != nil {
			return 0, 0, 0, err
		}
		if st := msg.GetStats(); st != nil {
			version = st.GetVersion()
			continue
		}
		rdr, err := ipc.NewReader(bytes.NewReader(msg.GetArrowIpc()))
		if err != nil {
			return 0, 0, 0, err
		}
		for rdr.Next() {
			rec := rdr.RecordBatch()
			n = rec.Column(0).(*array.Int64).Value(0)
			if rec.Column(1).IsValid(0) {
				s = rec.Column(1).(*array.Int64).Value(0)
			}
		}
		rdr.Release()
	}
}

func TestClusterForwardsWritesAndFencesReads(t *testing.T) {
	c := startCluster(t, 3)
	ld := c.leader(t)
	f1, f2 := (ld+1)%3, (ld+2)%3
	ctx := context.Background()

	// DDL through a follower; the other follower sees the table at once.
	_, err := c.clients[f1].CreateTable(ctx, &stratapb.CreateTableRequest{Table: kvTable})
	require.NoError(t, err)
	_, err = c.clients[f2].DescribeTable(ctx, &stratapb.DescribeTableRequest{Name: "kv"})
	require.NoError(t, err, "a linearizable DescribeTable on a follower sees a table created through another")
	_, err = c.clients[f2].CreateTable(ctx, &stratapb.CreateTableRequest{Table: kvTable})
	require.Equal(t, codes.AlreadyExists, status.Code(err), "a forwarded command's own failure keeps its class: %v", err)

	// An ingest stream on a follower is proxied to the leader.
	acks := sendBatches(t, c.clients[f1],
		&stratapb.IngestRequest{Table: "kv", ProducerId: "p", Sequence: 1, ArrowIpc: kvPayload(t, 0, 100)},
		&stratapb.IngestRequest{Table: "kv", ProducerId: "p", Sequence: 2, ArrowIpc: kvPayload(t, 100, 250)})
	require.Nil(t, acks[1].Error)
	require.Nil(t, acks[2].Error)
	require.Equal(t, int64(150), acks[2].Rows)
	written := acks[2].Version
	require.Greater(t, written, acks[1].Version)

	// Linearizable by default, on every node, right after the ack.
	for i := range c.nodes {
		n, s, v, err := sumVRead(c.clients[i], &stratapb.QueryRequest{})
		require.NoError(t, err)
		require.Equal(t, int64(250), n, "node %d", i)
		require.Equal(t, int64(249*250/2), s)
		require.GreaterOrEqual(t, v, written, "the read reports a version at least the write's")
	}
	// Follower reads with min_version: read-your-writes on any node.
	for i := range c.nodes {
		n, _, v, err := sumVRead(c.clients[i], &stratapb.QueryRequest{ReadMode: stratapb.ReadMode_READ_MODE_FOLLOWER, MinVersion: written})
		require.NoError(t, err)
		require.Equal(t, int64(250), n)
		require.GreaterOrEqual(t, v, written)
	}
	// min_version ahead of the log waits up to the deadline, then fails
	// with DeadlineExceeded rather than answering stale data.
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	stream, err := c.clients[f2].Query(short, &stratapb.QueryRequest{MinVersion: written + 1000,
		Query: &stratapb.QueryRequest_Sql{Sql: "SELECT count(*) FROM kv"}})
	if err == nil {
		_, err = stream.Recv()
	}
	cancel()
	require.Equal(t, codes.DeadlineExceeded, status.Code(err), "%v", err)
	// AS OF VERSION above the applied version is still ErrFutureVersion.
	_, _, err = sqlOverGRPC(t, c.clients[f2], "SELECT count(*) FROM kv AS OF VERSION 1000000")
	require.Equal(t, codes.OutOfRange, status.Code(err), "%v", err)

	// The same batch again, through the other follower: a duplicate.
	again := sendBatches(t, c.clients[f2], &stratapb.IngestRequest{Table: "kv", ProducerId: "p", Sequence: 2, ArrowIpc: kvPayload(t, 100, 250)})
	require.True(t, again[2].Duplicate)
	require.Equal(t, written, again[2].Version)

	// Every member's status, through any member.
	cs, err := c.clients[f2].ClusterStatus(ctx, &stratapb.ClusterStatusRequest{})
	require.NoError(t, err)
	require.Len(t, cs.Members, 3)
	for _, m := range cs.Members {
		require.Empty(t, m.Error)
		require.NotNil(t, m.Status)
		require.Equal(t, m.Member.GetGrpcAddr(), m.Status.GetGrpcAddr())
	}
	require.Equal(t, c.nodes[ld].cfg.NodeID, cs.LeaderId)

	// Remove a follower through the other one.
	resp, err := c.clients[f1].RemoveMember(ctx, &stratapb.RemoveMemberRequest{NodeId: c.nodes[f2].cfg.NodeID})
	require.NoError(t, err)
	require.Len(t, resp.Members, 2)
	_, err = c.clients[f1].RemoveMember(ctx, &stratapb.RemoveMemberRequest{NodeId: "nobody"})
	require.Equal(t, codes.InvalidArgument, status.Code(err))
}

// A follower that cannot reach any leader refuses a linearizable read
// (after waiting for one) but serves a follower read from its own state.
func TestClusterFollowerReadsWithoutLeader(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out leader elections")
	}
	c := startCluster(t, 3)
	ld := c.leader(t)
	ctx := context.Background()
	_, err := c.clients[ld].CreateTable(ctx, &stratapb.CreateTableRequest{Table: kvTable})
	require.NoError(t, err)
	acks := sendBatches(t, c.clients[ld], &stratapb.IngestRequest{Table: "kv", ProducerId: "p", Sequence: 1, ArrowIpc: kvPayload(t, 0, 10)})
	f := (ld + 1) % 3
	require.NoError(t, c.nodes[f].raft.WaitApplied(ctx, acks[1].Version))
	pg, err := pgx.Connect(ctx, fmt.Sprintf("postgres://app@%s/strata?sslmode=disable", c.nodes[f].PGAddr()))
	require.NoError(t, err)
	defer pg.Close(ctx)
	// Two of three gone: no quorum, no leader.
	for i := range c.nodes {
		if i != f {
			require.NoError(t, c.nodes[i].Close(ctx))
		}
	}
	n, _, _, err := sumVRead(c.clients[f], &stratapb.QueryRequest{ReadMode: stratapb.ReadMode_READ_MODE_FOLLOWER})
	require.NoError(t, err)
	require.Equal(t, int64(10), n)
	// Once it has noticed the leader is gone too (no leader known).
	require.Eventually(t, func() bool { id, _ := c.nodes[f].raft.Leader(); return id == "" }, 20*time.Second, 50*time.Millisecond)
	n, _, _, err = sumVRead(c.clients[f], &stratapb.QueryRequest{ReadMode: stratapb.ReadMode_READ_MODE_FOLLOWER})
	require.NoError(t, err)
	require.Equal(t, int64(10), n)
	stream, err := c.clients[f].Query(ctx, &stratapb.QueryRequest{ReadMode: stratapb.ReadMode_READ_MODE_FOLLOWER,
		Query: &stratapb.QueryRequest_Sql{Sql: "SELECT count(*) FROM kv"}})
	require.NoError(t, err)
	_, err = stream.Recv()
	require.NoError(t, err, "a follower read over SQL needs no leader either")

	// A PostgreSQL session chooses with a custom variable.
	var count int64
	_, err = pg.Exec(ctx, "SET strata.read_mode = 'follower'")
	require.NoError(t, err)
	require.NoError(t, pg.QueryRow(ctx, "SELECT count(*) FROM kv").Scan(&count))
	require.Equal(t, int64(10), count)
	var readVersion string
	require.NoError(t, pg.QueryRow(ctx, "SHOW strata.read_version").Scan(&readVersion))
	rv, err := strconv.ParseUint(readVersion, 10, 64)
	require.NoError(t, err)
	require.GreaterOrEqual(t, rv, acks[1].Version, "the session reports the version its query read")
	_, err = pg.Exec(ctx, "SET strata.read_mode = 'sometimes'")
	require.NoError(t, err)
	err = pg.QueryRow(ctx, "SELECT count(*) FROM kv").Scan(&count)
	require.ErrorContains(t, err, "strata.read_mode")
	_, err = pg.Exec(ctx, "SET strata.read_mode = 'follower'")
	require.NoError(t, err)
	_, err = pg.Exec(ctx, "SET strata.min_version = 1000000")
	require.NoError(t, err)
	short, cancel0 := context.WithTimeout(ctx, 500*time.Millisecond)
	err = pg.QueryRow(short, "SELECT count(*) FROM kv").Scan(&count)
	cancel0()
	require.Error(t, err, "min_version ahead of the node: waits, then fails")
	pg.Close(ctx)
	short, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	stream, err = c.clients[f].Query(short, &stratapb.QueryRequest{Query: &stratapb.QueryRequest_Sql{Sql: "SELECT count(*) FROM kv"}})
	if err == nil {
		_, err = stream.Recv()
	}
	require.Error(t, err, "no leader: a linearizable read cannot be served")
}

// A follower's proxied ingest stream ends Unavailable when the leader goes
// away, even while the client sends nothing and waits for acks.
func TestClusterProxiedIngestEndsWhenLeaderDies(t *testing.T) {
	c := startCluster(t, 3)
	ld := c.leader(t)
	f := (ld + 1) % 3
	ctx := context.Background()
	_, err := c.clients[ld].CreateTable(ctx, &stratapb.CreateTableRequest{Table: kvTable})
	require.NoError(t, err)
	stream, err := c.clients[f].Ingest(ctx)
	require.NoError(t, err)
	require.NoError(t, stream.Send(&stratapb.IngestRequest{Table: "kv", ProducerId: "p", Sequence: 1, ArrowIpc: kvPayload(t, 0, 10)}))
	ack, err := stream.Recv()
	require.NoError(t, err)
	require.Nil(t, ack.Error)

	closing, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	c.nodes[ld].Close(closing) // stops serving the proxied stream after 500ms
	ended := make(chan error, 1)
	go func() {
		_, err := stream.Recv()
		ended <- err
	}()
	select {
	case err := <-ended:
		require.Equal(t, codes.Unavailable, status.Code(err), "%v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("the proxied stream did not end after the leader went away")
	}
}
