package raftlog

import (
	"io"
	"time"
)

// Hooks let the embedding program observe the log (metrics, logs) without
// raftlog knowing how they are kept. Every field is optional; the hooks are
// called synchronously on raft's goroutines, so they must be quick and must
// not call back into the Node.
type Hooks struct {
	// Applied is called after the FSM applied the command at index, with
	// how long Apply took.
	Applied func(index uint64, took time.Duration)
	// SnapshotPersisted is called when a snapshot has been written (or
	// failed to be): its size in bytes and how long Persist took.
	SnapshotPersisted func(bytes int64, took time.Duration, err error)
	// Restored is called after the FSM was replaced by a snapshot (at
	// start, or one received from the leader).
	Restored func(index uint64, took time.Duration, err error)
	// LeaderChanged is called when this node learns of a new leader (id
	// empty: it knows of none).
	LeaderChanged func(leaderID string)
	// StateChanged is called when this node's own role changes; a change
	// to StateCandidate is an election this node started.
	StateChanged func(s State)
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
