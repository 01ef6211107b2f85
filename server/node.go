package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/stratadb/strata/ingest"
	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/raftlog"
	"github.com/stratadb/strata/server/pgwire"
	"github.com/stratadb/strata/storage"
)

// Node is one Strata server: the FSM over storage, driven by a Raft log,
// served over gRPC and HTTP.
type Node struct {
	stratapb.UnimplementedStrataServer

	cfg     Config
	log     *slog.Logger
	fsm     *ingest.FSM
	raft    *raftlog.Node
	budget  *budget
	metrics *metrics
	peers   *peers
	chunks  *peerChunkStore
	// joinedMembers is the member list the Join call answered (see
	// grpcAddrOf); nil unless this node joined in this process.
	joinedMembers atomic.Pointer[[]*stratapb.Member]
	// savedPeers are the other members' gRPC addresses from the peers
	// file (see peersFileName).
	savedPeers atomic.Pointer[[]string]
	pipelines  *pipelineManager
	// defaultReadMode is Config.ReadMode (never READ_MODE_DEFAULT).
	defaultReadMode stratapb.ReadMode

	grpc     *grpc.Server
	http     *http.Server
	pg       *pgwire.Server
	grpcLis  net.Listener
	httpLis  net.Listener
	replayTo uint64 // last log index at start: ready once applied
	replayed atomic.Bool
	closing  chan struct{} // closed when Close begins

	usageMu   sync.Mutex
	usageAt   time.Time
	usageLast storage.Usage

	closeOnce sync.Once
	closed    atomic.Bool
	serveErr  chan error
}

// raftFSM adapts the ingest FSM to raftlog's interface.
type raftFSM struct{ *ingest.FSM }

func (f raftFSM) Snapshot() (raftlog.Snapshot, error) {
	s, err := f.Capture()
	if err != nil {
		return nil, err
	}
	return s, nil
}

// raftHooks are the metrics' hooks, plus: chunks fetched for a restored
// snapshot are stored once it has succeeded.
func (n *Node) raftHooks() raftlog.Hooks {
	h := n.metrics.raftHooks(n.log)
	restored := h.Restored
	h.Restored = func(index uint64, took time.Duration, err error) {
		if err == nil {
			err = n.chunks.keepFetched()
		} else {
			n.chunks.dropFetched()
		}
		restored(index, took, err)
	}
	return h
}

// Open starts a node: it opens (or bootstraps) the Raft log, replays it
// into the FSM, and starts serving gRPC and HTTP. It returns once the
// listeners are bound; /readyz turns ready when the replay is done.
func Open(cfg Config) (*Node, error) {
	cfg = cfg.withDefaults()
	mode, err := parseReadMode(cfg.ReadMode)
	if err != nil {
		return nil, err
	}
	n := &Node{cfg: cfg, log: cfg.Logger, budget: newBudget(cfg.IngestBudgetBytes), serveErr: make(chan error, 2),
		closing: make(chan struct{}), defaultReadMode: mode, peers: newPeers(cfg.MaxMessageBytes)}
	n.metrics = newMetrics(n)
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	// Snapshots name sealed chunks kept here instead of re-encoding them;
	// a chunk a received snapshot names and this node lacks is fetched
	// from a peer.
	n.loadSavedPeers()
	n.chunks, err = newPeerChunkStore(filepath.Join(cfg.DataDir, "chunks"), n.chunkSources, n.peers)
	if err != nil {
		return nil, fmt.Errorf("chunk store: %w", err)
	}
	n.fsm = ingest.NewFSM(ingest.Options{Chunks: n.chunks})
	rn, err := raftlog.Open(raftlog.Config{
		NodeID:             cfg.NodeID,
		Dir:                filepath.Join(cfg.DataDir, "raft"),
		BindAddr:           cfg.RaftAddr,
		Bootstrap:          !cfg.NoBootstrap && cfg.Join == "",
		Logger:             cfg.Logger.With("component", "raft"),
		SnapshotThreshold:  cfg.SnapshotThreshold,
		SnapshotInterval:   cfg.SnapshotInterval,
		TrailingLogs:       cfg.TrailingLogs,
		SegmentBytes:       cfg.RaftSegmentBytes,
		HeartbeatTimeout:   cfg.HeartbeatTimeout,
		ElectionTimeout:    cfg.ElectionTimeout,
		LeaderLeaseTimeout: cfg.LeaderLeaseTimeout,
		NoSync:             cfg.NoSync,
		Hooks:              n.raftHooks(),
	}, raftFSM{n.fsm})
	if err != nil {
		n.fsm.Close()
		return nil, fmt.Errorf("open raft log: %w", err)
	}
	n.raft = rn
	n.replayTo = rn.Status().LastLogIndex
	go n.awaitReplay()
	if err := n.listen(); err != nil {
		n.Close(context.Background())
		return nil, err
	}
	if cfg.Join != "" && !rn.HadState() {
		go n.joinCluster()
	} else if cfg.Join != "" {
		n.log.Info("existing data dir: --join ignored", "data_dir", cfg.DataDir)
	}
	go n.registerSelf()
	n.pipelines = newPipelineManager(n)
	go n.pipelines.run()
	n.log.Info("strata node started", "node", cfg.NodeID, "grpc", n.GRPCAddr(), "http", n.HTTPAddr(),
		"raft", rn.Status().Addr, "pg", n.PGAddr(), "data_dir", cfg.DataDir, "replay_to", n.replayTo,
		"read_mode", cfg.ReadMode)
	return n, nil
}

