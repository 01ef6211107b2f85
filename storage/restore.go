package storage

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// RestoreOptions configure Restore. The zero value is usable for a stream
// with every chunk inline.
type RestoreOptions struct {
	// Allocator holds the restored chunks (default memory.DefaultAllocator).
	Allocator memory.Allocator
	// ChunkRows must be 0 or the row target the state was built with: it
	// decides chunk boundaries, so replicas must agree on it, and the
	// encoded state carries it.
	ChunkRows int
	// Chunks holds the chunks the stream names as external (those Encode
	// put in a ChunkStore). Nil is fine when the stream has none.
	Chunks ChunkStore
}

// Restore reads a state that Image.Encode wrote and returns a store equal
// to the one encoded: same tables, chunks (same IDs, rows, versions),
// history, rollbacks, applied version, and the same chunks for later
// writes. It reads exactly the encoded bytes, nothing after them.
//
// Every length, checksum, and the consistency of manifest and chunks are
// checked: damaged, truncated or crafted input is an error wrapping
// ErrCorrupt that names the frame, table or chunk, never a panic, and
// leaves nothing allocated. A read error other than running out of input is
// returned as it is. A ChunkRows that differs from the encoded one is
// ErrUnsupported.
func Restore(r io.Reader, opts RestoreOptions) (*Store, error) {
	if opts.Allocator == nil {
		opts.Allocator = memory.DefaultAllocator
	}
	rs := &restorer{opts: opts, fr: &frameReader{r: r}}
	st, chunkRows, err := rs.run()
	if err != nil {
		rs.releaseChunks()
		return nil, err
	}
	if invariantsEnabled {
		// Restore's own checks must have rejected anything these find.
		checkInvariants(&state{}, st, chunkRows)
	}
	s := New(Options{Allocator: opts.Allocator, ChunkRows: chunkRows})
	s.cur = st
	return s, nil
}

// restorer holds one Restore's progress, so a failure can release what it
// built.
type restorer struct {
	opts  RestoreOptions
	fr    *frameReader
	slots []chunkSlot
	rows  map[*tableState]map[uint64]int64 // rows per version found in chunks
}

func (rs *restorer) run() (*state, int, error) {
	if err := rs.fr.header(); err != nil {
		return nil, 0, err
	}
	payload, err := rs.fr.next(frameManifest)
	if err != nil {
		return nil, 0, err
	}
	m, err := decodeManifest(payload)
	if err != nil {
		return nil, 0, err
	}
	st, slots, err := m.plan()
	if err != nil {
		return nil, 0, err
	}
	rs.slots = slots
	if rs.opts.ChunkRows != 0 && rs.opts.ChunkRows != m.ChunkRows {
		return nil, 0, fmt.Errorf("%w: restore with chunk rows %d: the state was built with %d, and replicas must agree", ErrUnsupported, rs.opts.ChunkRows, m.ChunkRows)
	}
	rs.rows = map[*tableState]map[uint64]int64{}
	for i := range rs.slots {
		if err := rs.restoreChunk(&rs.slots[i]); err != nil {
			return nil, 0, err
		}
	}
	if err := rs.checkRows(st); err != nil {
		return nil, 0, err
	}
	if err := rs.fr.end(); err != nil {
		return nil, 0, err
	}
	return st, m.ChunkRows, nil
}

func (rs *restorer) restoreChunk(slot *chunkSlot) error {
	payload, err := rs.chunkPayload(slot)
	if err != nil {
		return err
	}
	c, err := decodeChunk(rs.opts.Allocator, &slot.table.def, slot.meta, payload)
	if err != nil {
		return err
	}
	*slot.dst = c
	rs.countRows(slot.table, c)
	return nil
}

// chunkPayload returns a chunk's payload from its frame or the chunk store.
func (rs *restorer) chunkPayload(slot *chunkSlot) ([]byte, error) {
	id := slot.meta.ID
	if slot.external == nil {
		p, err := rs.fr.next(frameChunk)
		if err != nil {
			return nil, err
		}
		if len(p) < chunkIDLen || readChunkID(p) != id {
			return nil, corruptf("frame %d does not hold chunk %s, next in the manifest", rs.fr.frames, id)
		}
		return p[chunkIDLen:], nil
	}
	if rs.opts.Chunks == nil {
		return nil, corruptf("chunk %s is external and no ChunkStore was given", id)
	}
	p, err := rs.opts.Chunks.Get(id)
	if err != nil {
		if errors.Is(err, ErrCorrupt) {
			return nil, fmt.Errorf("external chunk %s: %w", id, err)
		}
		return nil, corruptf("external chunk %s: %w", id, err)
	}
	if got := sumOf(p); got != *slot.external {
		return nil, corruptf("external chunk %s: %d bytes with crc %08x, the manifest says %d with %08x", id, got.Len, got.CRC, slot.external.Len, slot.external.CRC)
	}
	return p, nil
}

func (rs *restorer) countRows(t *tableState, c *Chunk) {
	counts := rs.rows[t]
	if counts == nil {
		counts = map[uint64]int64{}
		rs.rows[t] = counts
	}
	if c.versions == nil {
		counts[c.minV] += int64(c.Rows())
		return
	}
	start := 0
	for i := 1; i <= len(c.versions); i++ {
		if i == len(c.versions) || c.versions[i] != c.versions[start] {
			counts[c.versions[start]] += int64(i - start)
			start = i
		}
	}
}

// checkRows checks that each table's chunks hold, for every version, as
// many rows as its history says that version wrote: no chunk is missing,
// extra, or at a version that wrote nothing.
func (rs *restorer) checkRows(st *state) error {
	for _, name := range sortedTableNames(st) {
		t := st.tables[name]
		counts := rs.rows[t]
		writes := 0
		for _, h := range t.history {
			if h.Kind != VersionWrite {
				continue
			}
			writes++
			if counts[h.Version] != h.Rows {
				return corruptf("table %q: version %d wrote %d rows, its chunks hold %d", t.def.Name, h.Version, h.Rows, counts[h.Version])
			}
		}
		if len(counts) != writes {
			return corruptf("table %q: chunks hold rows at versions that wrote none", t.def.Name)
		}
	}
	return nil
}

// releaseChunks releases the chunks restored so far.
func (rs *restorer) releaseChunks() {
	for _, slot := range rs.slots {
		if *slot.dst != nil {
			(*slot.dst).Release()
			*slot.dst = nil
		}
	}
}

// sumOf returns the ChunkSum of a payload.
func sumOf(p []byte) ChunkSum {
	return ChunkSum{Len: uint64(len(p)), CRC: crc32.Checksum(p, castagnoli)}
}
