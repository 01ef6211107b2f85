package client

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	stratapb "github.com/stratadb/strata/proto"
)

// fakeCluster is three (or more) fake nodes over one replicated state: a
// shared fakeServer holds the tables, the versions and the ingest dedup
// bookkeeping, as the Raft log would. Only the leader takes ingest
// streams (followers answer Unavailable, as one without a leader does);
// a killed node answers nothing (its server is stopped).
type fakeCluster struct {
	state *fakeServer
	nodes []*fakeNode

	mu     sync.Mutex
	leader int // index of the leader; -1 during an election
}

type fakeNode struct {
	*fakeServer // the shared state
	cl          *fakeCluster
	i           int
	addr        string
	srv         *grpc.Server
	served      chan struct{}

	mu      sync.Mutex
	batches []string // "producer/seq" of every batch received
	calls   map[string]int
	dead    bool
}

func newFakeCluster(t *testing.T, n int) *fakeCluster {
	t.Helper()
	cl := &fakeCluster{state: newFake()}
	for i := range n {
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		fn := &fakeNode{fakeServer: cl.state, cl: cl, i: i, addr: lis.Addr().String(),
			srv: grpc.NewServer(), served: make(chan struct{}), calls: map[string]int{}}
		stratapb.RegisterStrataServer(fn.srv, fn)
		go func() { defer close(fn.served); fn.srv.Serve(lis) }()
		t.Cleanup(func() { fn.srv.Stop(); <-fn.served })
		cl.nodes = append(cl.nodes, fn)
	}
	return cl
}

// addrs is the nodes' addresses, comma-separated, in order.
func (cl *fakeCluster) addrs(idx ...int) string {
	var out []string
	for _, i := range idx {
		out = append(out, cl.nodes[i].addr)
	}
	return strings.Join(out, ",")
}

func (cl *fakeCluster) setLeader(i int) {
	cl.mu.Lock()
	cl.leader = i
	cl.mu.Unlock()
}

// kill stops node i at once, like kill -9: its streams break, and every
// later call is refused.
func (cl *fakeCluster) kill(i int) {
	n := cl.nodes[i]
	n.mu.Lock()
	n.dead = true
	n.mu.Unlock()
	n.srv.Stop()
	<-n.served
}

func (cl *fakeCluster) dial(t *testing.T, addrs string, opts Options) *Client {
	t.Helper()
	c, err := Dial(addrs, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func (n *fakeNode) count(call string) {
	n.mu.Lock()
	n.calls[call]++
	n.mu.Unlock()
}

func (n *fakeNode) callCount(call string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.calls[call]
}

func (n *fakeNode) received() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.batches...)
}

func (n *fakeNode) Status(context.Context, *stratapb.StatusRequest) (*stratapb.StatusResponse, error) {
	n.count("Status")
	n.cl.mu.Lock()
	defer n.cl.mu.Unlock()
	st := &stratapb.StatusResponse{NodeId: fmt.Sprintf("n%d", n.i), GrpcAddr: n.addr, RaftState: "Follower", Ready: true}
	for _, m := range n.cl.nodes {
		st.Members = append(st.Members, &stratapb.Member{NodeId: fmt.Sprintf("n%d", m.i), GrpcAddr: m.addr, Suffrage: "voter"})
	}
	if l := n.cl.leader; l >= 0 {
		st.LeaderId, st.LeaderGrpcAddr = fmt.Sprintf("n%d", l), n.cl.nodes[l].addr
		if l == n.i {
			st.RaftState = "Leader"
		}
	}
	return st, nil
}

func (n *fakeNode) Ingest(stream stratapb.Strata_IngestServer) error {
	n.count("Ingest")
	n.cl.mu.Lock()
	leader := n.cl.leader == n.i
	n.cl.mu.Unlock()
	if !leader {
		return status.Error(codes.Unavailable, "fake: not the leader")
	}
	return n.fakeServer.Ingest(recordingStream{stream, n})
}

// recordingStream notes every batch the node receives.
type recordingStream struct {
	stratapb.Strata_IngestServer
	n *fakeNode
}

func (s recordingStream) Recv() (*stratapb.IngestRequest, error) {
	req, err := s.Strata_IngestServer.Recv()
	if err == nil {
		s.n.mu.Lock()
		s.n.batches = append(s.n.batches, fmt.Sprintf("%s/%d", req.GetProducerId(), req.GetSequence()))
		s.n.mu.Unlock()
	}
	return req, err
}

