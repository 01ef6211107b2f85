package ingest

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stratadb/strata/storage"
)

// countingChunks is a DirChunkStore that counts Puts.
type countingChunks struct {
	*storage.DirChunkStore
	mu   sync.Mutex
	puts []storage.ChunkID
}

func (c *countingChunks) Put(id storage.ChunkID, data []byte) error {
	c.mu.Lock()
	c.puts = append(c.puts, id)
	c.mu.Unlock()
	return c.DirChunkStore.Put(id, data)
}

// takePuts returns the chunks put since the last call.
func (c *countingChunks) takePuts(t *testing.T) map[storage.ChunkID]bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[storage.ChunkID]bool{}
	for _, id := range c.puts {
		out[id] = true
	}
	require.Len(t, out, len(c.puts), "no chunk is put twice")
	c.puts = nil
	return out
}

func newCountingChunks(t *testing.T, dir string) *countingChunks {
	d, err := storage.NewDirChunkStore(dir)
	require.NoError(t, err)
	return &countingChunks{DirChunkStore: d}
}

func chunkFiles(t *testing.T, dir string) map[storage.ChunkID]bool {
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	out := map[storage.ChunkID]bool{}
	for _, e := range entries {
		id, err := storage.ParseChunkID(e.Name()[:len(e.Name())-len(".chunk")])
		require.NoError(t, err, e.Name())
		out[id] = true
	}
	return out
}

func sealed(t *testing.T, f *FSM) map[storage.ChunkID]bool {
	ids, err := storedChunks(f.Store())
	require.NoError(t, err)
	return ids
}

// inlineState is the FSM's storage state with every chunk inline, to
// compare two FSMs.
func inlineState(t *testing.T, f *FSM) []byte {
	var buf bytes.Buffer
	_, err := f.Store().WriteTo(&buf)
	require.NoError(t, err)
	return buf.Bytes()
}

func subset(a, b map[storage.ChunkID]bool) bool {
	for id := range a {
		if !b[id] {
			return false
		}
	}
	return true
}

// TestSnapshotChunksIncremental: with a chunk store, each Persist puts only
// the chunks sealed since the last one, its stream grows with the new data
// only, and the streams restore from the stream and the chunk directory.
func TestSnapshotChunksIncremental(t *testing.T) {
	const chunkRows = 256
	dir := t.TempDir()
	chunks := newCountingChunks(t, dir)
	a := newHarness(t, Options{ChunkRows: chunkRows, Chunks: chunks})
	require.NoError(t, a.apply(CreateTableCommand(kvDef, false)).Err)
	seq := uint64(0)
	write := func(from, to int) {
		seq++
		require.NoError(t, a.apply(WriteCommand("kv", "p", seq, payload(t, from, to))).Err)
	}
	for i := 0; i < 8000; i += 1000 {
		write(i, i+1000)
	}
	first := persist(t, a.fsm)
	sealed1 := sealed(t, a.fsm)
	require.NotEmpty(t, sealed1)
	require.Equal(t, sealed1, chunks.takePuts(t), "the first Persist puts every sealed chunk")
	require.Equal(t, sealed1, chunkFiles(t, dir))
	inline1 := len(persistInline(t, a.fsm))
	require.Less(t, len(first)*4, inline1, "sealed chunks are not in the stream")

	write(8000, 8600)
	second := persist(t, a.fsm)
	sealed2 := sealed(t, a.fsm)
	added := map[storage.ChunkID]bool{}
	for id := range sealed2 {
		if !sealed1[id] {
			added[id] = true
		}
	}
	require.NotEmpty(t, added)
	require.Equal(t, added, chunks.takePuts(t), "the second Persist puts only the newly sealed chunks")
	inline2 := len(persistInline(t, a.fsm))
	t.Logf("streams: first %d bytes (inline %d), second %d (inline %d)", len(first), inline1, len(second), inline2)
	require.Less(t, len(second)-len(first), (inline2-inline1)/2,
		"the second stream grows by less than the new data, not by the whole state")

	// Restore from the stream and the chunk directory, on another node.
	want := inlineState(t, a.fsm)
	other := newCountingChunks(t, t.TempDir())
	copyDir(t, dir, other.Dir())
	b := newHarness(t, Options{ChunkRows: chunkRows, Chunks: other})
	require.NoError(t, b.fsm.Restore(bytes.NewReader(second)))
	require.True(t, bytes.Equal(want, inlineState(t, b.fsm)), "the restored state is the persisted one")
	require.EqualValues(t, 8600, b.rows())
	require.True(t, bytes.Equal(second, persist(t, b.fsm)), "a restored FSM persists the same stream")
	require.Empty(t, other.takePuts(t), "and puts nothing: it holds every chunk")
	b.index = a.index
	require.True(t, b.apply(WriteCommand("kv", "p", seq, payload(t, 8000, 8600))).Duplicate, "the dedup table came along")

	// A later snapshot keeps the chunks of the one before it, so both
	// streams raft keeps on disk restore.
	require.NoError(t, a.apply(DropTableCommand("kv", false)).Err)
	third := persist(t, a.fsm)
	require.Equal(t, sealed2, chunkFiles(t, dir), "the chunks of the previous stream stay")
	c := newHarness(t, Options{ChunkRows: chunkRows, Chunks: chunks})
	require.NoError(t, c.fsm.Restore(bytes.NewReader(second)))
	require.EqualValues(t, 8600, c.rows())
	persist(t, a.fsm)
	require.Equal(t, sealed2, chunkFiles(t, dir), "raft keeps two snapshots: the second's chunks stay while it is one of them")
	persist(t, a.fsm)
	require.Empty(t, chunkFiles(t, dir), "three snapshots later, the dropped table's chunks are gone")
	require.NoError(t, c.fsm.Restore(bytes.NewReader(third)))
	_, err := c.fsm.Store().DescribeTable("kv")
	require.ErrorIs(t, err, storage.ErrNoTable)
}

