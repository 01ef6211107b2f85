package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/stratadb/strata/client"
	"github.com/stratadb/strata/ingest"
	"github.com/stratadb/strata/server"
)

// BenchmarkClusterIngest is BenchmarkIngest into a three-node cluster of
// in-process nodes on loopback: the same rows, batches and writer, one
// client writing to the leader, every batch replicated to a quorum with
// the log fsynced on each node before it is acknowledged.
//
//	go test ./bench -run '^$' -bench ClusterIngest -benchtime 3x
func BenchmarkClusterIngest(b *testing.B) {
	benchIngest(b, func(b *testing.B) (*client.Client, func()) {
		nodes, c := startIngestCluster(b, 3)
		return c, func() {
			for _, n := range nodes {
				n.Close(context.Background())
			}
		}
	})
}

// startIngestCluster opens size nodes (the first bootstraps, the others
// join it), waits until every one lists them all, creates the table and
// returns a client of the leader alone.
func startIngestCluster(b *testing.B, size int) ([]*server.Node, *client.Client) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var nodes []*server.Node
	for i := 1; i <= size; i++ {
		cfg := server.Config{
			NodeID:   fmt.Sprintf("n%d", i),
			DataDir:  b.TempDir(),
			GRPCAddr: "127.0.0.1:0", HTTPAddr: "off", PGAddr: "off", RaftAddr: freeLoopback(b),
			HeartbeatTimeout: 2 * time.Second, ElectionTimeout: 2 * time.Second, LeaderLeaseTimeout: time.Second,
			Logger: quiet,
		}
		if i > 1 {
			cfg.NoBootstrap = true
			cfg.Join = nodes[0].GRPCAddr()
		}
		n, err := server.Open(cfg)
		if err != nil {
			b.Fatal(err)
		}
		nodes = append(nodes, n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var leader string
	for _, n := range nodes {
		c, err := client.Dial(n.GRPCAddr(), client.Options{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			st, err := c.Status(ctx)
			if err == nil && st.GetReady() && len(st.GetMembers()) == size && st.GetLeaderGrpcAddr() != "" {
				leader = st.GetLeaderGrpcAddr()
				break
			}
			if ctx.Err() != nil {
				b.Fatalf("cluster did not form: %v %v", st, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
		c.Close()
	}
	c, err := client.Dial(leader, client.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.CreateTable(ctx, ingest.TableDefToProto(appendDef), false); err != nil {
		b.Fatal(err)
	}
	return nodes, c
}

func freeLoopback(b *testing.B) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
