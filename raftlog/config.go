package raftlog

import (
	"log/slog"
	"time"

	"github.com/hashicorp/raft"
)

// Defaults. The timing values are hashicorp/raft's own defaults, which
// Consul and Nomad run in production: a follower that hears nothing for a
// random 1–2 s starts an election, a leader heartbeats every 100 ms
// (HeartbeatTimeout/10) and steps down when it cannot reach a quorum for
// 500 ms. A one-voter group therefore elects itself 1–2 s after Open, and a
// three-node loopback cluster on a loaded two-core machine survives GC and
// scheduler stalls of several hundred milliseconds without a spurious
// election. Halving them halves the start-up election and doubles the
// chance of flapping under load; we chose stability.
const (
	DefaultNodeID             = "node1"
	DefaultBindAddr           = "127.0.0.1:7700"
	DefaultHeartbeatTimeout   = 1000 * time.Millisecond
	DefaultElectionTimeout    = 1000 * time.Millisecond
	DefaultLeaderLeaseTimeout = 500 * time.Millisecond
	DefaultCommitTimeout      = 50 * time.Millisecond
	// DefaultSnapshotThreshold is how many log entries since the last
	// snapshot make the next periodic check take one. Strata's snapshots
	// cost in proportion to what changed since the last one (sealed chunks
	// are written once and then only named), so they can be frequent; the
	// log, whose entries are whole ingest batches, stays short on disk.
	DefaultSnapshotThreshold = 1024
	// DefaultSnapshotInterval is how often (randomised up to twice that)
	// raft checks whether to snapshot.
	DefaultSnapshotInterval = 30 * time.Second
	// DefaultTrailingLogs is how many entries survive compaction after a
	// snapshot, so a briefly lagging follower catches up from the log
	// instead of a whole snapshot.
	DefaultTrailingLogs = 1024

	snapshotsRetained = 2
	walDir            = "wal"
	// snapshotsDir is where raft.FileSnapshotStore puts snapshots under the
	// base directory it is given; it is not configurable there.
	snapshotsDir = "snapshots"
)

// Config configures a Node. The zero value of every field but Dir means
// "use the default".
type Config struct {
	// NodeID names this server for all time across the cluster; default
	// DefaultNodeID.
	NodeID string
	// Dir is the data directory (required). raftlog owns Dir/wal (log and
	// stable store, raft-wal) and Dir/snapshots (raft.FileSnapshotStore,
	// the newest 2 kept).
	Dir string
	// BindAddr is the Raft TCP transport's listen address; default
	// DefaultBindAddr. Port 0 picks a free port (tests).
	BindAddr string
	// Advertise is the address other servers dial; default the bound
	// address. Required when BindAddr is unspecified (0.0.0.0).
	Advertise string
	// Bootstrap creates a one-voter configuration (this node) when the data
	// directory holds no Raft state. Existing state always wins: a node is
	// never bootstrapped twice, whatever this flag says on a restart.
	// Without it and without state the node waits to be added by a leader.
	Bootstrap bool
	// Logger receives raft's, raft-wal's and the transport's logs; default
	// slog.Default(). Its handler's level decides what is kept (raft logs
	// elections and snapshots at INFO, its chatter at DEBUG and below).
	Logger *slog.Logger

	// Timing; see the Default* constants.
	HeartbeatTimeout   time.Duration
	ElectionTimeout    time.Duration
	LeaderLeaseTimeout time.Duration
	CommitTimeout      time.Duration
	SnapshotThreshold  uint64
	SnapshotInterval   time.Duration
	TrailingLogs       uint64

	// SegmentBytes is the size of one raft-wal segment file (default
	// raft-wal's 64 MiB). Compaction after a snapshot frees whole segments
	// only, and raft-wal still serves entries of a compacted prefix from
	// the segment being written, so a follower far behind gets a snapshot
	// only once its next entry's segment is gone. Tests lower it to
	// exercise snapshot installs with little data.
	SegmentBytes int

	// NoTransferOnClose makes Close stop a leader without handing
	// leadership over first (tests that tear down whole in-memory
	// clusters, whose transport would wait out its timeout for a peer
	// already gone).
	NoTransferOnClose bool

	// Hooks observe applies, snapshots and leadership (optional).
	Hooks Hooks

	// NoSync, for tests only, makes raft-wal skip the fsync of every log
	// append. Term/vote updates and segment rotations (raft-wal's bolt
	// metadata file) and snapshots are still fsynced: neither store lets us
	// turn those off. Default false: every append is on disk before it is
	// acknowledged.
	NoSync bool
}

func (c Config) withDefaults() Config {
	def := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	if c.NodeID == "" {
		c.NodeID = DefaultNodeID
	}
	if c.BindAddr == "" {
		c.BindAddr = DefaultBindAddr
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	def(&c.HeartbeatTimeout, DefaultHeartbeatTimeout)
	def(&c.ElectionTimeout, DefaultElectionTimeout)
	def(&c.LeaderLeaseTimeout, DefaultLeaderLeaseTimeout)
	def(&c.CommitTimeout, DefaultCommitTimeout)
	def(&c.SnapshotInterval, DefaultSnapshotInterval)
	if c.SnapshotThreshold == 0 {
		c.SnapshotThreshold = DefaultSnapshotThreshold
	}
	if c.TrailingLogs == 0 {
		c.TrailingLogs = DefaultTrailingLogs
	}
	return c
}

// raftConfig is the hashicorp/raft configuration for c (defaults applied).
func (c Config) raftConfig(logger *slogHCLog) (*raft.Config, error) {
	rc := raft.DefaultConfig()
	rc.LocalID = raft.ServerID(c.NodeID)
	rc.HeartbeatTimeout = c.HeartbeatTimeout
	rc.ElectionTimeout = c.ElectionTimeout
	rc.LeaderLeaseTimeout = c.LeaderLeaseTimeout
	rc.CommitTimeout = c.CommitTimeout
	rc.SnapshotThreshold = c.SnapshotThreshold
	rc.SnapshotInterval = c.SnapshotInterval
	rc.TrailingLogs = c.TrailingLogs
	rc.Logger = logger.Named("raft")
	rc.NoLegacyTelemetry = true
	if err := raft.ValidateConfig(rc); err != nil {
		return nil, err
	}
	return rc, nil
}