// TestSnapshotChunksRestoreKeepsRestored: after a restore, the first
// Persist keeps the restored stream's chunks (raft still has that stream
// on disk).
func TestSnapshotChunksRestoreKeepsRestored(t *testing.T) {
	dir := t.TempDir()
	chunks := newCountingChunks(t, dir)
	a := newHarness(t, Options{ChunkRows: 16, Chunks: chunks})
	require.NoError(t, a.apply(CreateTableCommand(kvDef, false)).Err)
	require.NoError(t, a.apply(WriteCommand("kv", "p", 1, payload(t, 0, 100))).Err)
	snap := persist(t, a.fsm)
	held := chunkFiles(t, dir)
	require.NotEmpty(t, held)

	b := newHarness(t, Options{ChunkRows: 16, Chunks: chunks})
	require.NoError(t, b.fsm.Restore(bytes.NewReader(snap)))
	b.index = a.index
	require.NoError(t, b.apply(DropTableCommand("kv", false)).Err)
	persist(t, b.fsm)
	require.Equal(t, held, chunkFiles(t, dir), "the restored stream's chunks stay")
}

// TestSnapshotChunksDamaged: a damaged or missing chunk fails the restore
// with an error naming it, and the FSM keeps its state.
func TestSnapshotChunksDamaged(t *testing.T) {
	dir := t.TempDir()
	chunks := newCountingChunks(t, dir)
	a := newHarness(t, Options{ChunkRows: 16, Chunks: chunks})
	require.NoError(t, a.apply(CreateTableCommand(kvDef, false)).Err)
	require.NoError(t, a.apply(WriteCommand("kv", "p", 1, payload(t, 0, 100))).Err)
	snap := persist(t, a.fsm)
	ids := chunkFiles(t, dir)
	require.NotEmpty(t, ids)
	var victim storage.ChunkID
	for id := range ids {
		victim = id
		break
	}
	path := filepath.Join(dir, victim.String()+".chunk")

	b := newHarness(t, Options{ChunkRows: 16, Chunks: chunks})
	require.NoError(t, b.apply(CreateTableCommand(kvDef, false)).Err)
	require.NoError(t, b.apply(WriteCommand("kv", "q", 1, payload(t, 0, 7))).Err)
	before := inlineState(t, b.fsm)

	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	damaged := bytes.Clone(raw)
	damaged[len(damaged)-1] ^= 0xff
	require.NoError(t, os.WriteFile(path, damaged, 0o644))
	err = b.fsm.Restore(bytes.NewReader(snap))
	require.ErrorIs(t, err, ErrBadSnapshot)
	require.ErrorIs(t, err, storage.ErrCorrupt)
	require.Contains(t, err.Error(), victim.String())
	require.True(t, bytes.Equal(before, inlineState(t, b.fsm)), "a failed restore changes nothing")

	require.NoError(t, os.Remove(path))
	err = b.fsm.Restore(bytes.NewReader(snap))
	require.ErrorIs(t, err, ErrBadSnapshot)
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.Contains(t, err.Error(), victim.String())
	require.True(t, bytes.Equal(before, inlineState(t, b.fsm)))
	require.EqualValues(t, 7, b.rows())

	c := newHarness(t, Options{ChunkRows: 16})
	err = c.fsm.Restore(bytes.NewReader(snap))
	require.ErrorIs(t, err, ErrBadSnapshot, "without a chunk store, external chunks cannot be read")

	require.NoError(t, os.WriteFile(path, raw, 0o644))
	require.NoError(t, b.fsm.Restore(bytes.NewReader(snap)))
	require.EqualValues(t, 100, b.rows())
}

