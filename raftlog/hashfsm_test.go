package raftlog

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
)

// errRejected is what hashFSM answers to a command starting with "reject".
var errRejected = errors.New("hashfsm: rejected")

// hashFSM is the toy state machine of the tests: every Apply folds (index,
// cmd) into a running SHA-256, so two replicas have equal hashes only if they
// applied the same commands at the same indexes in the same order.
//
// Like Strata's FSM it is idempotent: a command is its own idempotency key,
// and a command seen before is a no-op answered with the index it was first
// applied at. That makes "unknown outcome: retry with the same command"
// safe, which is how the cluster tests ride out leadership changes.
// A command starting with "reject" is committed but rejected: the response
// is an error and the state is unchanged.
type hashFSM struct {
	mu       sync.Mutex // guards all fields
	hash     [32]byte
	count    uint64            // distinct commands folded in
	last     uint64            // index of the last entry applied
	seen     map[string]uint64 // command -> index it was first applied at
	applies  int               // Apply calls on this object (not restored)
	restores int               // successful Restore calls
}

// applyResp is hashFSM's response to an accepted command.
type applyResp struct {
	Index uint64 // where the command was first applied
	Count uint64
	Dup   bool // a retry of a command already applied
}

// fsmState is what replicas must agree on.
type fsmState struct {
	Hash  [32]byte
	Count uint64
	Last  uint64
}

func (s fsmState) String() string {
	return fmt.Sprintf("hash=%x count=%d last=%d", s.Hash[:6], s.Count, s.Last)
}

func (f *hashFSM) Apply(index uint64, cmd []byte) any {
	f.mu.Lock()
	defer f.mu.Unlock()
	if index <= f.last {
		panic(fmt.Sprintf("BUG: index %d applied after %d", index, f.last))
	}
	f.applies++
	f.last = index
	if strings.HasPrefix(string(cmd), "reject") {
		return fmt.Errorf("command %q at %d: %w", cmd, index, errRejected)
	}
	if first, ok := f.seen[string(cmd)]; ok {
		return applyResp{Index: first, Count: f.count, Dup: true}
	}
	if f.seen == nil {
		f.seen = map[string]uint64{}
	}
	f.seen[string(cmd)] = index
	h := sha256.New()
	h.Write(f.hash[:])
	h.Write(binary.BigEndian.AppendUint64(nil, index))
	h.Write(cmd)
	h.Sum(f.hash[:0])
	f.count++
	return applyResp{Index: index, Count: f.count}
}

func (f *hashFSM) state() fsmState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fsmState{Hash: f.hash, Count: f.count, Last: f.last}
}

func (f *hashFSM) stats() (applies, restores int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.applies, f.restores
}

// Snapshot copies the dedup table: fine for a toy, where a real FSM would
// capture a pointer to immutable state.
func (f *hashFSM) Snapshot() (Snapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return &hashSnapshot{
		state: fsmState{Hash: f.hash, Count: f.count, Last: f.last},
		seen:  maps.Clone(f.seen),
	}, nil
}

// Restore reads what hashSnapshot.Persist wrote.
func (f *hashFSM) Restore(r io.Reader) error {
	br := bufio.NewReader(r)
	var st fsmState
	var n uint64
	if err := binary.Read(br, binary.BigEndian, &st); err != nil {
		return fmt.Errorf("hashfsm restore state: %w", err)
	}
	if err := binary.Read(br, binary.BigEndian, &n); err != nil {
		return fmt.Errorf("hashfsm restore table size: %w", err)
	}
	seen := make(map[string]uint64, n)
	for range n {
		var e struct{ Len, Index uint64 }
		if err := binary.Read(br, binary.BigEndian, &e); err != nil {
			return fmt.Errorf("hashfsm restore entry: %w", err)
		}
		key := make([]byte, e.Len)
		if _, err := io.ReadFull(br, key); err != nil {
			return fmt.Errorf("hashfsm restore key: %w", err)
		}
		seen[string(key)] = e.Index
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hash, f.count, f.last, f.seen = st.Hash, st.Count, st.Last, seen
	f.restores++
	return nil
}

// hashSnapshot is a captured hashFSM. Layout, big-endian: hash [32], count,
// last, table size n (uint64 each), then n × (key length, first index, key),
// keys sorted so equal states give equal bytes.
type hashSnapshot struct {
	state fsmState
	seen  map[string]uint64
}

func (s *hashSnapshot) Persist(w io.Writer) error {
	bw := bufio.NewWriter(w)
	_ = binary.Write(bw, binary.BigEndian, s.state)
	_ = binary.Write(bw, binary.BigEndian, uint64(len(s.seen)))
	for _, k := range slices.Sorted(maps.Keys(s.seen)) {
		_ = binary.Write(bw, binary.BigEndian, struct{ Len, Index uint64 }{uint64(len(k)), s.seen[k]})
		_, _ = bw.WriteString(k)
	}
	return bw.Flush() // bufio keeps the first write error
}

func (*hashSnapshot) Release() {}
