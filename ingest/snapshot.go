package ingest

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/stratadb/strata/storage"
)

// An FSM snapshot stream:
//
//	"STRATAFS" | format u32 = 1 | storage stream (storage.Image.Encode)
//	| dedup length u32 | dedup JSON | crc32c(dedup JSON) u32
//
// The storage stream ends with its own end frame, so the dedup table
// follows it directly.
const (
	fsmMagic   = "STRATAFS"
	fsmVersion = 1
	// maxDedupBytes bounds the dedup frame a restore will read.
	maxDedupBytes = 1 << 30
)

// ErrBadSnapshot: a snapshot stream is damaged or of an unknown format.
var ErrBadSnapshot = errors.New("ingest: bad FSM snapshot")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Snapshot is a captured FSM state: cheap to take (pointers and a copy of
// the dedup table), expensive to Persist, which may run while Apply goes
// on.
type Snapshot struct {
	image *storage.Image
	dedup []producer
}

// Capture takes a snapshot. Raft calls it between two Apply calls.
func (f *FSM) Capture() (*Snapshot, error) {
	im, err := f.Store().Capture()
	if err != nil {
		return nil, err
	}
	return &Snapshot{image: im, dedup: f.dedup.clone()}, nil
}

// Persist writes the snapshot.
func (s *Snapshot) Persist(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	hdr := binary.LittleEndian.AppendUint32([]byte(fsmMagic), fsmVersion)
	if _, err := bw.Write(hdr); err != nil {
		return fmt.Errorf("persist snapshot: %w", err)
	}
	if _, err := s.image.WriteTo(bw); err != nil {
		return fmt.Errorf("persist snapshot: %w", err)
	}
	js, err := json.Marshal(dedupToJSON(s.dedup))
	if err != nil {
		return fmt.Errorf("persist snapshot: %w", err)
	}
	frame := binary.LittleEndian.AppendUint32(nil, uint32(len(js)))
	frame = append(frame, js...)
	frame = binary.LittleEndian.AppendUint32(frame, crc32.Checksum(js, castagnoli))
	if _, err := bw.Write(frame); err != nil {
		return fmt.Errorf("persist snapshot: %w", err)
	}
	return bw.Flush()
}

// Release lets go of the captured chunks.
func (s *Snapshot) Release() { s.image.Release() }

// Restore replaces the FSM's state with a snapshot's. On error the FSM is
// unchanged.
func (f *FSM) Restore(r io.Reader) error {
	br := bufio.NewReaderSize(r, 1<<20)
	hdr := make([]byte, len(fsmMagic)+4)
	if _, err := io.ReadFull(br, hdr); err != nil {
		return fmt.Errorf("%w: header: %v", ErrBadSnapshot, err)
	}
	if string(hdr[:len(fsmMagic)]) != fsmMagic {
		return fmt.Errorf("%w: not an FSM snapshot", ErrBadSnapshot)
	}
	if v := binary.LittleEndian.Uint32(hdr[len(fsmMagic):]); v != fsmVersion {
		return fmt.Errorf("%w: format %d, this release reads %d", ErrBadSnapshot, v, fsmVersion)
	}
	store, err := storage.Restore(br, storage.RestoreOptions{Allocator: f.opts.Allocator, ChunkRows: f.opts.ChunkRows})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadSnapshot, err)
	}
	dedup, err := readDedup(br, f.opts.ProducerExpiry)
	if err != nil {
		store.Close()
		return err
	}
	f.dedup = dedup
	f.store.Swap(store).Close()
	return nil
}

func readDedup(r io.Reader, expiry uint64) (*dedupTable, error) {
	var n [4]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, fmt.Errorf("%w: dedup table: %v", ErrBadSnapshot, err)
	}
	size := binary.LittleEndian.Uint32(n[:])
	if size > maxDedupBytes {
		return nil, fmt.Errorf("%w: dedup table of %d bytes", ErrBadSnapshot, size)
	}
	js := make([]byte, int(size)+4)
	if _, err := io.ReadFull(r, js); err != nil {
		return nil, fmt.Errorf("%w: dedup table: %v", ErrBadSnapshot, err)
	}
	body, sum := js[:size], binary.LittleEndian.Uint32(js[size:])
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, fmt.Errorf("%w: dedup table checksum mismatch", ErrBadSnapshot)
	}
	var ps []producerJSON
	if err := json.Unmarshal(body, &ps); err != nil {
		return nil, fmt.Errorf("%w: dedup table: %v", ErrBadSnapshot, err)
	}
	return fromList(expiry, dedupFromJSON(ps)), nil
}

// producerJSON is a producer in the snapshot, idle order preserved.
type producerJSON struct {
	ID        string        `json:"id"`
	Last      uint64        `json:"last"`
	LastIndex uint64        `json:"last_index"`
	Recent    []outcomeJSON `json:"recent"`
}

type outcomeJSON struct {
	Seq     uint64 `json:"seq"`
	Version uint64 `json:"version"`
	Rows    int64  `json:"rows,omitempty"`
	ErrKind uint8  `json:"err_kind,omitempty"`
	ErrMsg  string `json:"err,omitempty"`
}

func dedupToJSON(ps []producer) []producerJSON {
	out := make([]producerJSON, len(ps))
	for i, p := range ps {
		out[i] = producerJSON{ID: p.id, Last: p.last, LastIndex: p.lastIndex}
		for _, o := range p.recent {
			oj := outcomeJSON{Seq: o.seq, Version: o.version, Rows: o.rows}
			if o.err != nil {
				oj.ErrKind, oj.ErrMsg = uint8(o.err.kind), o.err.msg
			}
			out[i].Recent = append(out[i].Recent, oj)
		}
	}
	return out
}

func dedupFromJSON(ps []producerJSON) []producer {
	out := make([]producer, len(ps))
	for i, p := range ps {
		out[i] = producer{id: p.ID, last: p.Last, lastIndex: p.LastIndex}
		for _, o := range p.Recent {
			oc := outcome{seq: o.Seq, version: o.Version, rows: o.Rows}
			if o.ErrMsg != "" {
				oc.err = &appliedError{kind: errKind(o.ErrKind), msg: o.ErrMsg}
			}
			out[i].recent = append(out[i].recent, oc)
		}
	}
	return out
}
