package raftlog

import (
	"fmt"
	"testing"
)

// TestTCPClusterMembership runs three on-disk nodes over loopback TCP with
// the default timing: one bootstraps, two join with AddVoter, one leaves.
func TestTCPClusterMembership(t *testing.T) {
	t.Parallel()
	var nodes []*Node
	var fsms []*hashFSM
	for i := range 3 {
		cfg := diskConfig(t, t.TempDir())
		cfg.NodeID = fmt.Sprintf("n%d", i+1)
		cfg.Bootstrap = i == 0
		fsm := &hashFSM{}
		nodes, fsms = append(nodes, mustOpen(t, cfg, fsm)), append(fsms, fsm)
	}
	waitLeader(t, nodes[0])
	for _, n := range nodes[1:] {
		st := n.Status()
		if err := addVoterAny(testCtx(t), nodes, st.ID, st.Addr); err != nil {
			t.Fatal(err)
		}
	}
	var last uint64
	for i := range 20 {
		idx, err := proposeAny(testCtx(t), nodes, fmt.Appendf(nil, "tcp-%d", i))
		if err != nil {
			t.Fatal(err)
		}
		last = max(last, idx)
	}
	for i, n := range nodes {
		if err := n.WaitApplied(testCtx(t), last); err != nil {
			t.Fatalf("n%d: %v", i+1, err)
		}
		if fsms[i].state() != fsms[0].state() || fsms[i].state().Count != 20 {
			t.Errorf("n%d: %s, n1: %s", i+1, fsms[i].state(), fsms[0].state())
		}
	}

	// n3 leaves; the other two carry on. (Through whichever node leads: if
	// n3 led, it steps down and shuts down once the change commits.)
	if err := removeAny(t, nodes, "n3"); err != nil {
		t.Fatal(err)
	}
	var leader *Node
	eventually(t, "a leader among n1, n2", func() bool {
		leader = firstLeader(nodes[:2])
		return leader != nil
	})
	if st := leader.Status(); len(st.Members) != 2 {
		t.Errorf("members after removal %+v", st.Members)
	}
	last, err := proposeAny(testCtx(t), nodes[:2], []byte("two"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes[:2] {
		if err := n.WaitApplied(testCtx(t), last); err != nil {
			t.Fatal(err)
		}
	}
}

// removeAny removes id through whichever node leads, retrying like
// proposeAny.
func removeAny(t *testing.T, nodes []*Node, id string) error {
	ctx := testCtx(t)
	var err error
	eventually(t, "remove "+id, func() bool {
		n := firstLeader(nodes)
		if n == nil {
			return false
		}
		err = n.RemoveServer(ctx, id)
		return err == nil || !retryable(err)
	})
	return err
}
