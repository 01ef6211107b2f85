package raftlog

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/raft"
)

// ReadIndex is the index a linearizable read must wait for: the leader's
// commit index, taken once this leader has committed an entry of its own
// term (so the index covers everything committed by earlier leaders) and
// confirmed afterwards by a round of heartbeats that it still leads (so no
// newer leader can have committed anything it does not know). A reader on
// any node that waits until WaitApplied(index) and then reads its local
// state sees every write acknowledged before ReadIndex was called.
//
// Leader only: ErrNotLeader otherwise. A node that loses leadership while
// answering returns ErrNotLeader or ErrLeadershipLost; retry on the new
// leader.
func (n *Node) ReadIndex(ctx context.Context) (uint64, error) {
	if !n.IsLeader() {
		return 0, n.mapErr("read index", raft.ErrNotLeader)
	}
	term, err := n.leaderReady(ctx)
	if err != nil {
		return 0, err
	}
	index := n.raft.CommitIndex()
	if _, err := n.await(ctx, func(time.Duration) raft.Future { return n.raft.VerifyLeader() }); err != nil {
		return 0, n.mapErr("read index: verify leadership", err)
	}
	if n.raft.CurrentTerm() != term {
		return 0, fmt.Errorf("read index: term changed from %d: %w", term, ErrLeadershipLost)
	}
	return index, nil
}

// leaderReady returns the current term once this node, as its leader, has
// committed a barrier in it (at most one barrier per term; concurrent
// callers share the wait through raft).
func (n *Node) leaderReady(ctx context.Context) (uint64, error) {
	term := n.raft.CurrentTerm()
	if n.readyTerm.Load() == term {
		return term, nil
	}
	if err := n.Barrier(ctx); err != nil {
		return 0, err
	}
	if n.raft.CurrentTerm() != term || !n.IsLeader() {
		return 0, fmt.Errorf("leadership barrier: term changed from %d: %w", term, ErrLeadershipLost)
	}
	n.readyTerm.Store(term)
	return term, nil
}
