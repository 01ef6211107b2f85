package raftlog

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/raft"
)

// defaultEnqueueTimeout bounds how long raft may take to accept a command
// into its queue when the context has no deadline. raft's API takes a
// timeout for that step instead of a context.
const defaultEnqueueTimeout = 10 * time.Second

// Propose replicates cmd and returns once a quorum has committed it and this
// node's FSM has applied it: the log index (the command's version on every
// replica) and the FSM's response. cmd must not be modified afterwards: the
// leader's FSM may receive this very slice. Commands of 32 KiB and more are
// logged compressed (compress.go).
//
// Errors (see the package errors):
//   - ErrNotLeader: nothing was appended; the *NotLeaderError names the
//     leader to send it to.
//   - The FSM returned an error value: the entry is committed and every
//     replica rejected it alike. Propose returns the index, that error as
//     the response, and an error wrapping it (errors.Is/As see the FSM's
//     error; errors.Is(err, ErrLeadershipLost) is false).
//   - ErrLeadershipLost, ErrShutdown, the context's error, anything else:
//     unknown outcome — the command may still commit. Retry with the same
//     idempotency key. In particular a Propose whose ctx ends returns
//     ctx.Err() (wrapped) at once, while raft keeps the command.
func (n *Node) Propose(ctx context.Context, cmd []byte) (index uint64, response any, err error) {
	f, err := n.await(ctx, func(timeout time.Duration) raft.Future {
		return n.raft.ApplyLog(entryFor(cmd), timeout)
	})
	if err != nil {
		return 0, nil, n.mapErr("propose", err)
	}
	af := f.(raft.ApplyFuture)
	index, response = af.Index(), af.Response()
	if rejected, ok := response.(error); ok {
		return index, response, fmt.Errorf("propose: applied at index %d with error: %w", index, rejected)
	}
	return index, response, nil
}

// Barrier returns once every entry committed before it has been applied to
// this node's FSM, so reads of the FSM see every acknowledged write. Leader
// only (ErrNotLeader otherwise). AppliedIndex is at least the barrier's own
// index afterwards.
func (n *Node) Barrier(ctx context.Context) error {
	f, err := n.await(ctx, func(timeout time.Duration) raft.Future {
		return n.raft.Barrier(timeout)
	})
	if err != nil {
		return n.mapErr("barrier", err)
	}
	if idx, ok := f.(raft.IndexFuture); ok {
		// raft's FSM goroutine answered the barrier after applying
		// everything before it, so the FSM state is the state at its index.
		n.fsm.applied.advance(idx.Index())
	}
	return nil
}

// await submits a raft operation and waits for its future, the context or
// shutdown. raft's calls block without a context (first to enqueue, then in
// Future.Error), so when ctx can end, both run on their own goroutine, which
// finishes when raft answers the future: at the latest when the node shuts
// down.
func (n *Node) await(ctx context.Context, submit func(timeout time.Duration) raft.Future) (raft.Future, error) {
	if n.isClosing() {
		return nil, raft.ErrRaftShutdown
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	timeout := enqueueTimeout(ctx)
	if ctx.Done() == nil {
		f := submit(timeout)
		return f, f.Error()
	}
	type result struct {
		f   raft.Future
		err error
	}
	done := make(chan result, 1)
	go func() {
		f := submit(timeout)
		done <- result{f, f.Error()}
	}()
	select {
	case r := <-done:
		return r.f, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("stopped waiting, outcome unknown: %w", ctx.Err())
	}
}

// enqueueTimeout is the time left before ctx's deadline, or
// defaultEnqueueTimeout.
func enqueueTimeout(ctx context.Context) time.Duration {
	deadline, ok := ctx.Deadline()
	if !ok {
		return defaultEnqueueTimeout
	}
	return max(time.Until(deadline), time.Millisecond)
}
