package ingest

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"maps"
	"sync"

	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/storage"
)

// An FSM snapshot stream:
//
//	"STRATAFS" | format u32 = 3 | storage stream (storage.Image.Encode)
//	| dedup length u64 | dedup table (dedupcodec.go) | crc32c(dedup table) u32
//	| members length u64 | members (members.go) | crc32c(members) u32
//	| pipelines length u64 | pipelines (pipelines.go) | crc32c(pipelines) u32
//
// The storage stream ends with its own end frame, so the dedup table
// follows it directly. Format 2 is the same without the pipelines frame,
// format 1 also without the members frame; Restore still reads both (as
// no pipelines, and no members). With
// Options.Chunks, the storage stream names its sealed chunks instead of
// holding them (storage.EncodeOptions); they are in the chunk store.
const (
	fsmMagic   = "STRATAFS"
	fsmVersion = 3
	// fsmVersionMembers is the first format with the members frame.
	fsmVersionMembers = 2
	// fsmVersionPipelines is the first format with the pipelines frame.
	fsmVersionPipelines = 3
	// fsmVersionNoMembers is the oldest format Restore reads.
	fsmVersionNoMembers = 1
	// maxDedupBytes bounds the dedup frame (Persist refuses to write a
	// larger one, Restore to read it). DefaultMaxProducers keeps the
	// table far below it.
	maxDedupBytes = 1 << 31
)

