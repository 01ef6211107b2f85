package raftlog

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/raft"
)

const (
	// settlePoll is how often WaitApplied re-checks an index the FSM never
	// sees (see settledThrough). Commands wake waiters directly; only a wait
	// for a no-op or barrier index with nothing after it relies on this.
	settlePoll = 50 * time.Millisecond
	// maxSettleScan bounds the log entries settledThrough reads; a longer
	// gap holds commands, which wake waiters when applied.
	maxSettleScan = 256
)

// AppliedIndex is the index of the last log entry whose effect this node's
// FSM holds: the last command or configuration entry applied (or the
// snapshot restored), raised by Barrier to the barrier's index, and raised
// past no-op and barrier entries the FSM never sees once raft has applied
// them (a follower after an election would otherwise report the entry
// before the new leader's no-op until the next command). It only grows, and
// it is never ahead of the FSM (raft's own applied index can be: raft counts
// an entry as applied when it hands it to the FSM goroutine).
func (n *Node) AppliedIndex() uint64 {
	cur := n.fsm.applied.load()
	if ra := n.raft.AppliedIndex(); ra > cur && n.settledThrough(cur, ra) {
		n.fsm.applied.advance(ra)
		return ra
	}
	return cur
}

// WaitApplied blocks until this node's FSM reflects every log entry up to
// index, ctx ends (its error, wrapped) or the node closes (ErrShutdown).
// index is normally one Propose returned, or a commit index learnt from the
// leader: an index of a no-op or barrier entry also completes, once raft has
// passed it. It works on followers too, which is how a follower serves a read
// at a version it was told about.
func (n *Node) WaitApplied(ctx context.Context, index uint64) error {
	settled := func(cur uint64) bool { return n.settledThrough(cur, index) }
	if err := n.fsm.applied.waitFor(ctx, index, n.closing, settled, settlePoll); err != nil {
		return fmt.Errorf("wait applied %d (at %d): %w", index, n.AppliedIndex(), err)
	}
	return nil
}

// settledThrough reports whether the FSM state at watermark cur is also the
// state at index: raft has passed index, and every entry in (cur, index] is
// one that never reaches the FSM (no-op, barrier).
func (n *Node) settledThrough(cur, index uint64) bool {
	if index-cur > maxSettleScan || n.raft.AppliedIndex() < index {
		return false
	}
	var l raft.Log
	for i := cur + 1; i <= index; i++ {
		if err := n.logs.GetLog(i, &l); err != nil {
			return false // compacted or closing: wait for the FSM instead
		}
		if l.Type == raft.LogCommand || l.Type == raft.LogConfiguration {
			return false // the FSM will see it and advance the watermark
		}
	}
	return true
}
