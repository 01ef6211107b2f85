package storage

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

// Compare with:
//
//	go test -run '^$' -bench DecodeIPC -count 10 ./storage > new.txt
//	benchstat old.txt new.txt
//
// reader=arrow is arrow's stream reader alone, unchecked: the cost of the
// checks is the difference.
func BenchmarkDecodeIPC(b *testing.B) {
	for _, rows := range []int{1_000, 100_000} {
		for _, batches := range []int{1, 10} {
			payload, _ := testPayload(b, batches, rows/batches, true)
			name := fmt.Sprintf("rows=%d/batches=%d", rows, batches)
			b.Run(name+"/reader=DecodeIPC", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					recs, err := DecodeIPC(memory.DefaultAllocator, payload, 0)
					require.NoError(b, err)
					releaseRecords(recs)
				}
				reportPayloadRate(b, rows, len(payload))
			})
			b.Run(name+"/reader=arrow", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					rdr, err := ipc.NewReader(bytes.NewReader(payload))
					require.NoError(b, err)
					for rdr.Next() {
					}
					require.NoError(b, rdr.Err())
					rdr.Release()
				}
				reportPayloadRate(b, rows, len(payload))
			})
		}
	}
}

func reportPayloadRate(b *testing.B, rows, size int) {
	secs := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(rows)/secs, "rows/s")
	b.ReportMetric(float64(size)/secs/1e6, "MB/s")
}
