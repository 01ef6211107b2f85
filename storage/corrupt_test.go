package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

// streamParts is a valid stream taken apart, to be edited and joined again
// with correct checksums and end frame, so tests reach the checks behind
// the checksums.
type streamParts struct {
	manifest []byte
	chunks   [][]byte // inline chunk frame payloads, ID prefix included
}

func splitStream(t testing.TB, data []byte) streamParts {
	t.Helper()
	fr := &frameReader{r: bytes.NewReader(data)}
	require.NoError(t, fr.header())
	var p streamParts
	var err error
	p.manifest, err = fr.next(frameManifest)
	require.NoError(t, err)
	m, err := decodeManifest(p.manifest)
	require.NoError(t, err)
	_, slots, err := m.plan()
	require.NoError(t, err)
	for _, s := range slots {
		if s.external == nil {
			c, err := fr.next(frameChunk)
			require.NoError(t, err)
			p.chunks = append(p.chunks, c)
		}
	}
	require.NoError(t, fr.end())
	return p
}

func (p streamParts) join() []byte {
	var buf bytes.Buffer
	fw := &frameWriter{w: &buf}
	fw.header()
	fw.frame(frameManifest, p.manifest)
	for _, c := range p.chunks {
		fw.frame(frameChunk, c)
	}
	fw.end()
	return buf.Bytes()
}

func (p streamParts) decoded(t testing.TB) manifest {
	t.Helper()
	m, err := decodeManifest(p.manifest)
	require.NoError(t, err)
	return m
}

func (p *streamParts) setManifest(t testing.TB, m manifest) {
	t.Helper()
	var err error
	p.manifest, err = encodeManifest(m)
	require.NoError(t, err)
}

// editManifest returns data with its manifest changed by edit.
func editManifest(t testing.TB, data []byte, edit func(m *manifest)) []byte {
	p := splitStream(t, data)
	m := p.decoded(t)
	edit(&m)
	p.setManifest(t, m)
	return p.join()
}

func tableOf(m *manifest, name string) *manifestTable {
	for i := range m.Tables {
		if m.Tables[i].Def.Name == name {
			return &m.Tables[i]
		}
	}
	panic("no table " + name)
}

func requireCorrupt(t *testing.T, data []byte, want string) {
	t.Helper()
	s, err := restoreChecked(t, data, RestoreOptions{})
	require.Nil(t, s)
	require.ErrorIs(t, err, ErrCorrupt)
	if want != "" {
		require.Contains(t, err.Error(), want)
	}
}

// smallStore has a sealed chunk, pieces and mixed versions, and encodes to
// a few kilobytes, small enough to try every prefix and every byte.
func smallStore(t *testing.T) *Store {
	s, mem := newTestStore(t, 6)
	buildSmall(t, s, mem)
	return s
}

func buildSmall(t testing.TB, s *Store, mem memory.Allocator) {
	require.NoError(t, s.CreateTable(1, logDef))
	applyRecord(t, s, 2, "log", buildRecord(t, mem, &logDef, logRows(0, 3)))
	applyRecord(t, s, 3, "log", dictRecord(t, mem, logRows(3, 5)))
	applyRecord(t, s, 4, "log", buildRecord(t, mem, &logDef, logRows(5, 7)))
	require.NoError(t, s.Rollback(5, "log", 3))
	applyRecord(t, s, 6, "log", buildRecord(t, mem, &logDef, logRows(7, 8)))
	applyRecord(t, s, 7, "log", buildRecord(t, mem, &logDef, logRows(8, 9)))
}

func TestRestoreTruncated(t *testing.T) {
	data := encodeStore(t, smallStore(t))
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for n := range len(data) {
		_, err := Restore(bytes.NewReader(data[:n]), RestoreOptions{Allocator: mem})
		require.ErrorIs(t, err, ErrCorrupt, "prefix %d of %d", n, len(data))
		require.Contains(t, err.Error(), "truncated", "prefix %d", n)
	}
	// The big scenario, sampled, including every frame boundary.
	s, _, _ := newScenarioStore(t, 8)
	data = encodeStore(t, s)
	for n := 0; n < len(data); n += 61 {
		_, err := Restore(bytes.NewReader(data[:n]), RestoreOptions{Allocator: mem})
		require.ErrorIs(t, err, ErrCorrupt, "prefix %d of %d", n, len(data))
	}
	for _, n := range frameEnds(t, data) {
		_, err := Restore(bytes.NewReader(data[:n]), RestoreOptions{Allocator: mem})
		require.ErrorIs(t, err, ErrCorrupt, "prefix %d of %d", n, len(data))
	}
}

