package raftlog

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/hashicorp/raft"
)

// FSM is the state machine raftlog drives. Apply, Snapshot and Restore are
// called from one goroutine, never concurrently with each other; Persist of
// a captured Snapshot runs concurrently with later Applies.
type FSM interface {
	// Apply applies the command at log index index and returns its
	// response, which Propose hands back to its caller on the leader (and
	// discards on followers). Apply must be deterministic: the same
	// commands at the same indexes give every replica the same state and
	// the same responses. No wall clock, randomness or map order.
	//
	// An error value returned as the response means "committed, and
	// rejected by the state machine"; Propose also returns it as its error.
	// Apply may keep cmd (zero-copy decoding is fine) but must not modify
	// it: it may be the very slice given to Propose (small commands are
	// logged as they are; large ones compressed and decoded afresh).
	Apply(index uint64, cmd []byte) any

	// Snapshot captures the state cheaply (pointers to immutable data,
	// not copies); the returned Snapshot's Persist does the I/O later.
	Snapshot() (Snapshot, error)

	// Restore replaces the whole state with the one Persist wrote to r.
	Restore(r io.Reader) error
}

// Snapshot is a captured FSM state.
type Snapshot interface {
	// Persist writes the state to w. It runs concurrently with Apply.
	Persist(w io.Writer) error
	// Release is called once raft is done with the snapshot, whether
	// Persist ran, failed or never ran.
	Release()
}

// fsmAdapter is the raft.BatchingFSM that drives an FSM: it hands it command
// entries only, in log order, with their index, and keeps the applied
// watermark.
type fsmAdapter struct {
	fsm     FSM
	applied *watermark
	hooks   Hooks
}

var _ raft.BatchingFSM = (*fsmAdapter)(nil)

func newFSMAdapter(fsm FSM, hooks Hooks) *fsmAdapter {
	return &fsmAdapter{fsm: fsm, applied: newWatermark(), hooks: hooks}
}

// ApplyBatch implements raft.BatchingFSM. raft passes command and
// configuration entries (never no-op or barrier entries), contiguous and in
// order; only commands reach the FSM. It returns one response per entry.
func (a *fsmAdapter) ApplyBatch(logs []*raft.Log) []interface{} {
	resps := make([]interface{}, len(logs))
	for i, l := range logs {
		if l.Type != raft.LogCommand {
			continue
		}
		start := time.Now()
		cmd, err := commandOf(l)
		if err != nil {
			// Every replica stops here alike rather than diverge.
			panic(fmt.Sprintf("raftlog: cannot apply: %v", err))
		}
		resps[i] = a.fsm.Apply(l.Index, cmd)
		if a.hooks.Applied != nil {
			a.hooks.Applied(l.Index, time.Since(start))
		}
	}
	if len(logs) > 0 {
		// Before raft answers the futures: a Propose that returns index i
		// finds WaitApplied(i) already satisfied.
		a.applied.advance(logs[len(logs)-1].Index)
	}
	return resps
}

// Apply implements raft.FSM; raft calls ApplyBatch instead.
func (a *fsmAdapter) Apply(l *raft.Log) interface{} {
	return a.ApplyBatch([]*raft.Log{l})[0]
}

// Snapshot implements raft.FSM. It runs on raft's FSM goroutine, between
// batches, so the watermark read here is the state the FSM captures.
func (a *fsmAdapter) Snapshot() (raft.FSMSnapshot, error) {
	index := a.applied.load()
	s, err := a.fsm.Snapshot()
	if err != nil {
		return nil, fmt.Errorf("fsm snapshot at %d: %w", index, err)
	}
	return &snapshotAdapter{snap: s, index: index, hooks: a.hooks}, nil
}

// Restore implements raft.FSM. raft closes rc.
func (a *fsmAdapter) Restore(rc io.ReadCloser) (err error) {
	start := time.Now()
	index, err := readSnapHeader(rc)
	if err != nil {
		return err
	}
	if a.hooks.Restored != nil {
		defer func() { a.hooks.Restored(index, time.Since(start), err) }()
	}
	if err := a.fsm.Restore(rc); err != nil {
		return fmt.Errorf("fsm restore at %d: %w", index, err)
	}
	a.applied.advance(index)
	return nil
}

// snapshotAdapter is the raft.FSMSnapshot around an FSM's Snapshot.
type snapshotAdapter struct {
	snap  Snapshot
	index uint64
	hooks Hooks
}

// Persist implements raft.FSMSnapshot: header, then the FSM's bytes; the
// sink is closed on success and cancelled on failure.
func (s *snapshotAdapter) Persist(sink raft.SnapshotSink) (err error) {
	start := time.Now()
	cw := &countingWriter{w: sink}
	if s.hooks.SnapshotPersisted != nil {
		defer func() { s.hooks.SnapshotPersisted(cw.n, time.Since(start), err) }()
	}
	err = s.write(sink, cw)
	if err != nil {
		return errors.Join(err, sink.Cancel())
	}
	if err := sink.Close(); err != nil {
		return fmt.Errorf("close snapshot %s: %w", sink.ID(), err)
	}
	return nil
}

func (s *snapshotAdapter) write(sink raft.SnapshotSink, w io.Writer) error {
	if _, err := w.Write(appendSnapHeader(nil, s.index)); err != nil {
		return fmt.Errorf("write snapshot header: %w", err)
	}
	// Hide Close and Cancel from the FSM (w is not the sink itself): the
	// sink is ours to finish.
	if err := s.snap.Persist(w); err != nil {
		return fmt.Errorf("persist fsm snapshot at %d: %w", s.index, err)
	}
	return nil
}

// Release implements raft.FSMSnapshot.
func (s *snapshotAdapter) Release() { s.snap.Release() }
