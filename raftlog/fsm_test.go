package raftlog

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/hashicorp/raft"
)

func TestApplyBatchPassesOnlyCommands(t *testing.T) {
	fsm := &hashFSM{}
	a := newFSMAdapter(fsm, Hooks{})
	logs := []*raft.Log{
		{Index: 3, Type: raft.LogConfiguration, Data: []byte("conf")},
		{Index: 4, Type: raft.LogCommand, Data: []byte("a")},
		{Index: 5, Type: raft.LogCommand, Data: []byte("reject")},
		{Index: 6, Type: raft.LogConfiguration},
	}
	resps := a.ApplyBatch(logs)
	if len(resps) != len(logs) {
		t.Fatalf("%d responses for %d logs", len(resps), len(logs))
	}
	if resps[0] != nil || resps[3] != nil {
		t.Errorf("configuration entries got responses %v, %v", resps[0], resps[3])
	}
	if r, ok := resps[1].(applyResp); !ok || r.Index != 4 {
		t.Errorf("response %#v, want index 4", resps[1])
	}
	if err, ok := resps[2].(error); !ok || !errors.Is(err, errRejected) {
		t.Errorf("response %#v, want errRejected", resps[2])
	}
	if applies, _ := fsm.stats(); applies != 2 {
		t.Errorf("%d applies, want 2", applies)
	}
	if a.applied.load() != 6 {
		t.Errorf("watermark %d, want 6 (the batch's last entry)", a.applied.load())
	}
}

// sink is a raft.SnapshotSink in memory.
type sink struct {
	bytes.Buffer
	closed, cancelled bool
}

func (s *sink) ID() string    { return "test" }
func (s *sink) Close() error  { s.closed = true; return nil }
func (s *sink) Cancel() error { s.cancelled = true; return nil }

type failingSnapshot struct{ released bool }

func (*failingSnapshot) Persist(io.Writer) error { return errors.New("disk full") }
func (s *failingSnapshot) Release()              { s.released = true }

func TestSnapshotRoundTripCarriesIndex(t *testing.T) {
	src := newFSMAdapter(&hashFSM{}, Hooks{})
	src.ApplyBatch([]*raft.Log{{Index: 9, Type: raft.LogCommand, Data: []byte("x")}})
	snap, err := src.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var s sink
	if err := snap.Persist(&s); err != nil || !s.closed || s.cancelled {
		t.Fatalf("persist: %v closed=%v cancelled=%v", err, s.closed, s.cancelled)
	}
	snap.Release()

	dstFSM := &hashFSM{}
	dst := newFSMAdapter(dstFSM, Hooks{})
	if err := dst.Restore(io.NopCloser(&s)); err != nil {
		t.Fatal(err)
	}
	if dst.applied.load() != 9 || dstFSM.state() != src.fsm.(*hashFSM).state() {
		t.Errorf("restored watermark %d state %s", dst.applied.load(), dstFSM.state())
	}
	if err := dst.Restore(io.NopCloser(bytes.NewReader([]byte("raw fsm bytes, no header")))); !errors.Is(err, errBadSnapshot) {
		t.Errorf("headerless restore: %v", err)
	}
}

func TestPersistFailureCancelsSink(t *testing.T) {
	fs := &failingSnapshot{}
	snap := &snapshotAdapter{snap: fs, index: 1}
	var s sink
	if err := snap.Persist(&s); err == nil || s.closed || !s.cancelled {
		t.Fatalf("persist: %v closed=%v cancelled=%v", err, s.closed, s.cancelled)
	}
	snap.Release()
	if !fs.released {
		t.Error("not released")
	}
}
