package raftlog

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/raft"
)

// Sentinel errors. They come back wrapped with the operation ("propose:
// raftlog: not leader ..."); test them with errors.Is.
//
// What a failed Propose means for the command:
//
//   - ErrNotLeader: not appended anywhere. Send it to the leader.
//   - an error wrapping the FSM's own error (see Propose): committed and
//     applied on every replica, which all rejected it the same way.
//   - ErrLeadershipLost, ErrShutdown, a context error, anything else: the
//     outcome is unknown. The command may be committed and applied later,
//     or never. Retry with the same idempotency key and let the FSM
//     deduplicate.
var (
	// ErrNotLeader: this node is not the leader, so it cannot accept writes
	// or barriers. The error is a *NotLeaderError naming the leader when
	// this node knows it (errors.As). A leadership transfer in progress is
	// reported the same way, because raft refuses the command before it
	// appends it.
	ErrNotLeader = errors.New("raftlog: not leader")

	// ErrLeadershipLost: the leader stepped down while the command was in
	// flight (raft.ErrLeadershipLost, raft.ErrAbortedByRestore).
	ErrLeadershipLost = errors.New("raftlog: leadership lost: unknown outcome: " +
		"the command may or may not be applied; retry with the same idempotency key")

	// ErrShutdown: the node is closed or closing. A Propose that was already
	// submitted when the node closed has an unknown outcome.
	ErrShutdown = errors.New("raftlog: node is shut down")

	// ErrBusy: raft's queue of proposals stayed full for the whole
	// enqueue timeout; the command was not appended. Retry later.
	ErrBusy = errors.New("raftlog: too many proposals in flight")
)

// NotLeaderError is the concrete ErrNotLeader. LeaderID and LeaderAddr name
// the leader this node knows of (its Raft address, not a client address),
// or are empty when it knows none (an election is running, or the node has
// not joined a cluster yet).
type NotLeaderError struct {
	LeaderID   string
	LeaderAddr string
}

func (e *NotLeaderError) Error() string {
	if e.LeaderID == "" && e.LeaderAddr == "" {
		return ErrNotLeader.Error() + " (leader unknown)"
	}
	return fmt.Sprintf("%s (leader %s at %s)", ErrNotLeader, e.LeaderID, e.LeaderAddr)
}

// Is makes errors.Is(err, ErrNotLeader) hold.
func (e *NotLeaderError) Is(target error) bool { return target == ErrNotLeader }

// mapErr turns an error of operation op into this package's vocabulary:
// raft's errors become the matching sentinel (callers never need to import
// raft), context and other errors keep their chain.
func (n *Node) mapErr(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, raft.ErrNotLeader), errors.Is(err, raft.ErrLeadershipTransferInProgress):
		id, addr := n.Leader()
		return fmt.Errorf("%s: %w", op, &NotLeaderError{LeaderID: id, LeaderAddr: addr})
	case errors.Is(err, raft.ErrLeadershipLost), errors.Is(err, raft.ErrAbortedByRestore):
		return fmt.Errorf("%s: %w", op, ErrLeadershipLost)
	case errors.Is(err, raft.ErrRaftShutdown):
		return fmt.Errorf("%s: %w", op, ErrShutdown)
	case errors.Is(err, raft.ErrEnqueueTimeout):
		// raft gave up before the command entered its queue: not applied,
		// so retrying later is safe and the caller's key is not spent.
		return fmt.Errorf("%s: raft did not accept it in time: %w", op, ErrBusy)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s: %w", op, err)
	default:
		return fmt.Errorf("raftlog: %s: %w", op, err)
	}
}