func (n *fakeNode) Query(req *stratapb.QueryRequest, stream stratapb.Strata_QueryServer) error {
	n.count("Query")
	return n.fakeServer.Query(req, stream)
}

func (n *fakeNode) CreateTable(ctx context.Context, req *stratapb.CreateTableRequest) (*stratapb.CreateTableResponse, error) {
	n.count("CreateTable")
	return n.fakeServer.CreateTable(ctx, req)
}

func (n *fakeNode) ListTables(ctx context.Context, req *stratapb.ListTablesRequest) (*stratapb.ListTablesResponse, error) {
	n.count("ListTables")
	return n.fakeServer.ListTables(ctx, req)
}

// waitFor polls cond until it holds (at most 10s).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestDialAddressList(t *testing.T) {
	if _, err := Dial(" , ", Options{}); err == nil {
		t.Fatal("an empty address list was accepted")
	}
	c, err := Dial("127.0.0.1:1, 127.0.0.1:2,,127.0.0.1:1", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := strings.Join(c.Addrs(), ","); got != "127.0.0.1:1,127.0.0.1:2" {
		t.Fatalf("known nodes %s", got)
	}
}

func TestClusterLeaderDiscovery(t *testing.T) {
	cl := newFakeCluster(t, 3)
	cl.setLeader(2)
	cl.kill(0)
	c := cl.dial(t, cl.addrs(0), Options{}) // one seed, and it is down
	ctx := testCtx(t)
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if _, err := c.Leader(short); err == nil {
		t.Fatal("a leader was found with no live node known")
	}

	c = cl.dial(t, cl.addrs(0, 1), Options{}) // the live seed names the others
	leader, err := c.Leader(ctx)
	if err != nil || leader != cl.nodes[2].addr {
		t.Fatalf("Leader = %q, %v; want %s", leader, err, cl.nodes[2].addr)
	}
	if got := len(c.Addrs()); got != 3 {
		t.Fatalf("the client knows %d nodes, want 3 (%v)", got, c.Addrs())
	}
}

// TestClusterWriterFollowsLeader kills the leader while batches it applied
// are unacknowledged: the writer finds the new leader by itself and
// resends them with the same producer id and sequences, so each row is
// applied exactly once. During the election the survivors name no leader,
// or still the dead one.
func TestClusterWriterFollowsLeader(t *testing.T) {
	t.Run("no leader", func(t *testing.T) { testWriterFollowsLeader(t, -1) })
	t.Run("stale leader", func(t *testing.T) { testWriterFollowsLeader(t, 0) })
}

