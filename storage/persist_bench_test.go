package storage

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

// Compare with:
//
//	go test -run '^$' -bench 'Encode|Restore' -count 10 ./storage > new.txt
//	benchstat old.txt new.txt

func benchStore(b *testing.B, rows int) *Store {
	s := New(Options{})
	b.Cleanup(s.Close)
	require.NoError(b, s.CreateTable(1, eventsDef))
	const batch = 10_000
	for i, v := 0, uint64(2); i < rows; i, v = i+batch, v+1 {
		rec := buildRecord(b, memory.DefaultAllocator, &eventsDef, eventRows(i, i+batch, v))
		require.NoError(b, s.Apply(v, []TableBatch{{Table: "events", Record: rec}}))
		rec.Release()
	}
	return s
}

func BenchmarkEncode(b *testing.B) {
	for _, rows := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			s := benchStore(b, rows)
			b.ReportAllocs()
			var n int64
			for b.Loop() {
				var err error
				n, err = s.WriteTo(io.Discard)
				require.NoError(b, err)
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(n)/float64(rows), "B/row")
		})
	}
}

func BenchmarkRestore(b *testing.B) {
	for _, rows := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			var buf bytes.Buffer
			_, err := benchStore(b, rows).WriteTo(&buf)
			require.NoError(b, err)
			b.ReportAllocs()
			for b.Loop() {
				r, err := Restore(bytes.NewReader(buf.Bytes()), RestoreOptions{})
				require.NoError(b, err)
				r.Close()
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkEncodeReuse measures an encode with a chunk store that already
// holds every sealed chunk: what a snapshot after a few writes costs.
func BenchmarkEncodeReuse(b *testing.B) {
	s := benchStore(b, 1_000_000)
	dir, err := NewDirChunkStore(b.TempDir())
	require.NoError(b, err)
	im, err := s.Capture()
	require.NoError(b, err)
	defer im.Release()
	_, err = im.Encode(io.Discard, EncodeOptions{Chunks: dir})
	require.NoError(b, err)
	b.ReportAllocs()
	var n int64
	for b.Loop() {
		n, err = im.Encode(io.Discard, EncodeOptions{Chunks: dir})
		require.NoError(b, err)
	}
	b.ReportMetric(float64(n), "B/stream")
}
