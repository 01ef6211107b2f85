package raftlog

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

// waitTimeout is how long tests wait for anything eventual (an election, a
// catch-up). Generous: the suite must pass on a loaded two-core machine
// under -race; no test asserts how fast something happens.
const waitTimeout = 60 * time.Second

// testLogger sends raft's logs at WARN and above (DEBUG with
// RAFTLOG_TEST_DEBUG=1) to t.Log, and drops them once the test is over,
// when raft goroutines may still be logging their way out.
func testLogger(t testing.TB) *slog.Logger {
	level := slog.LevelWarn
	if os.Getenv("RAFTLOG_TEST_DEBUG") != "" {
		level = slog.LevelDebug
	}
	w := &testWriter{t: t}
	t.Cleanup(w.stop) // registered first, so it runs after the nodes close
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

type testWriter struct {
	mu   sync.Mutex // guards done and serialises t.Log
	t    testing.TB
	done bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(string(p))
	}
	return len(p), nil
}

func (w *testWriter) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.done = true
}

// eventually polls cond until it holds or waitTimeout passes.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", waitTimeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	t.Cleanup(cancel)
	return ctx
}

// member is one node of an in-memory cluster.
type member struct {
	id    string
	node  *Node
	fsm   *hashFSM
	trans *raft.InmemTransport
}

// cluster is hashicorp's MakeCluster, small: nodes on InmemStore,
// InmemSnapshotStore and connected InmemTransports, started through the same
// start() as Open. The first node bootstraps; the others join with AddVoter.
type cluster struct {
	t       *testing.T
	members []*member
	rng     *rand.Rand // picks victims; seeded, printed, RAFTLOG_SEED replays
}

func newCluster(t *testing.T, size int, tune func(*Config)) *cluster {
	t.Helper()
	seed := rand.Uint64()
	if s := os.Getenv("RAFTLOG_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	// The seed replays the test's own choices; raft's election timers stay
	// random, so a replay is not exact.
	t.Logf("cluster seed %d (RAFTLOG_SEED=%d to replay)", seed, seed)
	logger := testLogger(t)
	c := &cluster{t: t, rng: rand.New(rand.NewPCG(seed, seed))}
	for i := range size {
		c.members = append(c.members, c.startMember(fmt.Sprintf("node%d", i+1), i == 0, logger, tune))
	}
	for _, a := range c.members {
		for _, b := range c.members {
			if a != b {
				a.trans.Connect(b.trans.LocalAddr(), b.trans)
			}
		}
	}
	c.leader()
	for _, m := range c.members[1:] {
		if err := addVoterAny(testCtx(t), c.nodes(), m.id, string(m.trans.LocalAddr())); err != nil {
			t.Fatalf("add voter %s: %v", m.id, err)
		}
	}
	return c
}

func (c *cluster) startMember(id string, bootstrap bool, logger *slog.Logger, tune func(*Config)) *member {
	cfg := Config{NodeID: id, Bootstrap: bootstrap, Logger: logger, NoTransferOnClose: true}
	if tune != nil {
		tune(&cfg)
	}
	cfg = cfg.withDefaults()
	store := raft.NewInmemStore()
	_, trans := raft.NewInmemTransportWithTimeout(raft.ServerAddress(id), 5*time.Second)
	s := &stores{logs: store, stable: store, snaps: raft.NewInmemSnapshotStore(), trans: trans}
	fsm := &hashFSM{}
	n, err := start(cfg, fsm, s, newHCLog(logger, "raftlog."+id))
	if err != nil {
		c.t.Fatalf("start %s: %v", id, err)
	}
	c.t.Cleanup(func() {
		if err := n.Close(); err != nil {
			c.t.Errorf("close %s: %v", id, err)
		}
	})
	return &member{id: id, node: n, fsm: fsm, trans: trans}
}

// leader waits until exactly one of the members in among (default: all)
// leads, and returns it.
func (c *cluster) leader(among ...*member) *member {
	c.t.Helper()
	if len(among) == 0 {
		among = c.members
	}
	var leader *member
	eventually(c.t, "a single leader", func() bool {
		leader = nil
		for _, m := range among {
			if m.node.IsLeader() {
				if leader != nil {
					return false
				}
				leader = m
			}
		}
		return leader != nil
	})
	return leader
}

// pick returns one of ms at random.
func (c *cluster) pick(ms []*member) *member { return ms[c.rng.IntN(len(ms))] }

func (c *cluster) followers(leader *member) []*member {
	var fs []*member
	for _, m := range c.members {
		if m != leader {
			fs = append(fs, m)
		}
	}
	return fs
}

// isolate cuts m off from every other member, both ways.
func (c *cluster) isolate(m *member) {
	m.trans.DisconnectAll()
	for _, o := range c.members {
		if o != m {
			o.trans.Disconnect(m.trans.LocalAddr())
		}
	}
}

// heal reconnects m to every other member.
func (c *cluster) heal(m *member) {
	for _, o := range c.members {
		if o != m {
			m.trans.Connect(o.trans.LocalAddr(), o.trans)
			o.trans.Connect(m.trans.LocalAddr(), m.trans)
		}
	}
}

func (c *cluster) nodes() []*Node {
	ns := make([]*Node, len(c.members))
	for i, m := range c.members {
		ns[i] = m.node
	}
	return ns
}

// propose proposes count commands named prefix-i through proposeAny and
// returns the last entry's index.
func (c *cluster) propose(prefix string, count int) uint64 {
	c.t.Helper()
	var last uint64
	for i := range count {
		idx, err := proposeAny(testCtx(c.t), c.nodes(), fmt.Appendf(nil, "%s-%d", prefix, i))
		if err != nil {
			c.t.Fatalf("propose: %v", err)
		}
		last = max(last, idx)
	}
	return last
}

// converged waits until every member has applied index and checks that they
// all hold the same state.
func (c *cluster) converged(index uint64) fsmState {
	c.t.Helper()
	want := c.members[0]
	for _, m := range c.members {
		if err := m.node.WaitApplied(testCtx(c.t), index); err != nil {
			c.t.Fatalf("%s: %v", m.id, err)
		}
	}
	ref := want.fsm.state()
	for _, m := range c.members[1:] {
		if got := m.fsm.state(); got != ref {
			c.t.Errorf("%s: %s, %s: %s", m.id, got, want.id, ref)
		}
	}
	return ref
}
