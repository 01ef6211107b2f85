package ingest

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/stratadb/strata/storage"
)

// An FSM snapshot stream:
//
//	"STRATAFS" | format u32 = 1 | storage stream (storage.Image.Encode)
//	| dedup length u64 | dedup table (dedupcodec.go) | crc32c(dedup table) u32
//
// The storage stream ends with its own end frame, so the dedup table
// follows it directly.
const (
	fsmMagic   = "STRATAFS"
	fsmVersion = 1
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
	body := appendDedup(nil, s.dedup)
	if len(body) > maxDedupBytes {
		// Restore would refuse it: fail now, while the last good snapshot
		// is still there.
		return fmt.Errorf("persist snapshot: dedup table of %d bytes exceeds %d", len(body), maxDedupBytes)
	}
	frame := binary.LittleEndian.AppendUint64(nil, uint64(len(body)))
	frame = append(frame, body...)
	frame = binary.LittleEndian.AppendUint32(frame, crc32.Checksum(body, castagnoli))
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
	dedup, err := readDedup(br, f.opts.ProducerExpiry, f.opts.MaxProducers)
	if err != nil {
		store.Close()
		return err
	}
	f.dedup = dedup
	f.store.Swap(store).Close()
	return nil
}

func readDedup(r io.Reader, expiry uint64, maxProducers int) (*dedupTable, error) {
	var n [8]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, fmt.Errorf("%w: dedup table: %v", ErrBadSnapshot, err)
	}
	size := binary.LittleEndian.Uint64(n[:])
	if size > maxDedupBytes {
		return nil, fmt.Errorf("%w: dedup table of %d bytes", ErrBadSnapshot, size)
	}
	body := make([]byte, int(size)+4)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, fmt.Errorf("%w: dedup table: %v", ErrBadSnapshot, err)
	}
	sum := binary.LittleEndian.Uint32(body[size:])
	body = body[:size]
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, fmt.Errorf("%w: dedup table checksum mismatch", ErrBadSnapshot)
	}
	ps, err := decodeDedup(body)
	if err != nil {
		return nil, err
	}
	return fromList(expiry, maxProducers, ps), nil
}
