package raftlog

import (
	"fmt"

	"github.com/hashicorp/raft"
)

// Future is a command proposed without waiting for it.
type Future interface {
	// Wait blocks until the command is applied on this node or has
	// failed, and answers as Propose does (same errors, same meaning).
	Wait() (index uint64, response any, err error)
}

// ProposeAsync hands cmd to raft and returns without waiting for it to
// commit. Commands proposed one after another from one goroutine enter
// the log in that order, which lets a caller pipeline a stream of writes
// whose order matters (a producer's sequences) without a round trip per
// write. It blocks only while raft's queue of proposals is full. cmd must
// not be modified afterwards.
func (n *Node) ProposeAsync(cmd []byte) Future {
	if n.isClosing() {
		return failedFuture{n.mapErr("propose", raft.ErrRaftShutdown)}
	}
	return &applyFuture{n: n, f: n.raft.ApplyLog(entryFor(cmd), defaultEnqueueTimeout)}
}

type applyFuture struct {
	n *Node
	f raft.ApplyFuture
}

func (a *applyFuture) Wait() (uint64, any, error) {
	if err := a.f.Error(); err != nil {
		return 0, nil, a.n.mapErr("propose", err)
	}
	index, response := a.f.Index(), a.f.Response()
	if rejected, ok := response.(error); ok {
		return index, response, fmt.Errorf("propose: applied at index %d with error: %w", index, rejected)
	}
	return index, response, nil
}

type failedFuture struct{ err error }

func (f failedFuture) Wait() (uint64, any, error) { return 0, nil, f.err }
