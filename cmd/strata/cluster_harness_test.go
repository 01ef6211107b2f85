package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/ipc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/stratadb/strata/client"
	stratapb "github.com/stratadb/strata/proto"
)

// The cluster tests run several real server processes (the e2e harness's
// node) as one Raft group: the first bootstraps, the others join it. They
// kill, stop and restart nodes while clients write, then check every
// node's data against what the clients were acknowledged.

// clusterTiming are Raft timeouts loose enough that a loaded two-core CI
// machine does not hold spurious elections.
var clusterTiming = []string{
	"--raft-heartbeat-timeout", "2s", "--raft-election-timeout", "2s", "--raft-leader-lease-timeout", "1s",
	"--pg-addr", "off",
}

// fastReconnect keeps gRPC's reconnect backoff short, so that a restarted
// node is used again within a second (the default grows to two minutes).
var fastReconnect = grpc.WithConnectParams(grpc.ConnectParams{
	Backoff:           backoff.Config{BaseDelay: 100 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: time.Second},
	MinConnectTimeout: 2 * time.Second,
})

// cluster is a Raft group of server processes.
type cluster struct {
	t     *testing.T
	nodes []*node
	ids   []string
	extra []string // flags every node gets

	mu    sync.Mutex
	conns map[string]*grpc.ClientConn // by gRPC address
}

// startCluster starts size nodes with extra flags (plus clusterTiming):
// n1 with --bootstrap, the others with --join n1. It returns once every
// node is ready and they agree on a leader and a membership of size.
func startCluster(t *testing.T, size int, extra ...string) *cluster {
	t.Helper()
	c := &cluster{t: t, extra: append(slices.Clone(clusterTiming), extra...), conns: map[string]*grpc.ClientConn{}}
	t.Cleanup(c.closeConns)
	for i := 1; i <= size; i++ {
		c.addNode()
	}
	// Runs before the nodes' own cleanups stop them (cleanups run last
	// registered first), so the status of a failed test is still there.
	t.Cleanup(c.dumpOnFailure)
	c.waitConverged(size, 90*time.Second)
	return c
}

// addNode starts one more node: the first bootstraps, later ones join n1
// (or, when n1 is down, any running node).
func (c *cluster) addNode() *node {
	c.t.Helper()
	id := fmt.Sprintf("n%d", len(c.nodes)+1)
	args := []string{"--node-id", id}
	if len(c.nodes) == 0 {
		args = append(args, "--bootstrap")
	} else {
		args = append(args, "--join", c.running()[0].grpcAddr)
	}
	n := startNode(c.t, append(args, c.extra...)...)
	c.nodes = append(c.nodes, n)
	c.ids = append(c.ids, id)
	return n
}

// addrs is every node's gRPC address, comma-separated (client.Dial's seeds).
func (c *cluster) addrs() string {
	var a []string
	for _, n := range c.nodes {
		a = append(a, n.grpcAddr)
	}
	return strings.Join(a, ",")
}

func (c *cluster) id(n *node) string { return c.ids[slices.Index(c.nodes, n)] }

func running(n *node) bool {
	select {
	case <-n.done:
		return false
	default:
		return true
	}
}

// running lists the nodes whose process runs.
func (c *cluster) running() []*node {
	var out []*node
	for _, n := range c.nodes {
		if running(n) {
			out = append(out, n)
		}
	}
	return out
}

// conn is a shared connection to addr (reconnecting quickly after a
// restart).
func (c *cluster) conn(addr string) stratapb.StrataClient {
	c.mu.Lock()
	defer c.mu.Unlock()
	cc, ok := c.conns[addr]
	if !ok {
		var err error
		cc, err = grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()), fastReconnect,
			grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(256<<20)))
		if err != nil {
			panic(err) // only a malformed address fails here
		}
		c.conns[addr] = cc
	}
	return stratapb.NewStrataClient(cc)
}

func (c *cluster) closeConns() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, cc := range c.conns {
		cc.Close()
	}
}

// dial is a client of the whole cluster (every node a seed) that follows
// the leader by itself.
func (c *cluster) dial(opts client.Options) *client.Client {
	c.t.Helper()
	opts.DialOptions = append(opts.DialOptions, fastReconnect)
	cl, err := client.Dial(c.addrs(), opts)
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { cl.Close() })
	return cl
}

// status asks one node for its status (3s at most).
func (c *cluster) status(n *node) (*stratapb.StatusResponse, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return c.conn(n.grpcAddr).Status(ctx, &stratapb.StatusRequest{})
}

// leader waits (up to timeout) until the running nodes agree on a leader
// that says it is one, and returns it.
func (c *cluster) leader(timeout time.Duration) *node {
	c.t.Helper()
	var last string
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		l, why := c.agreedLeader()
		if l != nil {
			return l
		}
		last = why
		time.Sleep(100 * time.Millisecond)
	}
	c.t.Fatalf("no agreed leader after %v: %s", timeout, last)
	return nil
}

