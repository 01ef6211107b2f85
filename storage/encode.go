package storage

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Image is the whole state of a store at one applied version, captured for
// encoding: it holds a reference to every chunk, so later mutations and
// Close cannot free them. Capturing costs a retain per chunk and holds no
// lock afterwards; encoding can then run while the store takes new writes.
// This is the split a Raft FSM needs: Snapshot captures, Persist encodes.
//
//	im, err := s.Capture()   // cheap, under a read lock
//	defer im.Release()
//	_, err = im.Encode(sink, storage.EncodeOptions{Chunks: dir})
//	... once the snapshot is durable: dir.Retain(im.StoredChunks())
type Image struct {
	st        *state
	chunkRows int
	mem       memory.Allocator
	released  atomic.Bool
}

// EncodeOptions configure Image.Encode.
type EncodeOptions struct {
	// Chunks, when set, receives the sealed chunks instead of the stream:
	// each sealed chunk the store does not hold yet is Put, and the stream
	// only names it. Sealed chunks never change, so the next encode puts
	// only the chunks sealed since. Write buffer pieces are always inline.
	// Restore then needs the same ChunkStore.
	Chunks ChunkStore
}

// errImageReleased: Encode was called after Release.
var errImageReleased = errors.New("storage: image released")

// Capture takes an Image of the current state. It fails only when the store
// is closed.
func (s *Store) Capture() (*Image, error) {
	s.stateMu.RLock()
	defer s.stateMu.RUnlock()
	if s.closed {
		return nil, ErrClosed
	}
	st := s.cur
	for _, t := range st.tables {
		t.chunks(func(_ int, c *Chunk) { c.Retain() })
	}
	return &Image{st: st, chunkRows: s.chunkRows, mem: s.mem}, nil
}

// Version is the applied version the image holds.
func (im *Image) Version() uint64 { return im.st.applied }

// Release drops the image's chunk references. It is safe to call twice, but
// not while Encode runs.
func (im *Image) Release() {
	if im.released.Swap(true) {
		return
	}
	for _, t := range im.st.tables {
		t.chunks(func(_ int, c *Chunk) { c.Release() })
	}
}

// StoredChunks returns the IDs of the chunks Encode puts in a ChunkStore
// (every sealed chunk). Once a stream encoded from this image is durable,
// DirChunkStore.Retain(StoredChunks()) may delete every other chunk file.
func (im *Image) StoredChunks() map[ChunkID]bool {
	ids := map[ChunkID]bool{}
	for _, t := range im.st.tables {
		for _, p := range t.parts {
			for _, c := range p.sealed {
				ids[c.id] = true
			}
		}
	}
	return ids
}

// WriteTo encodes the image with every chunk inline. It implements
// io.WriterTo.
func (im *Image) WriteTo(w io.Writer) (int64, error) {
	return im.Encode(w, EncodeOptions{})
}

// Encode writes the image in the format described in format.go and
// returns the bytes written. Encoding the same state gives the same bytes
// on every replica. Errors from w or the chunk store are returned wrapped.
func (im *Image) Encode(w io.Writer, opts EncodeOptions) (int64, error) {
	if im.released.Load() {
		return 0, errImageReleased
	}
	enc := &encoder{im: im, opts: opts}
	m, err := buildManifest(im.st, im.chunkRows, enc.external)
	if err != nil {
		return 0, err
	}
	fw, err := startStream(w, m)
	if err != nil {
		return fw.n, err
	}
	if err := im.eachInline(opts, func(c *Chunk) error { return enc.writeChunk(fw, c) }); err != nil {
		return fw.n, err
	}
	if err := fw.end(); err != nil {
		return fw.n, fmt.Errorf("storage: write state: %w", err)
	}
	return fw.n, nil
}

// eachInline calls fn for the inline chunks, in manifest order.
func (im *Image) eachInline(opts EncodeOptions, fn func(*Chunk) error) error {
	for _, name := range sortedTableNames(im.st) {
		for _, p := range im.st.tables[name].parts {
			if opts.Chunks == nil {
				for _, c := range p.sealed {
					if err := fn(c); err != nil {
						return err
					}
				}
			}
			for _, c := range p.pieces {
				if err := fn(c); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// encoder carries one Encode's scratch buffer.
type encoder struct {
	im   *Image
	opts EncodeOptions
	buf  []byte
}

// external decides where c goes: nil (inline) unless a chunk store takes
// sealed chunks, which it then holds, put now if it did not already.
func (e *encoder) external(c *Chunk) (*ChunkSum, error) {
	if e.opts.Chunks == nil || !c.sealed {
		return nil, nil
	}
	if sum, ok := e.opts.Chunks.Has(c.id); ok {
		return &sum, nil
	}
	var err error
	if e.buf, err = appendChunk(e.buf[:0], e.im.mem, c); err != nil {
		return nil, err
	}
	if err := e.opts.Chunks.Put(c.id, e.buf); err != nil {
		return nil, fmt.Errorf("storage: put chunk %s: %w", c.id, err)
	}
	sum := sumOf(e.buf)
	return &sum, nil
}

func (e *encoder) writeChunk(fw *frameWriter, c *Chunk) error {
	var err error
	if e.buf, err = appendChunk(e.buf[:0], e.im.mem, c); err != nil {
		return err
	}
	if err := fw.frame(frameChunk, appendChunkID(nil, c.id), e.buf); err != nil {
		return fmt.Errorf("storage: write state: %w", err)
	}
	return nil
}

func sortedTableNames(st *state) []string {
	names := make([]string, 0, len(st.tables))
	for name := range st.tables {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// WriteTo encodes the store's current state with every chunk inline:
// Capture, Encode, Release. It implements io.WriterTo.
func (s *Store) WriteTo(w io.Writer) (int64, error) {
	im, err := s.Capture()
	if err != nil {
		return 0, err
	}
	defer im.Release()
	return im.WriteTo(w)
}

// startStream writes the header and the manifest frame of a stream.
func startStream(w io.Writer, m manifest) (*frameWriter, error) {
	fw := &frameWriter{w: w}
	mb, err := encodeManifest(m)
	if err != nil {
		return fw, err
	}
	fw.header()
	if err := fw.frame(frameManifest, mb); err != nil {
		return fw, fmt.Errorf("storage: write state: %w", err)
	}
	return fw, nil
}