func testWriterFollowsLeader(t *testing.T, during int) {
	mem := checkedAlloc(t)
	cl := newFakeCluster(t, 3)
	cl.setLeader(0)
	c := cl.dial(t, cl.addrs(1), Options{Allocator: mem}) // a follower as the only seed
	ctx := testCtx(t)
	w, err := c.NewWriter("t", fastRetry(WriterOptions{BatchRows: 100, ProducerID: "p1"}))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	write := func(from, n int) {
		t.Helper()
		rec := idRecord(mem, from, n)
		defer rec.Release()
		if err := w.Write(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	write(0, 500)
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := len(cl.nodes[0].received()); got != 5 {
		t.Fatalf("the leader received %d batches, want 5", got)
	}

	// Batches 6-8 are applied, their acks held back; then the leader dies
	// and, after an election without a leader, node 2 leads.
	cl.state.set(func(f *fakeServer) { f.hold = make(chan struct{}) })
	write(500, 300)
	waitFor(t, "batches 6-8 applied", func() bool {
		cl.state.mu.Lock()
		defer cl.state.mu.Unlock()
		return cl.state.last["p1"] == 8
	})
	cl.setLeader(during)
	cl.kill(0)
	cl.state.set(func(f *fakeServer) { f.hold = nil })
	go func() {
		time.Sleep(50 * time.Millisecond)
		cl.setLeader(2)
	}()
	write(800, 200)
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}

	cl.state.appliedOnce(t, 1000)
	got := cl.nodes[2].received()
	want := []string{"p1/6", "p1/7", "p1/8", "p1/9", "p1/10"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("the new leader received %v, want %v", got, want)
	}
	if n := len(cl.nodes[1].received()); n != 0 {
		t.Errorf("the follower received %d batches", n)
	}
	st := w.Stats()
	if st.Duplicates != 3 || st.DuplicateRows != 300 || st.AckedBatches != 7 || st.RowsApplied != 700 {
		t.Errorf("stats %+v: want 3 duplicates of 300 rows, 7 batches of 700 rows applied", st)
	}
	cl.state.mu.Lock()
	ooo := cl.state.ooo
	cl.state.mu.Unlock()
	if ooo != 0 {
		t.Errorf("%d batches were sent out of order", ooo)
	}
	if c.SeenVersion() != st.Version || st.Version != 10 {
		t.Errorf("SeenVersion %d, writer's version %d, want 10", c.SeenVersion(), st.Version)
	}
}

func TestClusterReadsFailOver(t *testing.T) {
	mem := checkedAlloc(t)
	cl := newFakeCluster(t, 3)
	cl.setLeader(2)
	cl.state.querySch = idSchema
	rec := idRecord(memory.DefaultAllocator, 0, 3)
	defer rec.Release()
	cl.state.query = []arrow.RecordBatch{rec}
	cl.kill(0)
	c := cl.dial(t, cl.addrs(0, 1, 2), Options{Allocator: mem})
	ctx := testCtx(t)

	if _, err := c.ListTables(ctx); err != nil {
		t.Fatalf("ListTables did not fail over: %v", err)
	}
	if cl.nodes[1].callCount("ListTables") != 1 {
		t.Fatalf("node 1 answered %d ListTables", cl.nodes[1].callCount("ListTables"))
	}
	res, err := c.SQL(ctx, "  -- a comment\n SELECT id FROM t")
	if err != nil {
		t.Fatal(err)
	}
	res.Release()
	cl.kill(1) // the current node now
	res, err = c.SQLWith(ctx, "select id from t", QueryOptions{ReadMode: ReadFollower})
	if err != nil {
		t.Fatalf("a read did not fail over to the last live node: %v", err)
	}
	res.Release()
	if n := cl.nodes[2].callCount("Query"); n != 1 {
		t.Fatalf("node 2 answered %d queries, want 1", n)
	}

	// Every node down: a read tries each twice, then gives up.
	cl.kill(2)
	if _, err := c.ListTables(ctx); status.Code(err) != codes.Unavailable {
		t.Fatalf("ListTables with every node down: %v", err)
	}
}

func TestClusterWritesAreNotRetried(t *testing.T) {
	mem := checkedAlloc(t)
	cl := newFakeCluster(t, 3)
	cl.setLeader(1)
	cl.state.querySch = idSchema
	cl.kill(0)
	c := cl.dial(t, cl.addrs(0, 1, 2), Options{Allocator: mem})
	ctx := testCtx(t)
	def := &stratapb.TableDef{Name: "t"}
	if _, err := c.CreateTable(ctx, def, false); status.Code(err) != codes.Unavailable {
		t.Fatalf("CreateTable on a dead node: %v", err)
	}
	if n := cl.nodes[1].callCount("CreateTable") + cl.nodes[2].callCount("CreateTable"); n != 0 {
		t.Fatalf("DDL was retried on another node (%d calls)", n)
	}
	v, err := c.CreateTable(ctx, def, false) // the next call goes to the next node
	if err != nil || cl.nodes[1].callCount("CreateTable") != 1 {
		t.Fatalf("CreateTable after a failover: %v (node 1 calls %d)", err, cl.nodes[1].callCount("CreateTable"))
	}
	if c.SeenVersion() != v {
		t.Errorf("SeenVersion %d after a DDL of version %d", c.SeenVersion(), v)
	}

	cl.kill(1)
	if _, err := c.SQL(ctx, "INSERT INTO t VALUES (1)"); status.Code(err) != codes.Unavailable {
		t.Fatalf("INSERT on a dead node: %v", err)
	}
	if n := cl.nodes[2].callCount("Query"); n != 0 {
		t.Fatalf("a SQL write was retried on another node")
	}
}

func TestClusterSessionConsistency(t *testing.T) {
	mem := checkedAlloc(t)
	cl := newFakeCluster(t, 3)
	cl.setLeader(0)
	cl.state.querySch = idSchema // queries answer version 7
	ctx := testCtx(t)
	c := cl.dial(t, cl.addrs(1, 2), Options{Allocator: mem})
	loose := cl.dial(t, cl.addrs(2), Options{Allocator: mem, NoSessionConsistency: true})

	lastCall := func() *stratapb.QueryRequest {
		cl.state.mu.Lock()
		defer cl.state.mu.Unlock()
		return cl.state.queryCalls[len(cl.state.queryCalls)-1]
	}
	query := func(c *Client, opts QueryOptions) {
		t.Helper()
		before := c.SeenVersion()
		res, err := c.SQLWith(ctx, "SELECT * FROM t", opts)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Release()
		if res.Version() != 7 {
			t.Fatalf("Result.Version %d", res.Version())
		}
		if c.SeenVersion() < before || c.SeenVersion() < res.Version() {
			t.Fatalf("SeenVersion went from %d to %d after reading version %d", before, c.SeenVersion(), res.Version())
		}
	}

	query(c, QueryOptions{})
	if req := lastCall(); req.GetMinVersion() != 0 || req.GetReadMode() != stratapb.ReadMode_READ_MODE_DEFAULT {
		t.Fatalf("first query sent min_version %d, read mode %v", req.GetMinVersion(), req.GetReadMode())
	}
	if c.SeenVersion() != 7 {
		t.Fatalf("SeenVersion %d after reading version 7", c.SeenVersion())
	}

	// Ingest through the leader raises the mark past the query's version.
	for i := range 12 {
		rec := idRecord(mem, i*10, 10)
		err := c.Ingest(ctx, "t", rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	seen := c.SeenVersion()
	if seen != 12 {
		t.Fatalf("SeenVersion %d after 12 applied batches", seen)
	}
	query(c, QueryOptions{ReadMode: ReadFollower})
	if req := lastCall(); req.GetMinVersion() != seen || req.GetReadMode() != stratapb.ReadMode_READ_MODE_FOLLOWER {
		t.Fatalf("query sent min_version %d, read mode %v; want %d, follower", req.GetMinVersion(), req.GetReadMode(), seen)
	}
	if c.SeenVersion() != seen {
		t.Fatalf("reading version 7 moved SeenVersion from %d to %d", seen, c.SeenVersion())
	}
	query(c, QueryOptions{ReadMode: ReadLinearizable, MinVersion: 40})
	if req := lastCall(); req.GetMinVersion() != 40 || req.GetReadMode() != stratapb.ReadMode_READ_MODE_LINEARIZABLE {
		t.Fatalf("query sent min_version %d, read mode %v; want 40, linearizable", req.GetMinVersion(), req.GetReadMode())
	}

	// The plan API too, without changing the caller's request.
	req := &stratapb.QueryRequest{Query: &stratapb.QueryRequest_Plan{Plan: &stratapb.Plan{
		Node: &stratapb.Plan_Scan{Scan: &stratapb.Scan{Table: "t"}}}}}
	res, err := c.Query(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	res.Release()
	if lastCall().GetMinVersion() != seen || req.GetMinVersion() != 0 {
		t.Fatalf("plan query sent min_version %d (caller's request now %d), want %d", lastCall().GetMinVersion(), req.GetMinVersion(), seen)
	}

	query(loose, QueryOptions{})
	rec := idRecord(mem, 1000, 1)
	err = loose.Ingest(ctx, "t", rec)
	rec.Release()
	if err != nil {
		t.Fatal(err)
	}
	query(loose, QueryOptions{})
	if req := lastCall(); req.GetMinVersion() != 0 || loose.SeenVersion() != 13 {
		t.Fatalf("without session consistency: min_version %d sent, SeenVersion %d", req.GetMinVersion(), loose.SeenVersion())
	}
}

func TestReadOnlySQL(t *testing.T) {
	for text, want := range map[string]bool{
		"SELECT 1": true, "  select 1": true, "(SELECT 1)": true, "-- x\nSHOW TABLES": true,
		"/* c */ explain analyze select 1": true, "WITH a AS (SELECT 1) SELECT * FROM a": true,
		"INSERT INTO t VALUES (1)": false, "CREATE TABLE t (a bigint)": false, "SET x = 1": false,
		"ROLLBACK TABLE t TO VERSION 3": false, "": false, "-- only a comment": false, "selectx": false,
	} {
		req := &stratapb.QueryRequest{Query: &stratapb.QueryRequest_Sql{Sql: text}}
		if got := readOnly(req); got != want {
			t.Errorf("readOnly(%q) = %v", text, got)
		}
	}
}