func (c *cluster) agreedLeader() (*node, string) {
	var leaderID string
	for _, n := range c.running() {
		st, err := c.status(n)
		if err != nil {
			return nil, fmt.Sprintf("%s: %v", c.id(n), err)
		}
		if st.GetLeaderId() == "" {
			return nil, c.id(n) + " knows no leader"
		}
		if leaderID != "" && st.GetLeaderId() != leaderID {
			return nil, fmt.Sprintf("%s names %s, another node %s", c.id(n), st.GetLeaderId(), leaderID)
		}
		leaderID = st.GetLeaderId()
	}
	i := slices.Index(c.ids, leaderID)
	if i < 0 {
		return nil, "leader " + leaderID + " is not a node of the test"
	}
	l := c.nodes[i]
	if !running(l) {
		return nil, "leader " + leaderID + " is down"
	}
	st, err := c.status(l)
	if err != nil || !strings.EqualFold(st.GetRaftState(), "leader") {
		return nil, fmt.Sprintf("%s is named leader but says %q (%v)", leaderID, st.GetRaftState(), err)
	}
	return l, ""
}

// followers are the running nodes other than l.
func (c *cluster) followers(l *node) []*node {
	var out []*node
	for _, n := range c.running() {
		if n != l {
			out = append(out, n)
		}
	}
	return out
}

// waitConverged waits until there is a leader, every running node is
// ready, lists members members and has applied the leader's commit index.
func (c *cluster) waitConverged(members int, timeout time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	var why string
	for time.Now().Before(deadline) {
		if why = c.converged(members); why == "" {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.t.Fatalf("cluster did not converge in %v: %s", timeout, why)
}

func (c *cluster) converged(members int) string {
	l, why := c.agreedLeader()
	if l == nil {
		return why
	}
	lst, err := c.status(l)
	if err != nil {
		return err.Error()
	}
	for _, n := range c.running() {
		st, err := c.status(n)
		if err != nil {
			return fmt.Sprintf("%s: %v", c.id(n), err)
		}
		if !st.GetReady() {
			return c.id(n) + " not ready"
		}
		if len(st.GetMembers()) != members {
			return fmt.Sprintf("%s lists %d members, want %d", c.id(n), len(st.GetMembers()), members)
		}
		// Status's applied_index counts only entries that reach the FSM
		// (not a new leader's no-op), so it can stay below the commit
		// index in an idle cluster: ask for a read at the commit index.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, _, err = c.queryNode(ctx, n, "SELECT 1", stratapb.ReadMode_READ_MODE_FOLLOWER, lst.GetCommitIndex())
		cancel()
		if err != nil {
			return fmt.Sprintf("%s (applied %d) cannot read at the leader's commit index %d: %v", c.id(n), st.GetAppliedIndex(), lst.GetCommitIndex(), err)
		}
	}
	return ""
}

// dumpOnFailure logs each node's status and log tail when the test failed.
func (c *cluster) dumpOnFailure() {
	if !c.t.Failed() {
		return
	}
	c.dump()
}

func (c *cluster) dump() {
	for i, n := range c.nodes {
		st := "down"
		if !running(n) && n.cmd.ProcessState != nil {
			st = "down: " + n.cmd.ProcessState.String()
		}
		if running(n) {
			if s, err := c.status(n); err != nil {
				st = "status: " + err.Error()
			} else {
				st = protojson.Format(s)
			}
		}
		c.t.Logf("==== %s (grpc %s, raft %s, data %s): %s", c.ids[i], n.grpcAddr, n.raftAddr, n.dataDir, st)
		if _, err := os.Stat(filepath.Join(n.dataDir, "server.log")); err != nil {
			c.t.Logf("---- %s: no log: %v", c.ids[i], err)
			continue
		}
		c.t.Logf("---- %s log tail:\n%s", c.ids[i], tail(n.logText(), 60))
	}
}

func tail(s string, lines int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}

// restart starts a stopped node again from its data dir, with its flags.
func (c *cluster) restart(n *node) {
	c.t.Helper()
	c.t.Logf("restart %s", c.id(n))
	n.start()
}

func (c *cluster) kill9(n *node) {
	c.t.Logf("kill -9 %s", c.id(n))
	n.kill9()
}

func (c *cluster) sigterm(n *node) {
	c.t.Logf("SIGTERM %s", c.id(n))
	n.stop()
}

// queryNode runs sql on exactly node n (no failover) and returns the rows
// and the version read.
func (c *cluster) queryNode(ctx context.Context, n *node, sql string, mode stratapb.ReadMode, minVersion uint64) ([][]any, uint64, error) {
	stream, err := c.conn(n.grpcAddr).Query(ctx, &stratapb.QueryRequest{
		Query: &stratapb.QueryRequest_Sql{Sql: sql}, ReadMode: mode, MinVersion: minVersion,
	})
	if err != nil {
		return nil, 0, err
	}
	var rows [][]any
	var version uint64
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, 0, err
		}
		switch p := msg.GetPayload().(type) {
		case *stratapb.QueryResponse_Stats:
			version = p.Stats.GetVersion()
		case *stratapb.QueryResponse_ArrowIpc:
			r, err := ipc.NewReader(bytes.NewReader(p.ArrowIpc))
			if err != nil {
				return nil, 0, err
			}
			for r.Next() {
				rec := r.RecordBatch()
				for i := 0; i < int(rec.NumRows()); i++ {
					row := make([]any, rec.NumCols())
					for j := range row {
						row[j] = client.Value(rec.Column(j), i)
					}
					rows = append(rows, row)
				}
			}
			err = r.Err()
			r.Release()
			if err != nil {
				return nil, 0, err
			}
		}
	}
	return rows, version, nil
}

