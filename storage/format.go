package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
)

// The persistence format of a store (Image.Encode writes it, Restore reads
// it). All integers are little-endian.
//
// Stream:
//
//	+-------------+------------+----------+---------+-----+---------+-------+
//	| magic       | format u32 | manifest | chunk 1 | ... | chunk n | end   |
//	| "STRATAS\0" | (= 1)      | frame    | frame   |     | frame   | frame |
//	+-------------+------------+----------+---------+-----+---------+-------+
//
// Frame:
//
//	+---------+------------+---------+-------------------------------------+
//	| kind u8 | length u64 | payload | crc32c(kind, length, payload) u32   |
//	+---------+------------+---------+-------------------------------------+
//
//	kind 1, manifest: JSON (see manifest.go): applied version, chunk row
//	        target, every table (definition, history, rollbacks, per partition
//	        the next chunk sequence number and its sealed chunks and write
//	        buffer pieces, in order) and every chunk's ID, rows, version
//	        bounds, sort flag, and where its bytes are: inline or external.
//	kind 2, chunk: table u64 | partition u32 | seq u64 | chunk payload.
//	        One frame per inline chunk, in manifest order.
//	kind 3, end: frames u64 (frames before this one) | offset u64 (stream
//	        bytes before this frame). It makes a stream cut right after a
//	        frame a detectable truncation.
//
// Chunk payload (the body of a chunk frame, and what a ChunkStore holds for
// an external chunk):
//
//	+----------------+------------------------------------------------------+
//	| raw length u64 | zstd frame(s) of raw: an Arrow IPC stream with one   |
//	|                | record batch: the table's columns as the chunk holds |
//	|                | them (strings plain or dictionary-encoded) and, when |
//	|                | rows differ in version, a uint64 "__version" column  |
//	+----------------+------------------------------------------------------+
//
// The CRC covers the frame header too, so a flipped kind or length is caught
// like a flipped payload byte. The header is not length-prefixed: Restore
// reads exactly the stream and nothing after the end frame, so a caller may
// write its own data after it.
const (
	formatMagic   = "STRATAS\x00"
	formatVersion = 1
)

type frameKind uint8

const (
	frameManifest frameKind = 1
	frameChunk    frameKind = 2
	frameEnd      frameKind = 3
)

func (k frameKind) String() string {
	switch k {
	case frameManifest:
		return "manifest"
	case frameChunk:
		return "chunk"
	case frameEnd:
		return "end"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

const (
	streamHeaderLen = len(formatMagic) + 4
	frameHeaderLen  = 1 + 8
	frameCRCLen     = 4
	chunkIDLen      = 8 + 4 + 8
	endPayloadLen   = 8 + 8

	// Sanity bounds on a frame's claimed length. Payloads are read
	// incrementally, so memory follows the bytes actually present; these
	// only reject absurd claims early.
	maxManifestLen   = 1 << 30
	maxChunkFrameLen = 1 << 36
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// corruptf returns an error wrapping ErrCorrupt.
func corruptf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}

// frameWriter writes the stream, counting bytes and frames. The first write
// error sticks.
type frameWriter struct {
	w      io.Writer
	n      int64
	frames uint64
	err    error
}

func (fw *frameWriter) write(p []byte) {
	if fw.err != nil {
		return
	}
	m, err := fw.w.Write(p)
	fw.n += int64(m)
	if err == nil && m < len(p) {
		err = io.ErrShortWrite
	}
	fw.err = err
}

func (fw *frameWriter) header() error {
	var h [streamHeaderLen]byte
	copy(h[:], formatMagic)
	binary.LittleEndian.PutUint32(h[len(formatMagic):], formatVersion)
	fw.write(h[:])
	return fw.err
}

// frame writes one frame whose payload is the concatenation of parts.
func (fw *frameWriter) frame(kind frameKind, parts ...[]byte) error {
	var hdr [frameHeaderLen]byte
	hdr[0] = byte(kind)
	total := 0
	for _, p := range parts {
		total += len(p)
	}
	binary.LittleEndian.PutUint64(hdr[1:], uint64(total))
	crc := crc32.Update(0, castagnoli, hdr[:])
	fw.write(hdr[:])
	for _, p := range parts {
		crc = crc32.Update(crc, castagnoli, p)
		fw.write(p)
	}
	fw.write(binary.LittleEndian.AppendUint32(nil, crc))
	fw.frames++
	return fw.err
}

func (fw *frameWriter) end() error {
	var p [endPayloadLen]byte
	binary.LittleEndian.PutUint64(p[:], fw.frames)
	binary.LittleEndian.PutUint64(p[8:], uint64(fw.n))
	return fw.frame(frameEnd, p[:])
}

func appendChunkID(dst []byte, id ChunkID) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, id.Table)
	dst = binary.LittleEndian.AppendUint32(dst, id.Partition)
	return binary.LittleEndian.AppendUint64(dst, id.Seq)
}