// frameEnds returns the offset after every frame but the last.
func frameEnds(t *testing.T, data []byte) []int {
	var ends []int
	pos := streamHeaderLen
	for pos < len(data) {
		n := int(binary.LittleEndian.Uint64(data[pos+1:]))
		pos += frameHeaderLen + n + frameCRCLen
		ends = append(ends, pos)
	}
	require.Equal(t, len(data), ends[len(ends)-1])
	return ends[:len(ends)-1]
}

func TestRestoreBitFlips(t *testing.T) {
	data := encodeStore(t, smallStore(t))
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for i := range data {
		bad := bytes.Clone(data)
		bad[i] ^= 1 << (i % 8)
		_, err := Restore(bytes.NewReader(bad), RestoreOptions{Allocator: mem})
		require.ErrorIs(t, err, ErrCorrupt, "flip at byte %d", i)
	}
}

func TestRestoreHeader(t *testing.T) {
	data := encodeStore(t, smallStore(t))
	bad := bytes.Clone(data)
	copy(bad, "PARQUET1")
	requireCorrupt(t, bad, `not a Strata state (magic "PARQUET1")`)
	bad = bytes.Clone(data)
	binary.LittleEndian.PutUint32(bad[len(formatMagic):], 2)
	requireCorrupt(t, bad, "format version 2; this release reads version 1")
	requireCorrupt(t, nil, "truncated at byte 0")
}

func TestRestoreFraming(t *testing.T) {
	data := encodeStore(t, smallStore(t))
	p := splitStream(t, data)
	require.GreaterOrEqual(t, len(p.chunks), 3)

	swapped := p
	swapped.chunks = [][]byte{p.chunks[1], p.chunks[0], p.chunks[2]}
	requireCorrupt(t, swapped.join(), "does not hold chunk")

	dropped := p
	dropped.chunks = p.chunks[1:]
	requireCorrupt(t, dropped.join(), "")

	extra := p
	extra.chunks = append(append([][]byte{}, p.chunks...), p.chunks[0])
	requireCorrupt(t, extra.join(), "is a chunk frame, want end")

	// An end frame whose counts are off.
	bad := bytes.Clone(data)
	endAt := len(bad) - frameCRCLen - endPayloadLen
	binary.LittleEndian.PutUint64(bad[endAt:], 99)
	fixCRC(bad, endAt-frameHeaderLen)
	requireCorrupt(t, bad, "end frame counts 99 frames")

	// A frame claiming more than the bound.
	bad = bytes.Clone(data)
	binary.LittleEndian.PutUint64(bad[streamHeaderLen+1:], maxManifestLen+1)
	requireCorrupt(t, bad, "more than the")
}

// fixCRC recomputes the CRC of the frame at off.
func fixCRC(data []byte, off int) {
	n := int(binary.LittleEndian.Uint64(data[off+1:]))
	end := off + frameHeaderLen + n
	binary.LittleEndian.PutUint32(data[end:], crcOf(data[off:end]))
}

func crcOf(b []byte) uint32 { return sumOf(b).CRC }

