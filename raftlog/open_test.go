package raftlog

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// diskConfig is a single bootstrapping node on a free loopback port with
// the default timing; fsync is off (NoSync) except where a test says so.
func diskConfig(t *testing.T, dir string) Config {
	return Config{
		NodeID: "n1", Dir: dir, BindAddr: "127.0.0.1:0", Bootstrap: true,
		NoSync: true, Logger: testLogger(t),
	}
}

func mustOpen(t *testing.T, cfg Config, fsm FSM) *Node {
	t.Helper()
	n, err := Open(cfg, fsm)
	if err != nil {
		t.Fatalf("open %s: %v", cfg.Dir, err)
	}
	t.Cleanup(func() { _ = n.Close() })
	return n
}

func mustClose(t *testing.T, n *Node) {
	t.Helper()
	if err := n.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
}

func waitLeader(t *testing.T, n *Node) {
	t.Helper()
	start := time.Now()
	eventually(t, "the node to elect itself", n.IsLeader)
	t.Logf("leader after %s", time.Since(start).Round(time.Millisecond))
}

func TestOpenBootstrapsOnceAndReopens(t *testing.T) {
	t.Parallel()
	cfg := diskConfig(t, t.TempDir())
	cfg.NoSync = false // the real thing, once
	fsm := &hashFSM{}
	n := mustOpen(t, cfg, fsm)
	waitLeader(t, n)
	st := n.Status()
	if len(st.Members) != 1 || st.Members[0] != (Member{ID: "n1", Addr: st.Addr, Suffrage: SuffrageVoter}) {
		t.Fatalf("members %+v, want n1 alone at %s", st.Members, st.Addr)
	}
	last := propose(t, n, "a", 20)
	before := fsm.state()
	mustClose(t, n)

	// Same directory, Bootstrap still set: existing state wins.
	cfg.BindAddr = st.Addr
	fsm2 := &hashFSM{}
	n2 := mustOpen(t, cfg, fsm2)
	waitLeader(t, n2)
	if err := n2.WaitApplied(testCtx(t), last); err != nil {
		t.Fatal(err)
	}
	if got := fsm2.state(); got != before {
		t.Fatalf("after replay %s, before close %s", got, before)
	}
	st2 := n2.Status()
	if st2.Term <= st.Term || len(st2.Members) != 1 {
		t.Errorf("status after reopen %+v (before %+v)", st2, st)
	}
	if next := propose(t, n2, "b", 1); next <= last {
		t.Errorf("index %d after reopen, want > %d", next, last)
	}
}

func TestOpenRestoresSnapshotThenLog(t *testing.T) {
	t.Parallel()
	cfg := diskConfig(t, t.TempDir())
	n := mustOpen(t, cfg, &hashFSM{})
	fsm := n.fsm.fsm.(*hashFSM)
	waitLeader(t, n)
	propose(t, n, "pre", 30)
	if err := n.Snapshot(); err != nil {
		t.Fatal(err)
	}
	last := propose(t, n, "post", 10)
	before := fsm.state()
	mustClose(t, n)

	snaps, err := os.ReadDir(filepath.Join(cfg.Dir, snapshotsDir))
	if err != nil || len(snaps) != 1 {
		t.Fatalf("snapshots dir: %v, %v", snaps, err)
	}
	if _, err := os.Stat(filepath.Join(cfg.Dir, walDir)); err != nil {
		t.Fatal(err)
	}

	fsm2 := &hashFSM{}
	n2 := mustOpen(t, cfg, fsm2)
	waitLeader(t, n2)
	if err := n2.WaitApplied(testCtx(t), last); err != nil {
		t.Fatal(err)
	}
	if got := fsm2.state(); got != before {
		t.Fatalf("after restore+replay %s, before close %s", got, before)
	}
	if applies, restores := fsm2.stats(); restores != 1 || applies != 10 {
		t.Errorf("restores %d applies %d, want the snapshot then the 10 entries after it", restores, applies)
	}
}

func TestOpenWithoutBootstrapWaitsToBeAdded(t *testing.T) {
	t.Parallel()
	cfg := diskConfig(t, t.TempDir())
	cfg.Bootstrap = false
	n := mustOpen(t, cfg, &hashFSM{})
	st := n.Status()
	if st.State != StateFollower || len(st.Members) != 0 || st.LeaderID != "" {
		t.Errorf("status %+v, want a follower with no configuration", st)
	}
	_, _, err := n.Propose(testCtx(t), []byte("x"))
	if !errors.Is(err, ErrNotLeader) || !strings.Contains(err.Error(), "leader unknown") {
		t.Errorf("propose: %v, want ErrNotLeader, leader unknown", err)
	}
	if err := n.AddVoter(testCtx(t), "n2", "127.0.0.1:1"); !errors.Is(err, ErrNotLeader) {
		t.Errorf("add voter: %v, want ErrNotLeader", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := n.WaitApplied(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("wait applied: %v", err)
	}
}

func TestOpenRejectsBadConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := map[string]func(*Config){
		"no dir":      func(c *Config) { c.Dir = "" },
		"lease > hb":  func(c *Config) { c.LeaderLeaseTimeout = 2 * c.HeartbeatTimeout },
		"bad bind":    func(c *Config) { c.BindAddr = "127.0.0.1:notaport" },
		"unspecified": func(c *Config) { c.BindAddr = "0.0.0.0:0" },
	}
	for name, mutate := range bad {
		cfg := diskConfig(t, dir).withDefaults()
		mutate(&cfg)
		if n, err := Open(cfg, &hashFSM{}); err == nil {
			_ = n.Close()
			t.Errorf("%s: Open succeeded", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
	// Failed opens released the directory.
	n := mustOpen(t, diskConfig(t, dir), &hashFSM{})
	waitLeader(t, n)
}
