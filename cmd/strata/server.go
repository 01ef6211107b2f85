package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/stratadb/strata/server"
)

func serverCmd() *cobra.Command {
	var cfg server.Config
	var logLevel string
	var noSync, bootstrap bool
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run a Strata node (a one-voter Raft group by default)",
		Long: `server runs a Strata node. With no flags it is the embedded single-node
default: data in ./strata-data, gRPC on 127.0.0.1:7600, the PostgreSQL
wire protocol on 127.0.0.1:5433 (psql, drivers), HTTP (health, metrics) on
127.0.0.1:7680, Raft on 127.0.0.1:7700. On first start it
bootstraps a one-voter Raft group; an existing data directory always wins
over flags and is never bootstrapped again. SIGINT or SIGTERM shut it down
gracefully.

A cluster is the same binary on several machines (or ports): start the
first node with --bootstrap (or no cluster flag at all) and every other
with --join set to the gRPC address of any member; each needs its own
--node-id, --raft-addr and data directory. A restarted node needs neither
flag: its data directory remembers the cluster. See strata cluster.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var level slog.Level
			if err := level.UnmarshalText([]byte(logLevel)); err != nil {
				return fmt.Errorf("--log-level: %w", err)
			}
			cfg.Logger = slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
			cfg.Version = version
			cfg.NoSync = noSync
			if bootstrap && cfg.Join != "" {
				return fmt.Errorf("--bootstrap and --join exclude each other: bootstrap the first node, join the others")
			}
			if cfg.PGPassword == "" {
				cfg.PGPassword = os.Getenv("STRATA_PG_PASSWORD")
			}
			return runServer(cmd.Context(), cfg)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.DataDir, "data-dir", "strata-data", "data directory (Raft log, snapshots)")
	f.StringVar(&cfg.GRPCAddr, "grpc-addr", "127.0.0.1:7600", "gRPC listen address")
	f.StringVar(&cfg.HTTPAddr, "http-addr", "127.0.0.1:7680", `HTTP listen address (/healthz, /readyz, /metrics, /status); "off" to disable`)
	f.StringVar(&cfg.RaftAddr, "raft-addr", "127.0.0.1:7700", "Raft transport address")
	f.StringVar(&cfg.PGAddr, "pg-addr", "127.0.0.1:5433", `PostgreSQL wire protocol listen address (psql, drivers); "off" to disable`)
	f.StringVar(&cfg.PGPassword, "pg-password", "", "password PostgreSQL clients must give (default: none, trust local connections); also read from $STRATA_PG_PASSWORD. It guards only the PostgreSQL port: gRPC has no authentication yet, so keep --grpc-addr on loopback")
	f.StringVar(&cfg.NodeID, "node-id", "node1", "this node's id in the Raft group (fixed for the life of the data dir)")
	f.BoolVar(&bootstrap, "bootstrap", false, "start a new cluster with this node as its only voter, if the data dir is empty (the default without --join)")
	f.StringVar(&cfg.Join, "join", "", "gRPC address of any member of an existing cluster to join, if the data dir is empty (ignored on restart)")
	f.StringVar(&cfg.ReadMode, "read-mode", server.ReadLinearizable, `how reads are served unless a query asks otherwise: "linearizable" (see every acknowledged write, on any node) or "follower" (this node's applied state, at once)`)
	f.DurationVar(&cfg.HeartbeatTimeout, "raft-heartbeat-timeout", 0, "Raft: a follower that hears nothing from the leader this long starts an election (default 1s; raise it on loaded machines)")
	f.DurationVar(&cfg.ElectionTimeout, "raft-election-timeout", 0, "Raft: how long a candidate waits for votes (default 1s)")
	f.DurationVar(&cfg.LeaderLeaseTimeout, "raft-leader-lease-timeout", 0, "Raft: a leader that cannot reach a quorum this long steps down (default 500ms)")
	f.Uint64Var(&cfg.SnapshotThreshold, "snapshot-threshold", 0, "Raft: log entries since the last snapshot that make the next check take one (default 1024)")
	f.DurationVar(&cfg.SnapshotInterval, "snapshot-interval", 0, "Raft: how often to check whether to snapshot (default 30s)")
	f.IntVar(&cfg.RaftSegmentBytes, "raft-segment-bytes", 0, "Raft: size of one log segment file; compaction frees whole segments (default 64 MiB)")
	f.Uint64Var(&cfg.TrailingLogs, "raft-trailing-logs", 0, "Raft: log entries kept after a snapshot, so a lagging follower catches up without one (default 1024)")
	f.Int64Var(&cfg.IngestBudgetBytes, "ingest-budget", 256<<20, "bytes of ingest batches in flight before writers get RESOURCE_EXHAUSTED")
	f.Int64Var(&cfg.MaxDataBytes, "max-data-bytes", 0, "cap on stored data bytes (0: none); above it writes get RESOURCE_EXHAUSTED")
	f.IntVar(&cfg.MaxMessageBytes, "max-batch-bytes", 64<<20, "largest accepted ingest batch")
	f.DurationVar(&cfg.IngestWait, "ingest-wait", 100*time.Millisecond, "how long a batch may wait for room in the ingest budget before RESOURCE_EXHAUSTED")
	f.StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	f.BoolVar(&noSync, "unsafe-no-fsync", false, "do not fsync the Raft log (tests and benchmarks only: a crash can lose acknowledged writes)")
	return cmd
}

func runServer(ctx context.Context, cfg server.Config) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	n, err := server.Open(cfg)
	if err != nil {
		return err
	}
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-n.Err():
	}
	stop()
	shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := n.Close(shutdown); err != nil && serveErr == nil {
		serveErr = err
	}
	return serveErr
}