func TestRestoreBadManifest(t *testing.T) {
	s, _, _ := newScenarioStore(t, 8)
	data := encodeStore(t, s)
	cases := []struct {
		name string
		edit func(m *manifest)
		want string
	}{
		{"chunk rows", func(m *manifest) { m.ChunkRows = 0 }, "chunk_rows 0"},
		{"duplicate table", func(m *manifest) { m.Tables = append(m.Tables, m.Tables[0]) }, "appears twice"},
		{"created after applied", func(m *manifest) { tableOf(m, "log").Created = m.Applied + 1 }, "created at version"},
		{"invalid column type", func(m *manifest) { tableOf(m, "log").Def.Columns[0].Type = 99 }, "invalid type"},
		{"reserved column name", func(m *manifest) { tableOf(m, "log").Def.Columns[0].Name = "__version" }, "reserved"},
		{"buckets not normalized", func(m *manifest) { tableOf(m, "kitchen").Def.Buckets = 0 }, "not a normalized definition"},
		{"partition count", func(m *manifest) {
			k := tableOf(m, "kitchen")
			k.Partitions = k.Partitions[:2]
		}, "has 2 partitions, 3 buckets"},
		{"chunk in another partition", func(m *manifest) {
			k := tableOf(m, "kitchen")
			k.Partitions[0].Sealed = append(k.Partitions[0].Sealed, k.Partitions[1].Sealed[0])
		}, "does not belong"},
		{"sequence at next", func(m *manifest) { tableOf(m, "kitchen").Partitions[0].NextSeq = 1 }, "sequence number"},
		{"duplicate chunk", func(m *manifest) {
			p := &tableOf(m, "kitchen").Partitions[0]
			p.Sealed = append(p.Sealed, p.Sealed[0])
		}, "appears twice"},
		{"sealed rows", func(m *manifest) { tableOf(m, "kitchen").Partitions[0].Sealed[0].Rows = 7 }, "not of chunk_rows"},
		{"piece rows", func(m *manifest) { tableOf(m, "log").Partitions[0].Pieces[0].Rows = 8 }, "row count out of range"},
		{"version above applied", func(m *manifest) { tableOf(m, "log").Partitions[0].Pieces[0].MaxVersion = m.Applied + 1 }, "version bounds"},
		{"version bounds differ from rows", func(m *manifest) { tableOf(m, "log").Partitions[0].Pieces[0].MinVersion-- }, "versions span"},
		{"history without creation", func(m *manifest) {
			k := tableOf(m, "kitchen")
			k.History = k.History[1:]
		}, "does not start with its creation"},
		{"history out of order", func(m *manifest) {
			h := tableOf(m, "kitchen").History
			h[1], h[2] = h[2], h[1]
		}, "history entry 3"},
		{"history unknown kind", func(m *manifest) { tableOf(m, "kitchen").History[1].Kind = "merge" }, "history entry 2"},
		{"history rows", func(m *manifest) { tableOf(m, "kitchen").History[1].Rows++ }, "rows, its chunks hold"},
		{"history loses a write", func(m *manifest) {
			k := tableOf(m, "kitchen")
			k.History = append(k.History[:1], k.History[2:]...)
		}, "versions that wrote none"},
		{"rollback not in history", func(m *manifest) { tableOf(m, "kitchen").Rollbacks[0].To++ }, "is not in its history"},
		{"rollback missing", func(m *manifest) { tableOf(m, "kitchen").Rollbacks = nil }, "0 rollbacks, its history has 1"},
		{"table loses its chunks", func(m *manifest) {
			g := tableOf(m, "gone")
			g.History = append(g.History, manifestVersion{Version: g.History[0].Version + 1, Kind: "write", Rows: 3})
		}, "wrote 3 rows, its chunks hold 0"},
		{"external without store", func(m *manifest) {
			tableOf(m, "kitchen").Partitions[0].Sealed[0].External = &ChunkSum{Len: 10}
		}, "no ChunkStore"},
		{"malformed chunk ID", func(m *manifest) { tableOf(m, "log").Partitions[0].Pieces[0].ID = "x" }, "malformed chunk ID"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			requireCorrupt(t, editManifest(t, data, c.edit), c.want)
		})
	}
	t.Run("unknown field", func(t *testing.T) {
		p := splitStream(t, data)
		p.manifest = append([]byte(`{"compaction":1,`), p.manifest[1:]...)
		requireCorrupt(t, p.join(), `unknown field "compaction"`)
	})
	t.Run("data after the manifest", func(t *testing.T) {
		p := splitStream(t, data)
		p.manifest = append(p.manifest, "{}"...)
		requireCorrupt(t, p.join(), "data after the JSON value")
	})
	t.Run("not JSON", func(t *testing.T) {
		p := splitStream(t, data)
		p.manifest = []byte("\x00")
		requireCorrupt(t, p.join(), "manifest")
	})
}