func (n *Node) listen() error {
	var err error
	if n.grpcLis, err = net.Listen("tcp", n.cfg.GRPCAddr); err != nil {
		return fmt.Errorf("gRPC listen: %w", err)
	}
	n.grpc = grpc.NewServer(
		// Twice the batch limit: a moderately oversized batch still gets
		// its own clear refusal instead of failing the stream.
		grpc.MaxRecvMsgSize(2*n.cfg.MaxMessageBytes),
		grpc.MaxSendMsgSize(2*n.cfg.MaxMessageBytes),
		grpc.ChainUnaryInterceptor(n.recoverUnary),
		grpc.ChainStreamInterceptor(n.recoverStream),
	)
	stratapb.RegisterStrataServer(n.grpc, n)
	go func() { n.serveErr <- n.grpc.Serve(n.grpcLis) }()
	if err := n.listenPG(); err != nil {
		return err
	}
	if n.cfg.HTTPAddr == "off" {
		return nil
	}
	if n.httpLis, err = net.Listen("tcp", n.cfg.HTTPAddr); err != nil {
		return fmt.Errorf("HTTP listen: %w", err)
	}
	n.http = &http.Server{Handler: n.httpHandler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := n.http.Serve(n.httpLis); !errors.Is(err, http.ErrServerClosed) {
			n.serveErr <- err
		}
	}()
	return nil
}

// GRPCAddr and HTTPAddr are the bound addresses (useful with port 0).
func (n *Node) GRPCAddr() string {
	if n.grpcLis == nil {
		return "" // not listening yet: Open is restoring a snapshot
	}
	return n.grpcLis.Addr().String()
}

func (n *Node) HTTPAddr() string {
	if n.httpLis == nil {
		return ""
	}
	return n.httpLis.Addr().String()
}

// Err reports a listener that stopped serving on its own.
func (n *Node) Err() <-chan error { return n.serveErr }

// awaitReplay marks the node replayed once the log present at start is
// applied (raftlog's wait knows the no-op entries the FSM never sees).
func (n *Node) awaitReplay() {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-n.closing
		cancel()
	}()
	if err := n.raft.WaitApplied(ctx, n.replayTo); err == nil {
		n.replayed.Store(true)
	}
	cancel()
}

// ready is nil once the log present at start is applied and a leader is
// known.
func (n *Node) ready() error {
	if n.closed.Load() {
		return errors.New("shutting down")
	}
	if !n.replayed.Load() {
		return fmt.Errorf("replaying the log: applied %d of %d", n.raft.AppliedIndex(), n.replayTo)
	}
	if id, _ := n.raft.Leader(); id == "" {
		return errors.New("no Raft leader yet")
	}
	return nil
}

// readable refuses reads until the node is ready: before the replay ends a
// table may not exist yet, and "not found" would be a wrong answer.
func (n *Node) readable() error {
	if err := n.ready(); err != nil {
		return fmt.Errorf("%w: %v", ErrNotReady, err)
	}
	return nil
}

// usage is storage.Usage, cached for a moment: it walks every chunk.
func (n *Node) usage() storage.Usage {
	n.usageMu.Lock()
	defer n.usageMu.Unlock()
	if time.Since(n.usageAt) > 100*time.Millisecond {
		n.usageLast, n.usageAt = n.fsm.Store().Usage(), time.Now()
	}
	return n.usageLast
}

// Close stops serving: new RPCs are refused, running ones get until ctx
// ends to finish, then Raft and the store shut down. It is safe to call
// twice.
func (n *Node) Close(ctx context.Context) error {
	var err error
	n.closeOnce.Do(func() {
		n.closed.Store(true)
		close(n.closing)
		if n.http != nil {
			n.http.Shutdown(ctx)
		}
		if n.pg != nil {
			n.pg.Close(ctx)
		}
		if n.grpc != nil {
			done := make(chan struct{})
			go func() { n.grpc.GracefulStop(); close(done) }()
			select {
			case <-done:
			case <-ctx.Done():
				n.grpc.Stop()
			}
		}
		n.peers.close()
		if n.raft != nil {
			err = n.raft.Close()
		}
		n.fsm.Close()
		n.log.Info("strata node stopped", "node", n.cfg.NodeID)
	})
	return err
}

// recoverUnary and recoverStream turn a panic in a handler into Internal,
// logged with its stack, so one request never takes the node down.
func (n *Node) recoverUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (resp any, err error) {
	defer n.recoverInto(info.FullMethod, &err)
	return h(ctx, req)
}

func (n *Node) recoverStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) (err error) {
	defer n.recoverInto(info.FullMethod, &err)
	return h(srv, ss)
}

func (n *Node) recoverInto(method string, err *error) {
	if r := recover(); r != nil {
		n.log.Error("panic in handler", "method", method, "panic", r, "stack", string(debug.Stack()))
		*err = status.Errorf(codes.Internal, "internal error in %s (logged on the server)", method)
	}
}
