package storage

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// countingStore records the chunks put through it.
type countingStore struct {
	ChunkStore
	mu   sync.Mutex
	puts []ChunkID
}

func (c *countingStore) Put(id ChunkID, data []byte) error {
	c.mu.Lock()
	c.puts = append(c.puts, id)
	c.mu.Unlock()
	return c.ChunkStore.Put(id, data)
}

func (c *countingStore) takePuts() []ChunkID {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.puts
	c.puts = nil
	return p
}

func sealedCount(t *testing.T, s *Store) int {
	n := 0
	for _, name := range s.ListTables() {
		info, err := s.DescribeTable(name)
		require.NoError(t, err)
		n += info.SealedChunks
	}
	return n
}

// encodeImage captures s and encodes it with opts; it returns the bytes and
// the image's stored chunks.
func encodeImage(t *testing.T, s *Store, opts EncodeOptions) ([]byte, map[ChunkID]bool) {
	t.Helper()
	im, err := s.Capture()
	require.NoError(t, err)
	defer im.Release()
	var buf bytes.Buffer
	n, err := im.Encode(&buf, opts)
	require.NoError(t, err)
	require.EqualValues(t, buf.Len(), n)
	return buf.Bytes(), im.StoredChunks()
}

func chunkFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestChunkStoreReusesSealedChunks(t *testing.T) {
	s, mem, v := newScenarioStore(t, 8)
	dir, err := NewDirChunkStore(t.TempDir())
	require.NoError(t, err)
	cs := &countingStore{ChunkStore: dir}

	first, stored := encodeImage(t, s, EncodeOptions{Chunks: cs})
	sealed := sealedCount(t, s)
	require.Len(t, cs.takePuts(), sealed, "first encode puts every sealed chunk")
	require.Len(t, stored, sealed)
	require.Less(t, len(first), len(encodeStore(t, s)), "sealed chunks are not in the stream")
	r, err := restoreChecked(t, first, RestoreOptions{Chunks: cs})
	require.NoError(t, err)
	requireSameState(t, s, r)

	moreWrites(t, s, mem, v)
	second, stored := encodeImage(t, s, EncodeOptions{Chunks: cs})
	puts := cs.takePuts()
	require.Len(t, puts, sealedCount(t, s)-sealed, "second encode puts only the chunks sealed since")
	for _, id := range puts {
		require.True(t, stored[id])
	}
	r2, err := restoreChecked(t, second, RestoreOptions{Chunks: cs})
	require.NoError(t, err)
	requireSameState(t, s, r2)

	// Without the store, the external chunks are missing.
	_, err = restoreChecked(t, second, RestoreOptions{})
	require.ErrorIs(t, err, ErrCorrupt)
	require.Contains(t, err.Error(), "no ChunkStore")
}

func TestChunkStoreRetain(t *testing.T) {
	s, _, v := newScenarioStore(t, 8)
	dir, err := NewDirChunkStore(t.TempDir())
	require.NoError(t, err)
	_, _ = encodeImage(t, s, EncodeOptions{Chunks: dir})
	before := len(chunkFiles(t, dir.Dir()))
	kitchen, err := s.DescribeTable("kitchen")
	require.NoError(t, err)

	require.NoError(t, s.DropTable(v, "kitchen"))
	// Leftovers Retain must clean up, and a file it must leave alone.
	require.NoError(t, os.WriteFile(filepath.Join(dir.Dir(), chunkTempPrefix+"x"), nil, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir.Dir(), "README"), nil, 0o644))
	data, stored := encodeImage(t, s, EncodeOptions{Chunks: dir})
	require.NoError(t, dir.Retain(stored))
	files := chunkFiles(t, dir.Dir())
	require.Len(t, files, before-kitchen.SealedChunks+1)
	require.Contains(t, files, "README")
	for _, f := range files {
		require.False(t, strings.HasPrefix(f, chunkTempPrefix))
	}
	r, err := restoreChecked(t, data, RestoreOptions{Chunks: dir})
	require.NoError(t, err)
	requireSameState(t, s, r)
}