// A chunk frame whose bytes are intact but do not match what the manifest
// and table say.
func TestRestoreBadChunk(t *testing.T) {
	s, _, _ := newScenarioStore(t, 8)
	data := encodeStore(t, s)
	p := splitStream(t, data)
	m := p.decoded(t)
	_, slots, err := m.plan()
	require.NoError(t, err)
	var inline []chunkSlot
	for _, s := range slots {
		if s.external == nil {
			inline = append(inline, s)
		}
	}
	find := func(table string, sealed bool) int {
		for i, s := range inline {
			if s.table.def.Name == table && s.meta.Sealed == sealed {
				return i
			}
		}
		panic("no such chunk")
	}
	withPayload := func(i int, payload []byte) []byte {
		q := p
		q.chunks = append([][]byte{}, p.chunks...)
		q.chunks[i] = append(appendChunkID(nil, inline[i].meta.ID), payload...)
		return q.join()
	}
	payloadOf := func(i int) []byte { return p.chunks[i][chunkIDLen:] }

	k, l := find("kitchen", true), find("log", true)
	t.Run("another table's chunk", func(t *testing.T) {
		requireCorrupt(t, withPayload(k, payloadOf(l)), "columns, the table has")
	})
	t.Run("same table, other rows", func(t *testing.T) {
		// Same schema and row count, other data: partition, versions or
		// sort order gives it away.
		var other int
		for i, s := range inline {
			if s.table.def.Name == "kitchen" && s.meta.Sealed && s.meta.ID.Partition != inline[k].meta.ID.Partition {
				other = i
			}
		}
		requireCorrupt(t, withPayload(k, payloadOf(other)), "")
	})
	t.Run("raw length too large", func(t *testing.T) {
		b := bytes.Clone(payloadOf(k))
		binary.LittleEndian.PutUint64(b, 1<<40)
		requireCorrupt(t, withPayload(k, b), "claims 1099511627776 bytes")
	})
	t.Run("raw length off by one", func(t *testing.T) {
		b := bytes.Clone(payloadOf(k))
		binary.LittleEndian.PutUint64(b, binary.LittleEndian.Uint64(b)-1)
		requireCorrupt(t, withPayload(k, b), "decompress")
	})
	t.Run("not zstd", func(t *testing.T) {
		requireCorrupt(t, withPayload(k, binary.LittleEndian.AppendUint64(nil, 5)), "decompressed to 0 bytes")
		requireCorrupt(t, withPayload(k, append(binary.LittleEndian.AppendUint64(nil, 5), "hello"...)), "decompress")
	})
	t.Run("IPC with body compression", func(t *testing.T) {
		c := s.cur.tables["kitchen"].parts[inline[k].meta.ID.Partition].sealed[0]
		require.Equal(t, inline[k].meta.ID, c.id)
		var raw bytes.Buffer
		rec := withVersionColumn(c)
		w := ipc.NewWriter(&raw, ipc.WithSchema(rec.Schema()), ipc.WithZstd())
		require.NoError(t, w.Write(rec))
		require.NoError(t, w.Close())
		rec.Release()
		requireCorrupt(t, withPayload(k, wrapRaw(raw.Bytes())), "IPC body compression is not accepted")
	})
	t.Run("IPC garbage", func(t *testing.T) {
		requireCorrupt(t, withPayload(k, wrapRaw([]byte("definitely not arrow"))), "IPC")
	})
}

// wrapRaw makes a chunk payload of raw IPC bytes.
func wrapRaw(raw []byte) []byte {
	return chunkEncoder().EncodeAll(raw, binary.LittleEndian.AppendUint64(nil, uint64(len(raw))))
}

// A damaged frame is named by its number.
func TestRestoreErrorsNamePlace(t *testing.T) {
	data := encodeStore(t, smallStore(t))
	frames := 1 + len(splitStream(t, data).chunks)
	bad := bytes.Clone(data)
	bad[len(bad)-frameCRCLen-endPayloadLen-frameHeaderLen-frameCRCLen-10] ^= 0xff
	requireCorrupt(t, bad, fmt.Sprintf("frame %d (chunk): checksum", frames))
}
