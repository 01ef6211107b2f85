package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ChunkSum identifies the bytes of an encoded chunk: their length and
// CRC-32C (Castagnoli). The manifest records it for every external chunk,
// so Restore rejects a chunk file that is damaged, or valid but not the
// chunk the stream was written with (a chunk ID is unique only within one
// history of versions: a data directory reused by a store rebuilt from a
// different log could hold another chunk under the same ID).
type ChunkSum struct {
	Len uint64 `json:"len"`
	CRC uint32 `json:"crc"`
}

// ChunkStore holds encoded sealed chunks outside the state stream (see
// EncodeOptions). Implementations must be safe for concurrent use.
type ChunkStore interface {
	// Has reports whether the store holds chunk id, and its sum. A chunk
	// it cannot vouch for (unreadable, damaged header) is reported absent,
	// so Encode puts it again.
	Has(id ChunkID) (ChunkSum, bool)
	// Put stores a chunk's payload durably, replacing any earlier one.
	// It must not keep data after returning.
	Put(id ChunkID, data []byte) error
	// Get returns a chunk's payload. A missing chunk is an error wrapping
	// fs.ErrNotExist; a damaged one, ErrCorrupt.
	Get(id ChunkID) ([]byte, error)
}

// DirChunkStore is a ChunkStore with one file per chunk in a directory.
//
// A file is written to a temporary name, synced, renamed into place and the
// directory synced, so a crash leaves either the old state or the complete
// new file. Its content carries its own checksums:
//
//	+-------------+------------+-----------------------------+-------------+-------------+
//	| magic       | format u32 | chunk ID: table u64,        | payload     | payload     |
//	| "STRATAC\0" | (= 1)      | partition u32, seq u64      | length u64  | crc32c u32  |
//	+-------------+------------+-----------------------------+-------------+-------------+
//	| header crc32c u32 (of the 44 bytes above) | payload (a chunk payload, format.go) |
//	+-------------------------------------------+--------------------------------------+
//
// Files are named <ChunkID>.chunk. Chunks are never modified, only added
// and, by Retain, removed.
//
// A directory belongs to one history of versions: chunk IDs, and so file
// names, are unique only within one Raft log. Keep it with the log; when
// the log is reset (a new cluster on old disks), reset it too, or a file
// left over could stand in for a different chunk with the same ID (its own
// checksums would hold; the manifest's sum guards only against a file
// changing after the stream naming it was written).
type DirChunkStore struct {
	dir string
}

const (
	chunkFileMagic     = "STRATAC\x00"
	chunkFileVersion   = 1
	chunkFileHeaderLen = 8 + 4 + chunkIDLen + 8 + 4 + 4
	chunkFileExt       = ".chunk"
	chunkTempPrefix    = ".tmp-"
)

// NewDirChunkStore opens (creating it if needed) a chunk directory.
func NewDirChunkStore(dir string) (*DirChunkStore, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("storage: chunk store: %w", err)
	}
	return &DirChunkStore{dir: dir}, nil
}

// Dir returns the directory.
func (d *DirChunkStore) Dir() string { return d.dir }

func (d *DirChunkStore) path(id ChunkID) string {
	return filepath.Join(d.dir, id.String()+chunkFileExt)
}

func chunkFileHeader(id ChunkID, data []byte) []byte {
	h := make([]byte, 0, chunkFileHeaderLen)
	h = append(h, chunkFileMagic...)
	h = binary.LittleEndian.AppendUint32(h, chunkFileVersion)
	h = appendChunkID(h, id)
	h = binary.LittleEndian.AppendUint64(h, uint64(len(data)))
	h = binary.LittleEndian.AppendUint32(h, crc32.Checksum(data, castagnoli))
	return binary.LittleEndian.AppendUint32(h, crc32.Checksum(h, castagnoli))
}