// mustQueryNode is queryNode on a running node that has applied at least
// minVersion (follower read, waiting up to a minute for it).
func (c *cluster) mustQueryNode(n *node, sql string, minVersion uint64) [][]any {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		rows, _, err := c.queryNode(ctx, n, sql, stratapb.ReadMode_READ_MODE_FOLLOWER, minVersion)
		if err == nil {
			return rows
		}
		if ctx.Err() != nil {
			c.t.Fatalf("%s: %s (min_version %d): %v", c.id(n), sql, minVersion, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// tables lists the tables on node n, sorted.
func (c *cluster) tables(n *node) []string {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := c.conn(n.grpcAddr).ListTables(ctx, &stratapb.ListTablesRequest{})
	if err != nil {
		c.t.Fatalf("%s: list tables: %v", c.id(n), err)
	}
	names := slices.Clone(resp.GetNames())
	slices.Sort(names)
	return names
}

// dumpTables is every table's full contents on node n (ORDER BY every
// column), as text, after it has applied minVersion.
func (c *cluster) dumpTables(n *node, minVersion uint64) map[string]string {
	c.t.Helper()
	// Wait for the version first, so the table list is as current.
	c.mustQueryNode(n, "SELECT 1", minVersion)
	out := map[string]string{}
	for _, name := range c.tables(n) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		resp, err := c.conn(n.grpcAddr).DescribeTable(ctx, &stratapb.DescribeTableRequest{Name: name})
		cancel()
		if err != nil {
			c.t.Fatalf("%s: describe %s: %v", c.id(n), name, err)
		}
		var cols []string
		for _, col := range resp.GetTable().GetColumns() {
			cols = append(cols, col.GetName())
		}
		all := strings.Join(cols, ", ")
		rows := c.mustQueryNode(n, fmt.Sprintf("SELECT %s FROM %s ORDER BY %s", all, name, all), minVersion)
		var sb strings.Builder
		for _, r := range rows {
			fmt.Fprintln(&sb, r...)
		}
		out[name] = sb.String()
	}
	return out
}

// requireSameTables checks that every running node holds the same tables
// with the same contents, after each has applied minVersion.
func (c *cluster) requireSameTables(minVersion uint64) map[string]string {
	c.t.Helper()
	var ref map[string]string
	var refID string
	for _, n := range c.running() {
		got := c.dumpTables(n, minVersion)
		if ref == nil {
			ref, refID = got, c.id(n)
			continue
		}
		if !slices.Equal(keys(ref), keys(got)) {
			c.t.Fatalf("%s has tables %v, %s has %v", refID, keys(ref), c.id(n), keys(got))
		}
		for name, want := range ref {
			if got[name] != want {
				c.t.Fatalf("table %s differs: %s has %d lines, %s has %d; first difference: %s",
					name, refID, strings.Count(want, "\n"), c.id(n), strings.Count(got[name], "\n"), firstDiff(want, got[name]))
			}
		}
	}
	return ref
}

func keys(m map[string]string) []string {
	k := make([]string, 0, len(m))
	for n := range m {
		k = append(k, n)
	}
	slices.Sort(k)
	return k
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < max(len(al), len(bl)); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d: %q vs %q", i+1, x, y)
		}
	}
	return "none"
}

// snapshotsTaken reads a node's strata_raft_snapshots_total{result="ok"}.
func snapshotsTaken(t *testing.T, n *node) int {
	v, _ := strconv.Atoi(n.metric(t, `strata_raft_snapshots_total{result="ok"}`))
	return v
}

// snapshotFiles lists the snapshots in a node's data dir.
func snapshotFiles(n *node) []string {
	entries, _ := os.ReadDir(filepath.Join(n.dataDir, "raft", "snapshots"))
	var out []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasSuffix(e.Name(), ".tmp") {
			out = append(out, e.Name())
		}
	}
	return out
}

// testSeed is STRATA_TEST_SEED when set, else a fresh seed; it is logged
// so a failing run can be repeated.
func testSeed(t *testing.T) uint64 {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("STRATA_TEST_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("STRATA_TEST_SEED: %v", err)
		}
		seed = v
	}
	t.Logf("seed %d (rerun with STRATA_TEST_SEED=%d)", seed, seed)
	return seed
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x5eed)) }

// asInt64 reads an integer cell (a sum may come back as any integer or
// float type; NULL is 0).
func asInt64(v any) int64 {
	switch x := v.(type) {
	case nil:
		return 0
	case int64:
		return x
	case int32:
		return int64(x)
	case uint64:
		return int64(x)
	case float64:
		return int64(x)
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	}
	panic(fmt.Sprintf("not an integer: %T %v", v, v))
}
