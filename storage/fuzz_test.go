package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

// Run: go test -run '^$' -fuzz FuzzRestore -fuzztime 60s ./storage
// (likewise FuzzChunkCodec, FuzzChunkDecode). Interesting inputs land in
// testdata/fuzz/<name>; commit them.

// FuzzRestore: Restore never panics or leaks; it either fails with
// ErrCorrupt or returns a store whose encoding restores to the same
// encoding. Each input is tried as it is and with its frame checksums
// recomputed, so mutations also reach the manifest and chunk checks.
func FuzzRestore(f *testing.F) {
	for _, data := range fuzzStates(f) {
		f.Add(data)
		f.Add(data[:len(data)/2])
		f.Add(resealFrames(editAt(data, len(data)/3)))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRestore(t, data)
		checkRestore(t, resealFrames(data))
	})
}

func checkRestore(t *testing.T, data []byte) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s, err := Restore(bytes.NewReader(data), RestoreOptions{Allocator: mem})
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("error is not ErrCorrupt: %v", err)
		}
		return
	}
	defer s.Close()
	var first bytes.Buffer
	_, err = s.WriteTo(&first)
	require.NoError(t, err)
	s2, err := Restore(bytes.NewReader(first.Bytes()), RestoreOptions{Allocator: mem})
	require.NoError(t, err, "re-encoding of an accepted input must restore")
	defer s2.Close()
	var second bytes.Buffer
	_, err = s2.WriteTo(&second)
	require.NoError(t, err)
	require.Equal(t, first.Bytes(), second.Bytes())
}

// fuzzStates returns small valid encodings.
func fuzzStates(tb testing.TB) [][]byte {
	var out [][]byte
	for _, build := range []func(testing.TB, *Store, memory.Allocator){buildSmall, buildSmallEvents} {
		s := New(Options{ChunkRows: 6})
		build(tb, s, memory.DefaultAllocator)
		out = append(out, encodeStore(tb, s))
		s.Close()
	}
	return out
}

func buildSmallEvents(t testing.TB, s *Store, mem memory.Allocator) {
	require.NoError(t, s.CreateTable(1, eventsDef))
	for v := uint64(2); v < 6; v++ {
		applyRecord(t, s, v, "events", buildRecord(t, mem, &eventsDef, eventRows(int(v)*3, int(v)*3+int(v), v)))
	}
}

func editAt(data []byte, i int) []byte {
	out := bytes.Clone(data)
	out[i] ^= 0x20
	return out
}

// resealFrames recomputes the checksum of every frame whose length fits,
// and the counts of an end frame, leaving everything else as it is.
func resealFrames(data []byte) []byte {
	out := bytes.Clone(data)
	pos, frames := streamHeaderLen, 0
	for pos+frameHeaderLen+frameCRCLen <= len(out) {
		n := binary.LittleEndian.Uint64(out[pos+1:])
		if n > uint64(len(out)-pos-frameHeaderLen-frameCRCLen) {
			break
		}
		end := pos + frameHeaderLen + int(n)
		if frameKind(out[pos]) == frameEnd && n == endPayloadLen {
			binary.LittleEndian.PutUint64(out[pos+frameHeaderLen:], uint64(frames))
			binary.LittleEndian.PutUint64(out[pos+frameHeaderLen+8:], uint64(pos))
		}
		binary.LittleEndian.PutUint32(out[end:], crcOf(out[pos:end]))
		pos, frames = end+frameCRCLen, frames+1
	}
	return out
}

// codecDef is kitchenDef in one partition, so any rows fit a chunk.
var codecDef = func() TableDef {
	d := kitchenDef.Clone()
	d.Name, d.PartitionKey, d.Buckets = "codec", nil, 0
	d, err := d.normalize()
	if err != nil {
		panic(err)
	}
	return d
}()

// FuzzChunkCodec: a chunk built from any rows (any float bits, strings,
// nulls, plain or dictionary strings, sorted or not, one version or many)
// decodes to the same chunk.
func FuzzChunkCodec(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("a small seed with some rows in it"))
	f.Add(bytes.Repeat([]byte{0xff, 0x7f, 0, 1, 2, 3, 0xf8}, 40))
	f.Fuzz(func(t *testing.T, data []byte) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		c := chunkFromBytes(t, mem, data)
		if c == nil {
			return
		}
		defer c.Release()
		payload, err := appendChunk(nil, mem, c)
		require.NoError(t, err)
		got, err := decodeChunk(mem, &codecDef, metaOf(c), payload)
		require.NoError(t, err)
		defer got.Release()
		requireSameChunks(t, []*Chunk{c}, []*Chunk{got})
	})
}

