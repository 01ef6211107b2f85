package raftlog

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/hashicorp/raft"
	raftwal "github.com/hashicorp/raft-wal"
	"github.com/hashicorp/raft-wal/fs"
	"github.com/hashicorp/raft-wal/metadb"
	"github.com/hashicorp/raft-wal/segment"
)

// Transport tuning: connections pooled per peer, and the I/O deadline of one
// RPC (InstallSnapshot scales it with the snapshot size).
const (
	transportMaxPool = 3
	transportTimeout = 10 * time.Second
)

// logCacheEntries is how many of the newest log entries are kept in memory
// (raft.LogCache). Entries are whole write batches (megabytes), so this
// stays small: enough for the entries in flight between append and apply.
const logCacheEntries = 32

// stores is what raft runs on. closers are closed in order once raft has
// shut down (and on a failed start).
type stores struct {
	logs    raft.LogStore
	stable  raft.StableStore
	snaps   raft.SnapshotStore
	trans   raft.Transport
	closers []io.Closer
}

func (s *stores) close() error {
	var errs []error
	for _, c := range s.closers {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// openDiskStores opens Dir/wal, Dir/snapshots and the TCP transport.
func openDiskStores(cfg Config, logger *slogHCLog) (_ *stores, err error) {
	s := &stores{}
	defer func() {
		if err != nil {
			err = errors.Join(err, s.close())
		}
	}()
	if err := openWAL(s, cfg, logger); err != nil {
		return nil, err
	}
	snaps, err := raft.NewFileSnapshotStoreWithLogger(cfg.Dir, snapshotsRetained, logger.Named("snapshots"))
	if err != nil {
		return nil, fmt.Errorf("raftlog: open snapshot store: %w", err)
	}
	s.snaps = snaps
	trans, err := newTCPTransport(cfg, logger)
	if err != nil {
		return nil, err
	}
	s.trans = trans
	s.closers = append([]io.Closer{transportCloser{trans}}, s.closers...)
	return s, nil
}

// openWAL opens raft-wal in Dir/wal as log and stable store. The bolt
// metadata store is passed in explicitly because WAL.Close does not close
// it, and its file lock would block the next Open in this process forever.
func openWAL(s *stores, cfg Config, logger *slogHCLog) error {
	dir := filepath.Join(cfg.Dir, walDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("raftlog: create wal dir: %w", err)
	}
	meta := &metadb.BoltMetaDB{}
	segmentBytes := cfg.SegmentBytes
	if segmentBytes <= 0 {
		segmentBytes = raftwal.DefaultSegmentSize
	}
	wal, err := raftwal.Open(dir,
		raftwal.WithLogger(logger.Named("wal")),
		raftwal.WithMetaStore(meta),
		raftwal.WithSegmentFiler(segment.NewFiler(dir, walVFS{VFS: fs.New(), noSync: cfg.NoSync})),
		raftwal.WithSegmentSize(segmentBytes))
	if err != nil {
		return errors.Join(fmt.Errorf("raftlog: open wal %s: %w", dir, err), meta.Close())
	}
	// The newest entries stay in memory: the leader replicates them and
	// every node applies them right after appending, and raft-wal would
	// otherwise read each one back from disk and decode a copy.
	cache, err := raft.NewLogCache(logCacheEntries, wal)
	if err != nil {
		return errors.Join(fmt.Errorf("raftlog: log cache: %w", err), wal.Close(), meta.Close())
	}
	s.logs, s.stable = cache, wal
	s.closers = append(s.closers, wal, meta)
	return nil
}

func newTCPTransport(cfg Config, logger *slogHCLog) (*raft.NetworkTransport, error) {
	var advertise net.Addr
	if cfg.Advertise != "" {
		a, err := net.ResolveTCPAddr("tcp", cfg.Advertise)
		if err != nil {
			return nil, fmt.Errorf("raftlog: advertise address %q: %w", cfg.Advertise, err)
		}
		advertise = a
	}
	trans, err := raft.NewTCPTransportWithConfig(cfg.BindAddr, advertise, &raft.NetworkTransportConfig{
		MaxPool: transportMaxPool,
		Timeout: transportTimeout,
		Logger:  logger.Named("transport"),
	})
	if err != nil {
		return nil, fmt.Errorf("raftlog: listen on %s: %w", cfg.BindAddr, err)
	}
	return trans, nil
}

// transportCloser closes a NetworkTransport completely: Close stops the
// listener only, CloseStreams also drops pooled outgoing connections, which
// ends the peers' handler goroutines for them.
type transportCloser struct{ t *raft.NetworkTransport }

func (c transportCloser) Close() error {
	err := c.t.Close()
	c.t.CloseStreams()
	return err
}
