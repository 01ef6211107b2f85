package raftlog

import (
	"fmt"
	"testing"

	"github.com/hashicorp/raft"
)

// A follower whose log ran ahead of a new leader's drops its last entries
// ("clearing log suffix"); the log must still open afterwards. raft-wal
// v0.4.0 marked the truncated tail segment sealed without writing its
// index, and every later start panicked with "sealed segment has no index
// block" (hashicorp/raft-wal#31, fixed in v0.4.1).
func TestWALOpensAfterTailTruncation(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{Dir: dir, NoSync: true, Logger: testLogger(t)}.withDefaults()
	open := func() *stores {
		s := &stores{}
		if err := openWAL(s, cfg, newHCLog(cfg.Logger, "wal")); err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := open()
	var logs []*raft.Log
	for i := uint64(1); i <= 5; i++ {
		logs = append(logs, &raft.Log{Index: i, Term: 1, Type: raft.LogCommand, Data: []byte(fmt.Sprint("entry ", i))})
	}
	if err := s.logs.StoreLogs(logs); err != nil {
		t.Fatal(err)
	}
	if err := s.logs.DeleteRange(4, 5); err != nil {
		t.Fatal(err)
	}
	if err := s.logs.StoreLogs([]*raft.Log{{Index: 4, Term: 2, Type: raft.LogCommand, Data: []byte("entry 4, term 2")}}); err != nil {
		t.Fatal(err)
	}
	if err := s.close(); err != nil {
		t.Fatal(err)
	}

	s = open()
	defer s.close()
	for i, want := range []string{"entry 1", "entry 2", "entry 3", "entry 4, term 2"} {
		var l raft.Log
		if err := s.logs.GetLog(uint64(i+1), &l); err != nil {
			t.Fatalf("entry %d after reopening: %v", i+1, err)
		}
		if string(l.Data) != want {
			t.Errorf("entry %d: %q, want %q", i+1, l.Data, want)
		}
	}
	if last, _ := s.logs.LastIndex(); last != 4 {
		t.Errorf("last index %d, want 4", last)
	}
}