// parseChunkFileHeader checks a header and returns the payload's sum.
func parseChunkFileHeader(id ChunkID, h []byte) (ChunkSum, error) {
	n := chunkFileHeaderLen - 4
	switch {
	case len(h) < chunkFileHeaderLen:
		return ChunkSum{}, corruptf("chunk file %s: %d bytes", id, len(h))
	case binary.LittleEndian.Uint32(h[n:]) != crc32.Checksum(h[:n], castagnoli):
		return ChunkSum{}, corruptf("chunk file %s: header checksum mismatch", id)
	case string(h[:8]) != chunkFileMagic:
		return ChunkSum{}, corruptf("chunk file %s: not a chunk file", id)
	case binary.LittleEndian.Uint32(h[8:]) != chunkFileVersion:
		return ChunkSum{}, corruptf("chunk file %s: format version %d", id, binary.LittleEndian.Uint32(h[8:]))
	case readChunkID(h[12:]) != id:
		return ChunkSum{}, corruptf("chunk file %s holds chunk %s", id, readChunkID(h[12:]))
	}
	return ChunkSum{Len: binary.LittleEndian.Uint64(h[32:]), CRC: binary.LittleEndian.Uint32(h[40:])}, nil
}

// Has reads the file's header only; a damaged payload is found by Get.
func (d *DirChunkStore) Has(id ChunkID) (ChunkSum, bool) {
	f, err := os.Open(d.path(id))
	if err != nil {
		return ChunkSum{}, false
	}
	defer f.Close()
	var h [chunkFileHeaderLen]byte
	if _, err := io.ReadFull(f, h[:]); err != nil {
		return ChunkSum{}, false
	}
	sum, err := parseChunkFileHeader(id, h[:])
	if err != nil {
		return ChunkSum{}, false
	}
	if fi, err := f.Stat(); err != nil || uint64(fi.Size()) != chunkFileHeaderLen+sum.Len {
		return ChunkSum{}, false
	}
	return sum, true
}

// Get reads and checks a chunk file.
func (d *DirChunkStore) Get(id ChunkID) ([]byte, error) {
	b, err := os.ReadFile(d.path(id))
	if err != nil {
		return nil, fmt.Errorf("storage: chunk store: %w", err)
	}
	sum, err := parseChunkFileHeader(id, b)
	if err != nil {
		return nil, err
	}
	p := b[chunkFileHeaderLen:]
	if got := sumOf(p); got != sum {
		return nil, corruptf("chunk file %s: payload of %d bytes with crc %08x, header says %d with %08x", id, got.Len, got.CRC, sum.Len, sum.CRC)
	}
	return p, nil
}

// Put writes a chunk file atomically and durably.
func (d *DirChunkStore) Put(id ChunkID, data []byte) error {
	if err := d.writeFile(id, data); err != nil {
		return fmt.Errorf("storage: chunk store: put %s: %w", id, err)
	}
	return nil
}

func (d *DirChunkStore) writeFile(id ChunkID, data []byte) error {
	f, err := os.CreateTemp(d.dir, chunkTempPrefix+id.String()+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(chunkFileHeader(id, data))
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, d.path(id))
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(d.dir)
}

// Retain deletes every chunk file whose chunk is not in keep, and leftover
// temporary files. Call it once a state stream is durable, with the chunks
// that stream (and any other stream still to be restored) names, usually
// Image.StoredChunks of the image it was encoded from. It must not run
// while an Encode uses this store: that Encode may count on a file Retain
// is about to delete. Files it does not recognise are left alone.
func (d *DirChunkStore) Retain(keep map[ChunkID]bool) error {
	entries, err := os.ReadDir(d.dir)
	if err != nil {
		return fmt.Errorf("storage: chunk store: %w", err)
	}
	var errs []error
	for _, e := range entries {
		name := e.Name()
		remove := strings.HasPrefix(name, chunkTempPrefix)
		if s, ok := strings.CutSuffix(name, chunkFileExt); ok && !remove {
			id, err := ParseChunkID(s)
			remove = err == nil && !keep[id]
		}
		if remove {
			if err := os.Remove(filepath.Join(d.dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	if err := errors.Join(append(errs, syncDir(d.dir))...); err != nil {
		return fmt.Errorf("storage: chunk store: retain: %w", err)
	}
	return nil
}

// syncDir makes renames and removals in dir durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
