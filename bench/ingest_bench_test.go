package bench

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/stratadb/strata/client"
	"github.com/stratadb/strata/ingest"
	"github.com/stratadb/strata/server"
)

// BenchmarkIngest streams 10-column rows from one client over gRPC on
// loopback into a single node: through Raft, with the log fsynced as by
// default, applied by the FSM. Batches are 64Ki rows; the writer keeps up
// to 8 in flight.
//
//	go test ./bench -run '^$' -bench Ingest -benchtime 3x
func BenchmarkIngest(b *testing.B) {
	benchIngest(b, func(b *testing.B) (*client.Client, func()) {
		node, c := startIngestNode(b)
		return c, func() { node.Close(context.Background()) }
	})
}

// benchIngest streams 48 batches of 64Ki wideBatch rows through one
// Writer with its default options into what start opens (not timed), and
// reports rows/s. stop closes what start opened; the client is closed
// before it.
func benchIngest(b *testing.B, start func(*testing.B) (*client.Client, func())) {
	const batchRows, batches = 1 << 16, 48
	recs := make([]arrow.RecordBatch, batches)
	for i := range recs {
		recs[i] = wideBatch(i*batchRows, batchRows)
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		c, stop := start(b)
		b.StartTimer()
		w, err := c.NewWriter(appendDef.Name, client.WriterOptions{})
		if err != nil {
			b.Fatal(err)
		}
		for _, rec := range recs {
			if err := w.Write(context.Background(), rec); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if st := w.Stats(); st.RowsApplied != batchRows*batches {
			b.Fatalf("applied %d rows, want %d", st.RowsApplied, batchRows*batches)
		}
		c.Close()
		stop()
		b.StartTimer()
	}
	reportRows(b, batchRows*batches)
}

func startIngestNode(b *testing.B) (*server.Node, *client.Client) {
	node, err := server.Open(server.Config{
		DataDir:  b.TempDir(),
		GRPCAddr: "127.0.0.1:0", HTTPAddr: "off", RaftAddr: "127.0.0.1:0",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		b.Fatal(err)
	}
	c, err := client.Dial(node.GRPCAddr(), client.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for {
		if st, err := c.Status(ctx); err == nil && st.Ready {
			break
		}
	}
	if _, err := c.CreateTable(ctx, ingest.TableDefToProto(appendDef), false); err != nil {
		b.Fatal(err)
	}
	return node, c
}
