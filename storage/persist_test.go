package storage

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRoundTrip(t *testing.T) {
	s, mem, v := newScenarioStore(t, 8)
	info, err := s.DescribeTable("kitchen")
	require.NoError(t, err)
	require.Positive(t, info.SealedChunks)
	require.Positive(t, info.BufferChunks)

	data := encodeStore(t, s)
	r, err := restoreChecked(t, data, RestoreOptions{ChunkRows: 8})
	require.NoError(t, err)
	requireSameState(t, s, r)
	require.Equal(t, data, encodeStore(t, r), "re-encoding gives the same bytes")

	// The restored store continues exactly like the original: same chunk
	// boundaries, IDs and versions.
	moreWrites(t, s, mem, v)
	moreWrites(t, r, r.mem, v)
	requireSameState(t, s, r)
}

func TestRoundTripShapes(t *testing.T) {
	t.Run("empty store", func(t *testing.T) {
		s, _ := newTestStore(t, 8)
		r, err := restoreChecked(t, encodeStore(t, s), RestoreOptions{})
		require.NoError(t, err)
		requireSameState(t, s, r)
	})
	t.Run("versions but no tables", func(t *testing.T) {
		s, _ := newTestStore(t, 8)
		require.NoError(t, s.Apply(41, nil))
		r, err := restoreChecked(t, encodeStore(t, s), RestoreOptions{})
		require.NoError(t, err)
		require.EqualValues(t, 41, r.Applied())
	})
	t.Run("table without rows", func(t *testing.T) {
		s, _ := newTestStore(t, 8)
		require.NoError(t, s.CreateTable(3, eventsDef))
		r, err := restoreChecked(t, encodeStore(t, s), RestoreOptions{})
		require.NoError(t, err)
		requireSameState(t, s, r)
	})
	t.Run("default chunk rows", func(t *testing.T) {
		s, mem := newTestStore(t, 0)
		require.NoError(t, s.CreateTable(1, eventsDef))
		applyRows(t, s, mem, 2, &eventsDef, eventRows(0, 100, 2))
		r, err := restoreChecked(t, encodeStore(t, s), RestoreOptions{})
		require.NoError(t, err)
		require.Equal(t, DefaultChunkRows, r.chunkRows)
		requireSameState(t, s, r)
	})
}

func TestRestoreChunkRowsMismatch(t *testing.T) {
	s, _, _ := newScenarioStore(t, 8)
	_, err := restoreChecked(t, encodeStore(t, s), RestoreOptions{ChunkRows: 16})
	require.ErrorIs(t, err, ErrUnsupported)
	require.Contains(t, err.Error(), "built with 8")
}

// Restore reads exactly the encoded state, so a caller may append its own
// data after it.
func TestRestoreReadsExactly(t *testing.T) {
	s, _, _ := newScenarioStore(t, 8)
	data := encodeStore(t, s)
	in := bytes.NewReader(append(bytes.Clone(data), "trailer"...))
	r, err := Restore(in, RestoreOptions{})
	require.NoError(t, err)
	defer r.Close()
	rest := make([]byte, 16)
	n, _ := in.Read(rest)
	require.Equal(t, "trailer", string(rest[:n]))
}

// An image captured before further writes, a drop and Close still encodes
// the state it captured.
func TestImageOutlivesMutations(t *testing.T) {
	s, mem, v := newScenarioStore(t, 8)
	want := encodeStore(t, s)
	im, err := s.Capture()
	require.NoError(t, err)
	defer im.Release()
	require.Equal(t, s.Applied(), im.Version())
	moreWrites(t, s, mem, v)
	require.NoError(t, s.DropTable(s.Applied()+1, "kitchen"))
	s.Close()
	var buf bytes.Buffer
	_, err = im.WriteTo(&buf)
	require.NoError(t, err)
	require.Equal(t, want, buf.Bytes())

	_, err = s.Capture()
	require.ErrorIs(t, err, ErrClosed)
	im.Release()
	im.Release()
	_, err = im.WriteTo(&buf)
	require.Error(t, err)
}

// Encoding runs while the store keeps applying writes (run with -race).
func TestEncodeConcurrentWithApply(t *testing.T) {
	s, mem, v := newScenarioStore(t, 8)
	im, err := s.Capture()
	require.NoError(t, err)
	want := encodeStore(t, s)
	done := make(chan []byte)
	go func() {
		var buf bytes.Buffer
		_, err := im.WriteTo(&buf)
		im.Release()
		if err != nil {
			buf.Reset()
		}
		done <- buf.Bytes()
	}()
	moreWrites(t, s, mem, v)
	require.Equal(t, want, <-done)
}

// A failing writer's error comes back.
func TestEncodeWriterError(t *testing.T) {
	s, _, _ := newScenarioStore(t, 8)
	size := len(encodeStore(t, s))
	for _, limit := range []int{0, 5, 100, size / 2, size - 1} {
		w := &limitedWriter{left: limit}
		n, err := s.WriteTo(w)
		require.ErrorIs(t, err, errWriterFull, "limit %d", limit)
		require.EqualValues(t, limit, n)
	}
}

type limitedWriter struct{ left int }

var errWriterFull = bytes.ErrTooLarge

func (w *limitedWriter) Write(p []byte) (int, error) {
	if len(p) > w.left {
		n := w.left
		w.left = 0
		return n, errWriterFull
	}
	w.left -= len(p)
	return len(p), nil
}

// TestRoundTripSharedSlices: a batch larger than the chunk target is cut
// into chunks that share its buffers at offsets that are not byte-aligned
// (bits of booleans and validity), and they must encode and restore as
// they read.
func TestRoundTripSharedSlices(t *testing.T) {
	s, mem := newTestStore(t, 5)
	def := TableDef{Name: "b", Columns: []Column{
		{Name: "flag", Type: TypeBool, Nullable: true},
		{Name: "n", Type: TypeInt64, Nullable: true},
	}}
	require.NoError(t, s.CreateTable(1, def))
	var rows [][]any
	for i := 0; i < 23; i++ {
		var flag, n any = i%3 == 0, int64(i)
		if i%7 == 0 {
			flag = nil
		}
		if i%5 == 4 {
			n = nil
		}
		rows = append(rows, []any{flag, n})
	}
	applyRows(t, s, mem, 2, &def, rows)
	want := readTable(t, s, Latest, "b")
	require.Equal(t, rows, want, "chunks sliced out of one batch read back in order")
	snap, err := s.Snapshot(Latest, "b")
	require.NoError(t, err)
	offsets := 0
	ts, _ := snap.Table("b")
	for _, ref := range ts.Chunks() {
		if ref.Chunk.Column(0).Data().Offset()%8 != 0 {
			offsets++
		}
	}
	snap.Release()
	require.Positive(t, offsets, "some chunk shares the batch's booleans at a bit offset")
	restored, err := restoreChecked(t, encodeStore(t, s), RestoreOptions{Allocator: mem})
	require.NoError(t, err)
	defer restored.Close()
	require.Equal(t, want, readTable(t, restored, Latest, "b"))
	requireSameState(t, s, restored)
}
