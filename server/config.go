package server

import (
	"log/slog"
	"time"
)

// Config is a node's configuration. The zero value of every field means
// its default (ARCHITECTURE.md "Default"): a single node in ./strata-data.
type Config struct {
	DataDir  string // default ./strata-data
	GRPCAddr string // default 127.0.0.1:7600
	HTTPAddr string // default 127.0.0.1:7680; "off" disables HTTP
	RaftAddr string // default 127.0.0.1:7700
	PGAddr   string // PostgreSQL wire protocol; default 127.0.0.1:5433; "off" disables it
	// PGPassword, when set, is the password every PostgreSQL client must
	// give (any user name); empty trusts every local connection.
	PGPassword string
	NodeID     string // default node1
	// Bootstrap a one-voter group when the data dir holds no Raft state
	// (default true for a single node). An existing data dir always wins.
	NoBootstrap bool
	// Join is the gRPC address of any member of an existing cluster. A
	// node with no Raft state asks it to be added as a voter (and is never
	// bootstrapped); a node with state ignores it.
	Join string
	// ReadMode is how reads that do not ask otherwise are served:
	// ReadLinearizable (default) or ReadFollower.
	ReadMode string

	Logger *slog.Logger

	// MaxMessageBytes bounds one ingest batch or query message (default
	// 64 MiB: 64Ki rows × tens of columns). Larger batches are refused
	// with InvalidArgument naming the size.
	MaxMessageBytes int
	// IngestBudgetBytes bounds the bytes of batches received but not yet
	// applied, over all streams (default 256 MiB). When full, batches are
	// answered RESOURCE_EXHAUSTED with a retry hint.
	IngestBudgetBytes int64
	// IngestWait is how long a batch may wait for room in the budget
	// before it is refused (default 100ms).
	IngestWait time.Duration
	// MaxDataBytes caps the memory of stored data (default 0: no cap).
	// Above it, writes are answered RESOURCE_EXHAUSTED.
	MaxDataBytes int64
	// QueryMemoryLimit is each query's default memory limit (default
	// query.DefaultMemoryLimit).
	QueryMemoryLimit int64

	// Raft tuning; zero values take raftlog's defaults.
	SnapshotThreshold  uint64
	SnapshotInterval   time.Duration
	TrailingLogs       uint64
	RaftSegmentBytes   int // raft-wal segment size (default 64 MiB; see raftlog.Config.SegmentBytes)
	HeartbeatTimeout   time.Duration
	ElectionTimeout    time.Duration
	LeaderLeaseTimeout time.Duration
	NoSync             bool // tests only: no fsync of the Raft log

	// Version is the binary's version, reported by Status.
	Version string
}

// The read modes (Config.ReadMode, --read-mode).
const (
	// ReadLinearizable: a read sees every write acknowledged before it
	// started, on any node (the leader's confirmed commit index, applied
	// locally first).
	ReadLinearizable = "linearizable"
	// ReadFollower: a read sees this node's applied state at once; it may
	// miss the latest writes.
	ReadFollower = "follower"
)

func (c Config) withDefaults() Config {
	if c.DataDir == "" {
		c.DataDir = "strata-data"
	}
	if c.GRPCAddr == "" {
		c.GRPCAddr = "127.0.0.1:7600"
	}
	if c.HTTPAddr == "" {
		c.HTTPAddr = "127.0.0.1:7680"
	}
	if c.RaftAddr == "" {
		c.RaftAddr = "127.0.0.1:7700"
	}
	if c.PGAddr == "" {
		c.PGAddr = "127.0.0.1:5433"
	}
	if c.NodeID == "" {
		c.NodeID = "node1"
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.MaxMessageBytes == 0 {
		c.MaxMessageBytes = 64 << 20
	}
	if c.IngestBudgetBytes == 0 {
		c.IngestBudgetBytes = 256 << 20
	}
	if c.IngestWait == 0 {
		c.IngestWait = 100 * time.Millisecond
	}
	if c.Version == "" {
		c.Version = "dev"
	}
	if c.ReadMode == "" {
		c.ReadMode = ReadLinearizable
	}
	return c
}