func TestChunkStoreDamage(t *testing.T) {
	s, _, _ := newScenarioStore(t, 8)
	dir, err := NewDirChunkStore(t.TempDir())
	require.NoError(t, err)
	data, stored := encodeImage(t, s, EncodeOptions{Chunks: dir})
	var ids []ChunkID
	for id := range stored {
		ids = append(ids, id)
	}
	victim, other := ids[0], ids[1]
	path := func(id ChunkID) string { return dir.path(id) }
	good, err := os.ReadFile(path(victim))
	require.NoError(t, err)
	restore := func() error {
		_, err := restoreChecked(t, data, RestoreOptions{Chunks: dir})
		return err
	}

	cases := []struct {
		name   string
		damage func()
		want   string
	}{
		{"payload bit flip", func() {
			b := bytes.Clone(good)
			b[len(b)-3] ^= 0x10
			require.NoError(t, os.WriteFile(path(victim), b, 0o644))
		}, "payload of"},
		{"header bit flip", func() {
			b := bytes.Clone(good)
			b[20] ^= 1
			require.NoError(t, os.WriteFile(path(victim), b, 0o644))
		}, "header checksum"},
		{"truncated", func() {
			require.NoError(t, os.WriteFile(path(victim), good[:len(good)/2], 0o644))
		}, "payload of"},
		{"another chunk's file", func() {
			b, err := os.ReadFile(path(other))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(path(victim), b, 0o644))
		}, "holds chunk"},
		{"valid file, different bytes", func() {
			require.NoError(t, dir.Put(victim, []byte("some other payload")))
		}, "the manifest says"},
		{"missing", func() {
			require.NoError(t, os.Remove(path(victim)))
		}, "no such file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.damage()
			err := restore()
			require.ErrorIs(t, err, ErrCorrupt)
			require.Contains(t, err.Error(), c.want)
			require.Contains(t, err.Error(), victim.String())
			require.NoError(t, os.WriteFile(path(victim), good, 0o644))
			require.NoError(t, restore())
		})
	}
	require.NoError(t, os.Remove(path(victim)))
	require.ErrorIs(t, restore(), fs.ErrNotExist)

	// A damaged file is not vouched for, so the next encode puts it again.
	require.NoError(t, os.WriteFile(path(victim), good[:10], 0o644))
	_, ok := dir.Has(victim)
	require.False(t, ok)
	cs := &countingStore{ChunkStore: dir}
	data, _ = encodeImage(t, s, EncodeOptions{Chunks: cs})
	require.Equal(t, []ChunkID{victim}, cs.takePuts())
	require.NoError(t, restore())
}

func TestParseChunkID(t *testing.T) {
	for _, id := range []ChunkID{{}, {Table: 1, Partition: 4095, Seq: 77}, {Table: ^uint64(0), Partition: ^uint32(0), Seq: ^uint64(0)}} {
		got, err := ParseChunkID(id.String())
		require.NoError(t, err)
		require.Equal(t, id, got)
	}
	for _, bad := range []string{"", "x", "0000000000000001-0001-000000000000000", "0000000000000001-001-0000000000000001", "000000000000000g-0001-0000000000000001", "0000000000000001-00001-0000000000000001", "0000000000000001-0001-0000000000000001-"} {
		_, err := ParseChunkID(bad)
		require.Error(t, err, bad)
	}
}

func TestInline(t *testing.T) {
	s, _, _ := newScenarioStore(t, 8)
	dir, err := NewDirChunkStore(t.TempDir())
	require.NoError(t, err)
	data, _ := encodeImage(t, s, EncodeOptions{Chunks: dir})

	var out bytes.Buffer
	n, err := Inline(&out, bytes.NewReader(data), dir)
	require.NoError(t, err)
	require.EqualValues(t, out.Len(), n)
	require.Equal(t, encodeStore(t, s), out.Bytes(), "same bytes as an encode without a chunk store")
	r, err := restoreChecked(t, out.Bytes(), RestoreOptions{})
	require.NoError(t, err)
	requireSameState(t, s, r)

	// An inline stream passes through unchanged.
	var again bytes.Buffer
	_, err = Inline(&again, bytes.NewReader(out.Bytes()), nil)
	require.NoError(t, err)
	require.Equal(t, out.Bytes(), again.Bytes())

	// A damaged chunk file or stream is caught.
	_, err = Inline(io.Discard, bytes.NewReader(data), nil)
	require.ErrorIs(t, err, ErrCorrupt)
	_, err = Inline(io.Discard, bytes.NewReader(data[:len(data)-1]), dir)
	require.ErrorIs(t, err, ErrCorrupt)
	for id := range dir.mustList(t) {
		require.NoError(t, dir.Put(id, []byte("not the chunk")))
		break
	}
	_, err = Inline(io.Discard, bytes.NewReader(data), dir)
	require.ErrorIs(t, err, ErrCorrupt)
}

// mustList returns the chunk IDs the directory holds.
func (d *DirChunkStore) mustList(t *testing.T) map[ChunkID]bool {
	ids := map[ChunkID]bool{}
	for _, name := range chunkFiles(t, d.dir) {
		if s, ok := strings.CutSuffix(name, chunkFileExt); ok {
			id, err := ParseChunkID(s)
			require.NoError(t, err)
			ids[id] = true
		}
	}
	return ids
}