// chunkFromBytes builds a chunk of codecDef from fuzz input: a flags byte,
// then rows of values read from the bytes; nil when there are no rows.
func chunkFromBytes(t testing.TB, mem memory.Allocator, data []byte) *Chunk {
	r := &byteSource{b: data}
	flags := r.byte()
	rows := codecRows(r)
	if len(rows) == 0 {
		return nil
	}
	rec := buildRecord(t, mem, &codecDef, rows)
	defer rec.Release()
	versions := make([]uint64, len(rows))
	for i := range versions {
		versions[i] = 10
		if flags&1 != 0 {
			versions[i] = 10 + uint64(r.byte()%4)
		}
	}
	refs := make([]rowRef, len(rows))
	for i := range refs {
		refs[i] = rowRef{0, int32(i)}
	}
	sorted := flags&2 != 0
	if sorted {
		sortRefs(&codecDef, []arrow.RecordBatch{rec}, refs)
	}
	b := &chunkBuilder{mem: mem, def: &codecDef}
	out := b.gather([]arrow.RecordBatch{rec}, refs, flags&4 != 0)
	vs := make([]uint64, len(refs))
	for i, ref := range refs {
		vs[i] = versions[ref.row]
	}
	return newChunk(ChunkID{Table: 1, Seq: uint64(flags)}, out, vs, false, sorted)
}

type byteSource struct{ b []byte }

func (r *byteSource) byte() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *byteSource) bytes(n int) []byte {
	n = min(n, len(r.b))
	out := r.b[:n:n]
	r.b = r.b[n:]
	return out
}

func (r *byteSource) uint64() uint64 {
	var buf [8]byte
	copy(buf[:], r.bytes(8))
	return binary.LittleEndian.Uint64(buf[:])
}

// codecRows reads rows until the input runs out; a row's first byte says
// which of its nullable values are null.
func codecRows(r *byteSource) [][]any {
	var rows [][]any
	for len(r.b) > 0 && len(rows) < 200 {
		nulls := r.byte()
		row := []any{
			int64(r.uint64()), int32(r.uint64()), math.Float64frombits(r.uint64()), r.byte()&1 == 1,
			fmt.Sprintf("s%d", r.byte()%3), strings.ToValidUTF8(string(r.bytes(int(r.byte()%9))), "?"),
			bytes.Clone(r.bytes(int(r.byte() % 5))), arrow.Timestamp(int64(r.uint64()) >> 8), arrow.Date32(int32(r.uint64())),
		}
		for bit, col := range []int{0, 2, 3, 5, 6, 8} {
			if nulls&(1<<bit) != 0 {
				row[col] = nil
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// FuzzChunkDecode: decoding arbitrary Arrow IPC bytes (seeded with real
// chunks) against a table never panics or leaks, and what it accepts
// encodes and decodes again to the same chunk.
func FuzzChunkDecode(f *testing.F) {
	mem := memory.NewGoAllocator()
	for _, seed := range [][]byte{[]byte("x"), []byte("a few rows of a seed chunk, sorted and not"), bytes.Repeat([]byte{1, 2, 0xff, 0, 9}, 30)} {
		for _, flags := range []byte{0, 1, 3, 7} {
			c := chunkFromBytes(f, mem, append([]byte{flags}, seed...))
			if c == nil {
				continue
			}
			m := metaOf(c)
			f.Add(rawIPC(f, c), uint16(m.Rows), m.MinVersion, m.MaxVersion, m.Sorted)
			c.Release()
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte, rows uint16, minV, maxV uint64, sorted bool) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		m := chunkMeta{ID: ChunkID{Table: 1}, Rows: int(rows), MinVersion: minV, MaxVersion: maxV, Sorted: sorted}
		c, err := decodeChunk(mem, &codecDef, m, wrapRaw(raw))
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error is not ErrCorrupt: %v", err)
			}
			return
		}
		defer c.Release()
		payload, err := appendChunk(nil, mem, c)
		require.NoError(t, err)
		again, err := decodeChunk(mem, &codecDef, m, payload)
		require.NoError(t, err)
		defer again.Release()
		requireSameChunks(t, []*Chunk{c}, []*Chunk{again})
	})
}

// rawIPC returns the IPC stream inside c's payload.
func rawIPC(tb testing.TB, c *Chunk) []byte {
	rec := c.rec
	if c.versions != nil {
		rec = withVersionColumn(c)
		defer rec.Release()
	}
	var raw bytes.Buffer
	w := ipc.NewWriter(&raw, ipc.WithSchema(rec.Schema()))
	require.NoError(tb, w.Write(rec))
	require.NoError(tb, w.Close())
	return raw.Bytes()
}