// persistInline persists f's state with every chunk inline.
func persistInline(t *testing.T, f *FSM) []byte {
	s, err := f.Capture()
	require.NoError(t, err)
	defer s.Release()
	s.chunks = nil
	var buf bytes.Buffer
	require.NoError(t, s.Persist(&buf))
	return buf.Bytes()
}

func copyDir(t *testing.T, from, to string) {
	entries, err := os.ReadDir(from)
	require.NoError(t, err)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(to, e.Name()), b, 0o644))
	}
}

// TestSnapshotChunksPersistDuringApply: Persist, with its puts and
// deletes, runs while Apply goes on (go test -race checks it).
func TestSnapshotChunksPersistDuringApply(t *testing.T) {
	chunks := newCountingChunks(t, t.TempDir())
	a := newHarness(t, Options{ChunkRows: 16, Chunks: chunks})
	require.NoError(t, a.apply(CreateTableCommand(kvDef, false)).Err)
	for seq := uint64(1); seq <= 20; seq++ {
		require.NoError(t, a.apply(WriteCommand("kv", "p", seq, payload(t, 0, 50))).Err)
		s, err := a.fsm.Capture()
		require.NoError(t, err)
		done := make(chan error, 1)
		go func() {
			defer s.Release()
			var buf bytes.Buffer
			done <- s.Persist(&buf)
		}()
		require.NoError(t, a.apply(SetMemberCommand(member("n1", ""), seq%2 == 0)).Err)
		require.NoError(t, <-done)
	}
	b := newHarness(t, Options{ChunkRows: 16, Chunks: chunks})
	require.NoError(t, b.fsm.Restore(bytes.NewReader(persist(t, a.fsm))))
	require.EqualValues(t, 1000, b.rows())
}

// Retention follows the two newest streams by version, in whatever order
// persists and restores finish (raft keeps the two newest snapshots).
func TestRetentionKeepsTheTwoNewestStreams(t *testing.T) {
	set := func(ids ...uint64) map[storage.ChunkID]bool {
		m := map[storage.ChunkID]bool{}
		for _, id := range ids {
			m[storage.ChunkID{Table: 1, Seq: id}] = true
		}
		return m
	}
	var r retention
	r.add(10, set(1))
	r.add(20, set(2))
	require.Equal(t, set(1, 2, 9), r.keep(set(9)))
	r.add(15, set(3)) // captured before a restore at 20, persisted after it
	require.Equal(t, set(2, 3), r.keep(nil))
	r.add(5, set(4)) // older than both: raft reaps it
	require.Equal(t, set(2, 3), r.keep(nil))
	r.add(30, set(5))
	require.Equal(t, set(5, 2), r.keep(nil))
}
