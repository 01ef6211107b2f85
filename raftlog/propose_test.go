package raftlog

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// singleNode is a one-voter in-memory group with an elected leader.
func singleNode(t *testing.T) *member {
	c := newCluster(t, 1, nil)
	return c.leader()
}

func TestProposeConcurrent(t *testing.T) {
	t.Parallel()
	m := singleNode(t)
	const goroutines, each = 8, 25
	var (
		mu   sync.Mutex
		seen = map[uint64]bool{}
		high uint64
		wg   sync.WaitGroup
	)
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				idx, resp, err := m.node.Propose(testCtx(t), fmt.Appendf(nil, "g%d-%d", g, i))
				if err != nil {
					t.Error(err)
					return
				}
				if r, ok := resp.(applyResp); !ok || r.Index != idx {
					t.Errorf("response %#v for index %d", resp, idx)
				}
				mu.Lock()
				if seen[idx] {
					t.Errorf("index %d returned twice", idx)
				}
				seen[idx] = true
				high = max(high, idx)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := m.node.WaitApplied(testCtx(t), high); err != nil {
		t.Fatal(err)
	}
	if st := m.fsm.state(); st.Count != goroutines*each || st.Last != high {
		t.Errorf("state %s, want %d commands up to %d", st, goroutines*each, high)
	}
}

func TestProposeRejectedByFSM(t *testing.T) {
	t.Parallel()
	m := singleNode(t)
	before := propose(t, m.node, "ok", 1)
	idx, resp, err := m.node.Propose(testCtx(t), []byte("reject me"))
	if !errors.Is(err, errRejected) || errors.Is(err, ErrLeadershipLost) || errors.Is(err, ErrNotLeader) {
		t.Fatalf("err %v, want the FSM's error only", err)
	}
	if respErr, ok := resp.(error); !ok || !errors.Is(respErr, errRejected) || idx <= before {
		t.Fatalf("index %d response %#v", idx, resp)
	}
	if m.node.AppliedIndex() < idx {
		t.Errorf("applied %d < rejected entry %d", m.node.AppliedIndex(), idx)
	}
	propose(t, m.node, "still-ok", 1)
	if st := m.fsm.state(); st.Count != 2 {
		t.Errorf("count %d, want 2", st.Count)
	}
}

func TestProposeHonoursContext(t *testing.T) {
	t.Parallel()
	m := singleNode(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := m.node.Propose(ctx, []byte("x")); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	ctx, cancel = context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	if _, _, err := m.node.Propose(ctx, []byte("x")); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("expired: %v", err)
	}
	if err := m.node.Barrier(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("barrier expired: %v", err)
	}
	if st := m.fsm.state(); st.Count != 0 {
		t.Errorf("count %d, want 0", st.Count)
	}
}

func TestWaitAppliedHonoursContext(t *testing.T) {
	t.Parallel()
	m := singleNode(t)
	far := m.node.AppliedIndex() + 1000
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := m.node.WaitApplied(ctx, far); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("timeout: %v", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	go func() {
		time.Sleep(20 * time.Millisecond)
		cancel()
	}()
	if err := m.node.WaitApplied(ctx, far); !errors.Is(err, context.Canceled) {
		t.Errorf("cancel: %v", err)
	}
}

func TestWaitAppliedWakesOnApply(t *testing.T) {
	t.Parallel()
	m := singleNode(t)
	next := m.node.Status().LastLogIndex + 1
	done := make(chan error, 1)
	go func() { done <- m.node.WaitApplied(testCtx(t), next) }()
	propose(t, m.node, "wake", 1)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// A new leader's first entry is a no-op the FSM never sees, then the
// barrier it commits on gaining leadership (see ReadIndex); waiting for
// either index must end, and the barrier raises the applied watermark.
func TestWaitAppliedNoopAndBarrier(t *testing.T) {
	t.Parallel()
	m := singleNode(t)
	st := m.node.Status()
	// Entry 1 is the bootstrap configuration (the FSM adapter sees it),
	// entry 2 the leader's no-op (it does not), entry 3 its barrier.
	for i := uint64(2); i <= st.LastLogIndex; i++ {
		if err := m.node.WaitApplied(testCtx(t), i); err != nil {
			t.Fatalf("wait for entry %d: %v (status %+v)", i, err, st)
		}
	}
	if err := m.node.Barrier(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	if got, last := m.node.AppliedIndex(), m.node.Status().LastLogIndex; got != last {
		t.Errorf("after barrier applied %d, last log %d", got, last)
	}
}

// ReadIndex on a leader covers every acknowledged write; a follower has
// none to give.
func TestReadIndex(t *testing.T) {
	t.Parallel()
	m := singleNode(t)
	idx := propose(t, m.node, "x", 1)
	ri, err := m.node.ReadIndex(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if ri < idx {
		t.Errorf("read index %d below acknowledged write %d", ri, idx)
	}
	if err := m.node.WaitApplied(testCtx(t), ri); err != nil {
		t.Fatal(err)
	}
}

func TestClosedNodeReturnsErrShutdown(t *testing.T) {
	t.Parallel()
	m := singleNode(t)
	propose(t, m.node, "x", 1)
	waiting := make(chan error, 1)
	go func() { waiting <- m.node.WaitApplied(testCtx(t), 1<<40) }()

	if err := m.node.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.node.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if err := <-waiting; !errors.Is(err, ErrShutdown) {
		t.Errorf("pending wait: %v", err)
	}
	ctx := testCtx(t)
	if _, _, err := m.node.Propose(ctx, []byte("y")); !errors.Is(err, ErrShutdown) {
		t.Errorf("propose: %v", err)
	}
	if _, _, err := m.node.Propose(context.Background(), []byte("y")); !errors.Is(err, ErrShutdown) {
		t.Errorf("propose without ctx: %v", err)
	}
	checks := map[string]error{
		"barrier":      m.node.Barrier(ctx),
		"wait applied": m.node.WaitApplied(ctx, 1<<40),
		"snapshot":     m.node.Snapshot(),
		"add voter":    m.node.AddVoter(ctx, "n9", "n9"),
		"remove":       m.node.RemoveServer(ctx, "n9"),
	}
	for name, err := range checks {
		if !errors.Is(err, ErrShutdown) {
			t.Errorf("%s: %v, want ErrShutdown", name, err)
		}
	}
	if st := m.node.Status(); st.State != StateShutdown {
		t.Errorf("state %s", st.State)
	}
}

func TestProposeAsyncKeepsOrder(t *testing.T) {
	t.Parallel()
	m := singleNode(t)
	futures := make([]Future, 50)
	for i := range futures {
		futures[i] = m.node.ProposeAsync(fmt.Appendf(nil, "async-%d", i))
	}
	var last uint64
	for i, f := range futures {
		idx, resp, err := f.Wait()
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		if r, ok := resp.(applyResp); !ok || r.Index != idx || idx <= last {
			t.Fatalf("%d: index %d (after %d) response %#v", i, idx, last, resp)
		}
		last = idx
	}
	if _, _, err := m.node.ProposeAsync([]byte("reject")).Wait(); !errors.Is(err, errRejected) {
		t.Errorf("rejected: %v", err)
	}
	if err := m.node.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.node.ProposeAsync([]byte("late")).Wait(); !errors.Is(err, ErrShutdown) {
		t.Errorf("after close: %v", err)
	}
}
