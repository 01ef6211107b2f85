package raftlog

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/raft"
)

// Node is one member of a Raft group: a hashicorp/raft instance, its stores
// and transport, and the FSM adapter. All methods are safe for concurrent
// use. After Close every method returns ErrShutdown (or zero values).
type Node struct {
	cfg     Config
	raft    *raft.Raft
	fsm     *fsmAdapter
	logs    raft.LogStore // read by WaitApplied to recognise no-op entries
	trans   raft.Transport
	stores  *stores
	closing chan struct{} // closed when Close starts; wakes waiters
	// readyTerm is the last term in which this node, as leader, committed
	// a barrier (see ReadIndex).
	readyTerm atomic.Uint64
	// hadState: the directory held Raft state when the node opened.
	hadState bool

	closeOnce sync.Once
	closeErr  error // set inside closeOnce
}

// Open starts the node whose state lives in cfg.Dir, creating the directory
// layout on first use. It bootstraps a one-voter group when cfg.Bootstrap is
// set and the directory holds no Raft state; existing state is recovered
// (snapshot, then the log after it as soon as a leader commits it) and never
// bootstrapped again. Open does not wait for an election: watch LeaderCh,
// IsLeader or Status.
func Open(cfg Config, fsm FSM) (*Node, error) {
	cfg = cfg.withDefaults()
	if cfg.Dir == "" {
		return nil, errors.New("raftlog: open: config has no Dir")
	}
	logger := newHCLog(cfg.Logger, "raftlog")
	s, err := openDiskStores(cfg, logger)
	if err != nil {
		return nil, err
	}
	n, err := start(cfg, fsm, s, logger)
	if err != nil {
		return nil, errors.Join(err, s.close())
	}
	return n, nil
}

// start runs raft on the given stores (Open's disk stores, or in-memory
// ones in tests). cfg has its defaults applied.
func start(cfg Config, fsm FSM, s *stores, logger *slogHCLog) (*Node, error) {
	rc, err := cfg.raftConfig(logger)
	if err != nil {
		return nil, fmt.Errorf("raftlog: config: %w", err)
	}
	hadState, err := raft.HasExistingState(s.logs, s.stable, s.snaps)
	if err != nil {
		return nil, fmt.Errorf("raftlog: inspect state: %w", err)
	}
	if err := bootstrapIfNew(cfg, rc, s, hadState, logger); err != nil {
		return nil, err
	}
	adapter := newFSMAdapter(fsm, cfg.Hooks)
	r, err := raft.NewRaft(rc, adapter, s.logs, s.stable, s.snaps, s.trans)
	if err != nil {
		return nil, fmt.Errorf("raftlog: start raft: %w", err)
	}
	n := &Node{
		cfg:      cfg,
		raft:     r,
		fsm:      adapter,
		logs:     s.logs,
		trans:    s.trans,
		stores:   s,
		closing:  make(chan struct{}),
		hadState: hadState,
	}
	go n.watchLeadership()
	return n, nil
}

// HadState reports whether the node's directory held Raft state when it
// opened: a restarted node, which needs no bootstrap and no join.
func (n *Node) HadState() bool { return n.hadState }

// bootstrapIfNew writes the one-voter configuration when asked to and the
// stores are empty.
func bootstrapIfNew(cfg Config, rc *raft.Config, s *stores, existing bool, logger *slogHCLog) error {
	if !cfg.Bootstrap {
		return nil
	}
	if existing {
		logger.Info("existing raft state found; not bootstrapping", "node", cfg.NodeID)
		return nil
	}
	conf := raft.Configuration{Servers: []raft.Server{{
		Suffrage: raft.Voter, ID: rc.LocalID, Address: s.trans.LocalAddr(),
	}}}
	if err := raft.BootstrapCluster(rc, s.logs, s.stable, s.snaps, s.trans, conf); err != nil {
		return fmt.Errorf("raftlog: bootstrap: %w", err)
	}
	logger.Info("bootstrapped a one-voter group", "node", cfg.NodeID, "addr", s.trans.LocalAddr())
	return nil
}

// Close stops the node: a leader with other voters first hands leadership
// to one of them (so writes pause for one round trip instead of an
// election timeout; if the transfer fails it simply stops), then raft
// shuts down, then the transport, the WAL and its metadata file are
// closed. Committed state is on disk; the directory can be opened again.
// In-flight Proposes end with ErrShutdown (unknown outcome) and waiters with
// ErrShutdown. Close is idempotent and returns the first call's result.
func (n *Node) Close() error {
	n.closeOnce.Do(func() {
		n.handOverLeadership()
		close(n.closing)
		err := n.raft.Shutdown().Error()
		n.closeErr = errors.Join(err, n.stores.close())
		if n.closeErr != nil {
			n.closeErr = fmt.Errorf("raftlog: close: %w", n.closeErr)
		}
	})
	return n.closeErr
}

// isClosing reports whether Close has started.
func (n *Node) isClosing() bool {
	select {
	case <-n.closing:
		return true
	default:
		return false
	}
}

// handOverLeadership transfers leadership to another voter when this node
// leads and has one. raft bounds the transfer by its election timeout.
func (n *Node) handOverLeadership() {
	if n.cfg.NoTransferOnClose || !n.IsLeader() {
		return
	}
	ms, err := n.members()
	if err != nil {
		return
	}
	voters := 0
	for _, m := range ms {
		if m.Suffrage == SuffrageVoter {
			voters++
		}
	}
	if voters < 2 {
		return
	}
	if err := n.raft.LeadershipTransfer().Error(); err != nil {
		n.cfg.Logger.Warn("leadership transfer before shutdown failed; stopping anyway", "err", err)
		return
	}
	n.cfg.Logger.Info("leadership transferred before shutdown")
}
