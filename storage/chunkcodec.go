package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/klauspost/compress/zstd"
)

// versionColumn names the column that carries per-row versions in an
// encoded chunk whose rows differ in version. The "__" prefix is reserved,
// so no table column can take the name.
const versionColumn = "__version"

// Bounds on a chunk payload's claimed raw (decompressed) length. A zstd
// block of at most 128 KiB costs at least 3 bytes, so no valid input
// expands more than ~44000 times; 1<<16 leaves a margin. A claim above
// either bound is corrupt, so a damaged length never drives an allocation.
const (
	maxZstdRatio = 1 << 16
	maxChunkRaw  = 1 << 34
)

// The IPC stream inside a chunk payload is compressed as a whole with these
// coders rather than buffer by buffer with ipc.WithZstd: arrow's reader
// decompresses IPC buffers with a zstd decoder whose window and output
// limits it chooses (up to 64 GiB) and allocates before reading, outside
// any allocator, so a crafted chunk could exhaust memory. Here the output
// is capped at the declared raw length (DecodeAll with a capacity limit),
// and the IPC stream inside must be uncompressed (scanIPC). One zstd frame
// over the whole stream also compresses small chunks better.
var (
	chunkEncoder = sync.OnceValue(func() *zstd.Encoder {
		enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
		if err != nil {
			panic("BUG: zstd encoder: " + err.Error())
		}
		return enc
	})
	chunkDecoder = sync.OnceValue(func() *zstd.Decoder {
		dec, err := zstd.NewReader(nil,
			zstd.WithDecodeAllCapLimit(true),
			zstd.WithDecoderMaxMemory(maxChunkRaw),
			zstd.WithDecoderConcurrency(0))
		if err != nil {
			panic("BUG: zstd decoder: " + err.Error())
		}
		return dec
	})
)

// chunkMeta is what the manifest says about a chunk; decodeChunk checks the
// chunk's bytes against it.
type chunkMeta struct {
	ID         ChunkID
	Rows       int
	MinVersion uint64
	MaxVersion uint64
	Sealed     bool
	Sorted     bool
}

func metaOf(c *Chunk) chunkMeta {
	return chunkMeta{ID: c.id, Rows: c.Rows(), MinVersion: c.minV, MaxVersion: c.maxV, Sealed: c.sealed, Sorted: c.sorted}
}

// appendChunk appends c's payload (see format.go) to dst. mem serves the
// IPC writer's scratch allocations.
func appendChunk(dst []byte, mem memory.Allocator, c *Chunk) ([]byte, error) {
	rec := c.rec
	if c.versions != nil {
		rec = withVersionColumn(c)
		defer rec.Release()
	}
	var raw bytes.Buffer
	w := ipc.NewWriter(&raw, ipc.WithSchema(rec.Schema()), ipc.WithAllocator(mem))
	if err := w.Write(rec); err != nil {
		w.Close()
		return dst, fmt.Errorf("storage: encode chunk %s: %w", c.id, err)
	}
	if err := w.Close(); err != nil {
		return dst, fmt.Errorf("storage: encode chunk %s: %w", c.id, err)
	}
	dst = binary.LittleEndian.AppendUint64(dst, uint64(raw.Len()))
	return chunkEncoder().EncodeAll(raw.Bytes(), dst), nil
}

// withVersionColumn returns c's record plus a "__version" column that
// aliases c.versions (no copy; the record must not outlive c).
func withVersionColumn(c *Chunk) arrow.RecordBatch {
	buf := memory.NewBufferBytes(arrow.Uint64Traits.CastToBytes(c.versions))
	data := array.NewData(arrow.PrimitiveTypes.Uint64, len(c.versions), []*memory.Buffer{nil, buf}, nil, 0, 0)
	defer data.Release()
	vers := array.NewUint64Data(data)
	defer vers.Release()
	fields := append(c.rec.Schema().Fields(), arrow.Field{Name: versionColumn, Type: arrow.PrimitiveTypes.Uint64})
	cols := append(c.rec.Columns()[:len(fields)-1:len(fields)-1], vers)
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, c.rec.NumRows())
}