func readChunkID(b []byte) ChunkID {
	return ChunkID{
		Table:     binary.LittleEndian.Uint64(b),
		Partition: binary.LittleEndian.Uint32(b[8:]),
		Seq:       binary.LittleEndian.Uint64(b[12:]),
	}
}

// frameReader reads the stream frame by frame. It reads only what the
// frames claim, so the caller's reader is left right after the end frame.
type frameReader struct {
	r      io.Reader
	off    int64  // bytes consumed
	frames uint64 // frames read
}

// readFull reads len(p) bytes; running out of input is ErrCorrupt (a
// truncated stream), any other read error is returned as it is.
func (fr *frameReader) readFull(p []byte, what string) error {
	n, err := io.ReadFull(fr.r, p)
	fr.off += int64(n)
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return corruptf("truncated at byte %d, reading %s", fr.off, what)
	case err != nil:
		return fmt.Errorf("storage: read %s: %w", what, err)
	}
	return nil
}

func (fr *frameReader) header() error {
	var h [streamHeaderLen]byte
	if err := fr.readFull(h[:], "stream header"); err != nil {
		return err
	}
	if string(h[:len(formatMagic)]) != formatMagic {
		return corruptf("not a Strata state (magic %q)", h[:len(formatMagic)])
	}
	if v := binary.LittleEndian.Uint32(h[len(formatMagic):]); v != formatVersion {
		return corruptf("format version %d; this release reads version %d", v, formatVersion)
	}
	return nil
}

// next reads one frame and checks its CRC and that it is of kind want.
func (fr *frameReader) next(want frameKind) ([]byte, error) {
	num := fr.frames + 1
	what := fmt.Sprintf("frame %d (%s)", num, want)
	var hdr [frameHeaderLen]byte
	if err := fr.readFull(hdr[:], what); err != nil {
		return nil, err
	}
	kind, n := frameKind(hdr[0]), binary.LittleEndian.Uint64(hdr[1:])
	if kind != want {
		return nil, corruptf("frame %d is a %s frame, want %s", num, kind, want)
	}
	if limit := frameLimit(kind); n > limit {
		return nil, corruptf("frame %d (%s) claims %d bytes, more than the %d allowed", num, kind, n, limit)
	}
	payload, err := fr.readPayload(n, what)
	if err != nil {
		return nil, err
	}
	var tail [frameCRCLen]byte
	if err := fr.readFull(tail[:], what+" checksum"); err != nil {
		return nil, err
	}
	crc := crc32.Update(crc32.Update(0, castagnoli, hdr[:]), castagnoli, payload)
	if got := binary.LittleEndian.Uint32(tail[:]); got != crc {
		return nil, corruptf("frame %d (%s): checksum %08x, computed %08x", num, kind, got, crc)
	}
	fr.frames++
	return payload, nil
}

func frameLimit(k frameKind) uint64 {
	switch k {
	case frameManifest:
		return maxManifestLen
	case frameEnd:
		return endPayloadLen
	}
	return maxChunkFrameLen
}

// readPayload reads n bytes, growing its buffer as bytes arrive, so a
// corrupt length costs no more memory than the input holds.
func (fr *frameReader) readPayload(n uint64, what string) ([]byte, error) {
	const step = 1 << 20
	buf := make([]byte, 0, min(n, step))
	for uint64(len(buf)) < n {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, int(min(n-uint64(len(buf)), uint64(max(len(buf), step)))))
		}
		end := min(uint64(cap(buf)), n)
		if err := fr.readFull(buf[len(buf):end], what); err != nil {
			return nil, err
		}
		buf = buf[:end]
	}
	return buf, nil
}

// end reads the end frame and checks it against what was read.
func (fr *frameReader) end() error {
	at := fr.off
	frames := fr.frames
	p, err := fr.next(frameEnd)
	if err != nil {
		return err
	}
	if len(p) != endPayloadLen {
		return corruptf("end frame has %d bytes, want %d", len(p), endPayloadLen)
	}
	gotFrames, gotOff := binary.LittleEndian.Uint64(p), binary.LittleEndian.Uint64(p[8:])
	if gotFrames != frames || gotOff != uint64(at) {
		return corruptf("end frame counts %d frames and %d bytes, the stream had %d and %d", gotFrames, gotOff, frames, at)
	}
	return nil
}