// ErrBadSnapshot: a snapshot stream is damaged or of an unknown format.
var ErrBadSnapshot = errors.New("ingest: bad FSM snapshot")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Snapshot is a captured FSM state: cheap to take (pointers and a copy of
// the dedup table), expensive to Persist, which may run while Apply goes
// on.
type Snapshot struct {
	image   *storage.Image
	dedup   []producer
	members []*stratapb.Member // immutable, sorted by node ID
	// pipelines is immutable, sorted by name.
	pipelines []*stratapb.PipelineStatus
	chunks    ChunkStore // Options.Chunks
	retained  *retention
}

// retention tracks the chunks Options.Chunks must keep: those of the two
// newest streams persisted (or restored), by version. Raft keeps two
// snapshots on disk, the newest first, and falls back to the older when the
// newest fails to restore; while a new one is written (it becomes durable
// only after Persist returns, and may never) both are still there. So a
// Persist keeps its own chunks and those two streams', whatever order
// persists and restores finish in (a snapshot captured before a restore can
// be persisted after it). mu also keeps Persist (which puts and deletes
// chunks) and Restore (which reads, and may put, them) apart: Persist runs
// concurrently with Apply and Restore.
type retention struct {
	mu      sync.Mutex
	streams [2]retainedStream // newest first
}

type retainedStream struct {
	version uint64
	chunks  map[storage.ChunkID]bool
}

// keep is every chunk the retained streams name, plus extra.
func (r *retention) keep(extra map[storage.ChunkID]bool) map[storage.ChunkID]bool {
	keep := maps.Clone(extra)
	if keep == nil {
		keep = map[storage.ChunkID]bool{}
	}
	for _, s := range r.streams {
		maps.Copy(keep, s.chunks)
	}
	return keep
}

// add records a stream of state version v naming chunks: the two newest
// streams are kept.
func (r *retention) add(v uint64, chunks map[storage.ChunkID]bool) {
	s := retainedStream{version: v, chunks: chunks}
	switch {
	case v >= r.streams[0].version:
		r.streams[1], r.streams[0] = r.streams[0], s
	case v >= r.streams[1].version:
		r.streams[1] = s
	}
}

// Capture takes a snapshot. Raft calls it between two Apply calls.
func (f *FSM) Capture() (*Snapshot, error) {
	im, err := f.Store().Capture()
	if err != nil {
		return nil, err
	}
	return &Snapshot{image: im, dedup: f.dedup.clone(), members: f.loadMembers(), pipelines: f.loadPipelines(), chunks: f.opts.Chunks, retained: &f.retained}, nil
}

// Persist writes the snapshot. With Options.Chunks, the sealed chunks the
// chunk store does not hold yet are put there and the stream only names
// them; once the stream is written, chunks neither it nor the stream
// persisted before it name are deleted from the store.
func (s *Snapshot) Persist(w io.Writer) error {
	if s.chunks != nil {
		s.retained.mu.Lock()
		defer s.retained.mu.Unlock()
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	hdr := binary.LittleEndian.AppendUint32([]byte(fsmMagic), fsmVersion)
	if _, err := bw.Write(hdr); err != nil {
		return fmt.Errorf("persist snapshot: %w", err)
	}
	if _, err := s.image.Encode(bw, storage.EncodeOptions{Chunks: s.chunks}); err != nil {
		return fmt.Errorf("persist snapshot: %w", err)
	}
	body := appendDedup(nil, s.dedup)
	if len(body) > maxDedupBytes {
		// Restore would refuse it: fail now, while the last good snapshot
		// is still there.
		return fmt.Errorf("persist snapshot: dedup table of %d bytes exceeds %d", len(body), maxDedupBytes)
	}
	if err := writeFrame(bw, body); err != nil {
		return fmt.Errorf("persist snapshot: %w", err)
	}
	mbody, err := appendMembers(nil, s.members)
	if err != nil {
		return fmt.Errorf("persist snapshot: %w", err)
	}
	if len(mbody) > maxMembersBytes {
		return fmt.Errorf("persist snapshot: member registry of %d bytes exceeds %d", len(mbody), maxMembersBytes)
	}
	if err := writeFrame(bw, mbody); err != nil {
		return fmt.Errorf("persist snapshot: %w", err)
	}
	pbody, err := appendPipelines(nil, s.pipelines)
	if err != nil {
		return fmt.Errorf("persist snapshot: %w", err)
	}
	if len(pbody) > maxPipelinesBytes {
		return fmt.Errorf("persist snapshot: pipelines of %d bytes exceed %d", len(pbody), maxPipelinesBytes)
	}
	if err := writeFrame(bw, pbody); err != nil {
		return fmt.Errorf("persist snapshot: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("persist snapshot: %w", err)
	}
	if s.chunks == nil {
		return nil
	}
	// The stream is written but not yet durable (raft syncs it after
	// Persist returns), so the retained streams' chunks stay too: if this
	// one never completes, one of those is what raft restores.
	stored := s.image.StoredChunks()
	if err := s.chunks.Retain(s.retained.keep(stored)); err != nil {
		// Fail the snapshot, so it shows: nothing any stream needs was
		// deleted, and the next snapshot retries.
		return fmt.Errorf("persist snapshot: %w", err)
	}
	s.retained.add(s.image.Version(), stored)
	return nil
}

// Release lets go of the captured chunks.
func (s *Snapshot) Release() { s.image.Release() }

// Restore replaces the FSM's state with a snapshot's. The chunks the
// stream names as external are read from Options.Chunks. On error the FSM
// is unchanged.
func (f *FSM) Restore(r io.Reader) error {
	f.retained.mu.Lock()
	defer f.retained.mu.Unlock()
	br := bufio.NewReaderSize(r, 1<<20)
	hdr := make([]byte, len(fsmMagic)+4)
	if _, err := io.ReadFull(br, hdr); err != nil {
		return fmt.Errorf("%w: header: %v", ErrBadSnapshot, err)
	}
	if string(hdr[:len(fsmMagic)]) != fsmMagic {
		return fmt.Errorf("%w: not an FSM snapshot", ErrBadSnapshot)
	}
	format := binary.LittleEndian.Uint32(hdr[len(fsmMagic):])
	if format < fsmVersionNoMembers || format > fsmVersion {
		return fmt.Errorf("%w: format %d, this release reads %d to %d", ErrBadSnapshot, format, fsmVersionNoMembers, fsmVersion)
	}
	store, err := storage.Restore(br, storage.RestoreOptions{Allocator: f.opts.Allocator, ChunkRows: f.opts.ChunkRows, Chunks: f.opts.Chunks})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadSnapshot, err)
	}
	dedup, err := readDedup(br, f.opts.ProducerExpiry, f.opts.MaxProducers)
	if err != nil {
		store.Close()
		return err
	}
	var members []*stratapb.Member
	if format >= fsmVersionMembers {
		body, err := readFrame(br, "member registry", maxMembersBytes)
		if err == nil {
			members, err = decodeMembers(body)
		}
		if err != nil {
			store.Close()
			return err
		}
	}
	var pipelines []*stratapb.PipelineStatus
	if format >= fsmVersionPipelines {
		body, err := readFrame(br, "pipelines", maxPipelinesBytes)
		if err == nil {
			pipelines, err = decodePipelines(body)
		}
		if err != nil {
			store.Close()
			return err
		}
	}
	if f.opts.Chunks != nil {
		// The restored stream is on disk: its chunks stay until two
		// newer streams are.
		restored, err := storedChunks(store)
		if err != nil {
			store.Close()
			return err
		}
		f.retained.add(store.Applied(), restored)
	}
	f.dedup = dedup
	f.storeMembers(members)
	f.storePipelines(pipelines)
	f.store.Swap(store).Close()
	return nil
}

// storedChunks is the set of chunks an encode of st's state would put in a
// chunk store: those a stream of that state names.
func storedChunks(st *storage.Store) (map[storage.ChunkID]bool, error) {
	im, err := st.Capture()
	if err != nil {
		return nil, err
	}
	defer im.Release()
	return im.StoredChunks(), nil
}

func readDedup(r io.Reader, expiry uint64, maxProducers int) (*dedupTable, error) {
	body, err := readFrame(r, "dedup table", maxDedupBytes)
	if err != nil {
		return nil, err
	}
	ps, err := decodeDedup(body)
	if err != nil {
		return nil, err
	}
	return fromList(expiry, maxProducers, ps), nil
}