// decodeChunk rebuilds the chunk m describes from its payload, checking
// every byte against def and m. Any problem is ErrCorrupt, never a panic,
// and leaves nothing allocated from mem.
func decodeChunk(mem memory.Allocator, def *TableDef, m chunkMeta, payload []byte) (c *Chunk, err error) {
	raw, err := inflateChunk(m.ID, payload)
	if err != nil {
		return nil, err
	}
	if err := scanIPC(raw); err != nil {
		return nil, corruptf("chunk %s: %v", m.ID, err)
	}
	alloc := newDecodeAllocator(mem, 2*len(raw)+1<<20)
	defer func() {
		if p := recover(); p != nil {
			c, err = nil, corruptf("chunk %s: malformed Arrow data: %v", m.ID, p)
		}
		if err != nil {
			alloc.abort()
			return
		}
		alloc.commit()
	}()
	rec, err := readIPCRecord(alloc, raw)
	if err != nil {
		return nil, corruptf("chunk %s: %v", m.ID, err)
	}
	defer rec.Release()
	return buildDecodedChunk(def, m, rec)
}

// inflateChunk checks a payload's raw length and decompresses it.
func inflateChunk(id ChunkID, payload []byte) ([]byte, error) {
	if len(payload) < 8 {
		return nil, corruptf("chunk %s: payload of %d bytes", id, len(payload))
	}
	rawLen := binary.LittleEndian.Uint64(payload)
	body := payload[8:]
	if rawLen == 0 || rawLen > maxChunkRaw || rawLen/maxZstdRatio > uint64(len(body)) {
		return nil, corruptf("chunk %s: claims %d bytes from %d compressed", id, rawLen, len(body))
	}
	raw, err := chunkDecoder().DecodeAll(body, make([]byte, 0, rawLen))
	if err != nil {
		return nil, corruptf("chunk %s: decompress: %v", id, err)
	}
	if uint64(len(raw)) != rawLen {
		return nil, corruptf("chunk %s: decompressed to %d bytes, header says %d", id, len(raw), rawLen)
	}
	return raw, nil
}

// readIPCRecord reads the single record batch of an IPC stream. The caller
// releases it.
func readIPCRecord(mem memory.Allocator, raw []byte) (arrow.RecordBatch, error) {
	limit := int64(len(raw))
	msgs := ipc.NewMessageReader(bytes.NewReader(raw), ipc.WithAllocator(mem),
		ipc.WithMetadataSizeLimit(limit), ipc.WithBodySizeLimit(limit))
	rdr, err := ipc.NewReaderFromMessageReader(msgs, ipc.WithAllocator(mem)) // owns msgs, even on error
	if err != nil {
		return nil, err
	}
	defer rdr.Release()
	if !rdr.Next() {
		if err := rdr.Err(); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("no record batch")
	}
	rec := rdr.RecordBatch()
	rec.Retain()
	if rdr.Next() || rdr.Err() != nil {
		rec.Release()
		if err := rdr.Err(); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("more than one record batch")
	}
	return rec, nil
}

// buildDecodedChunk checks a decoded record against def and m and builds
// the chunk, with a record in the canonical chunk schema.
func buildDecodedChunk(def *TableDef, m chunkMeta, rec arrow.RecordBatch) (*Chunk, error) {
	cols, versions, err := checkDecodedRecord(def, m, rec)
	if err != nil {
		return nil, err
	}
	out := array.NewRecordBatch(recordSchema(def, cols), cols, int64(m.Rows))
	var c *Chunk
	if versions == nil {
		c = newConstChunk(m.ID, out, m.MinVersion, m.Sealed, m.Sorted)
	} else {
		c = newChunk(m.ID, out, versions, m.Sealed, m.Sorted)
	}
	if c.minV != m.MinVersion || c.maxV != m.MaxVersion {
		c.Release()
		return nil, corruptf("chunk %s: row versions span %d..%d, the manifest says %d..%d", m.ID, c.minV, c.maxV, m.MinVersion, m.MaxVersion)
	}
	if err := checkChunkPlacement(def, c); err != nil {
		c.Release()
		return nil, err
	}
	return c, nil
}
