package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/stratadb/strata/ingest"
	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/raftlog"
)

// Membership has two halves. Raft's configuration says who votes and at
// which Raft address; the FSM's member registry (SetMemberCommand) says
// where each member serves gRPC, PostgreSQL and HTTP, which Raft cannot
// carry. A node keeps its own registry entry current by proposing it
// whenever it differs (registerSelf), so a restart on new ports, a join
// and a bootstrap are one code path.

// self is this node's entry in the member registry.
func (n *Node) self() *stratapb.Member {
	return &stratapb.Member{
		NodeId:   n.cfg.NodeID,
		RaftAddr: n.raft.Status().Addr,
		GrpcAddr: n.GRPCAddr(),
		PgAddr:   n.PGAddr(),
		HttpAddr: n.HTTPAddr(),
	}
}

// members merges Raft's configuration with the registry: every voter,
// with the addresses it registered.
func (n *Node) members() []*stratapb.Member {
	reg := map[string]*stratapb.Member{}
	for _, m := range n.fsm.Members() {
		reg[m.GetNodeId()] = m
	}
	var out []*stratapb.Member
	for _, m := range n.raft.Status().Members {
		mm := &stratapb.Member{NodeId: m.ID, RaftAddr: m.Addr, Suffrage: m.Suffrage}
		if r, ok := reg[m.ID]; ok {
			mm.GrpcAddr, mm.PgAddr, mm.HttpAddr = r.GetGrpcAddr(), r.GetPgAddr(), r.GetHttpAddr()
		}
		if m.ID == n.cfg.NodeID {
			mm.GrpcAddr, mm.PgAddr, mm.HttpAddr = n.GRPCAddr(), n.PGAddr(), n.HTTPAddr()
		}
		out = append(out, mm)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].NodeId < out[j].NodeId })
	return out
}

// grpcAddrOf is the registered gRPC address of member id ("" if unknown).
// A node that has just joined has no registry yet (it arrives with the
// leader's snapshot, whose chunks it must fetch from the leader first), so
// the member list its Join answered stands in until then.
func (n *Node) grpcAddrOf(id string) string {
	if id == n.cfg.NodeID {
		return n.GRPCAddr()
	}
	for _, m := range n.fsm.Members() {
		if m.GetNodeId() == id {
			return m.GetGrpcAddr()
		}
	}
	if joined := n.joinedMembers.Load(); joined != nil {
		for _, m := range *joined {
			if m.GetNodeId() == id {
				return m.GetGrpcAddr()
			}
		}
	}
	return ""
}

// leaderClient is a stub for the current leader, which is not this node.
// errNoLeader when none is known or its address is not registered yet.
func (n *Node) leaderClient() (stratapb.StrataClient, string, error) {
	id, _ := n.raft.Leader()
	if id == "" {
		return nil, "", fmt.Errorf("%w: no Raft leader is known (election in progress, or this node has not joined a cluster)", errNoLeader)
	}
	if id == n.cfg.NodeID {
		return nil, "", fmt.Errorf("%w: this node just became leader", errNoLeader)
	}
	addr := n.grpcAddrOf(id)
	if addr == "" {
		return nil, "", fmt.Errorf("%w: leader %s has not registered its gRPC address yet", errNoLeader, id)
	}
	c, err := n.peers.client(addr)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", errNoLeader, err)
	}
	return c, addr, nil
}

// errNoLeader: a request needs the leader and none can be reached now;
// retry shortly (it maps to Unavailable through raftlog.ErrNotLeader).
var errNoLeader = fmt.Errorf("no leader: %w", raftlog.ErrNotLeader)

// joinCluster asks a member of an existing cluster to add this node,
// retrying until it succeeds or the node closes. Only a node that opened
// without Raft state joins; it waits for the leader's log afterwards.
func (n *Node) joinCluster() {
	backoff := 200 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := n.joinOnce()
		if err == nil {
			n.log.Info("joined the cluster", "via", n.cfg.Join)
			return
		}
		n.log.Warn("join failed; retrying", "via", n.cfg.Join, "attempt", attempt, "err", err)
		select {
		case <-n.closing:
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (n *Node) joinOnce() error {
	c, err := n.peers.client(n.cfg.Join)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	self := n.self()
	resp, err := c.Join(ctx, &stratapb.JoinRequest{
		NodeId: self.NodeId, RaftAddr: self.RaftAddr, GrpcAddr: self.GrpcAddr,
		PgAddr: self.PgAddr, HttpAddr: self.HttpAddr,
	})
	if err != nil {
		return err
	}
	members := resp.GetMembers()
	n.joinedMembers.Store(&members)
	n.savePeers(members)
	return nil
}

// registerSelf keeps this node's registry entry equal to its addresses:
// checked every second until the node closes, proposed (through the leader)
// when it differs.
func (n *Node) registerSelf() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		if n.ready() == nil {
			n.savePeers(n.members())
		}
		if n.ready() == nil && !n.registered() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if _, err := n.proposeCommand(ctx, ingest.SetMemberCommand(n.self(), false)); err != nil {
				n.log.Debug("registering this node's addresses failed; will retry", "err", err)
			}
			cancel()
		}
		select {
		case <-n.closing:
			return
		case <-t.C:
		}
	}
}

// registered reports whether the registry holds this node's current
// addresses. A node no longer in Raft's configuration does not register.
func (n *Node) registered() bool {
	inConfig := false
	for _, m := range n.raft.Status().Members {
		inConfig = inConfig || m.ID == n.cfg.NodeID
	}
	if !inConfig {
		return true
	}
	want := n.self()
	for _, m := range n.fsm.Members() {
		if m.GetNodeId() == want.NodeId {
			return proto.Equal(m, want)
		}
	}
	return false
}

// Join adds the requesting server as a voter (on the leader; a follower
// forwards the request) and records its addresses.
func (n *Node) Join(ctx context.Context, req *stratapb.JoinRequest) (*stratapb.JoinResponse, error) {
	if req.GetNodeId() == "" || req.GetRaftAddr() == "" {
		return nil, toStatus(fmt.Errorf("%w: join needs node_id and raft_addr", ingest.ErrBadCommand))
	}
	if !n.raft.IsLeader() {
		c, _, err := n.waitLeaderClient(ctx)
		if err != nil {
			return nil, toStatus(err)
		}
		return c.Join(ctx, req)
	}
	for _, m := range n.raft.Status().Members {
		if m.ID != req.GetNodeId() && m.Addr == req.GetRaftAddr() {
			return nil, toStatus(fmt.Errorf("%w: Raft address %s already belongs to member %s", ingest.ErrBadCommand, m.Addr, m.ID))
		}
	}
	if err := n.raft.AddVoter(ctx, req.GetNodeId(), req.GetRaftAddr()); err != nil {
		return nil, toStatus(err)
	}
	m := &stratapb.Member{NodeId: req.GetNodeId(), RaftAddr: req.GetRaftAddr(), GrpcAddr: req.GetGrpcAddr(),
		PgAddr: req.GetPgAddr(), HttpAddr: req.GetHttpAddr()}
	if _, err := n.proposeCommand(ctx, ingest.SetMemberCommand(m, false)); err != nil {
		return nil, toStatus(err)
	}
	n.log.Info("member added", "node", m.NodeId, "raft", m.RaftAddr, "grpc", m.GrpcAddr)
	id, _ := n.raft.Leader()
	return &stratapb.JoinResponse{Members: n.members(), LeaderId: id}, nil
}

// RemoveMember removes a server from the configuration and the registry.
func (n *Node) RemoveMember(ctx context.Context, req *stratapb.RemoveMemberRequest) (*stratapb.RemoveMemberResponse, error) {
	id := req.GetNodeId()
	if id == "" {
		return nil, toStatus(fmt.Errorf("%w: remove needs node_id", ingest.ErrBadCommand))
	}
	if !n.raft.IsLeader() {
		c, _, err := n.waitLeaderClient(ctx)
		if err != nil {
			return nil, toStatus(err)
		}
		return c.RemoveMember(ctx, req)
	}
	known := false
	for _, m := range n.raft.Status().Members {
		known = known || m.ID == id
	}
	if !known {
		return nil, toStatus(fmt.Errorf("%w: no member %q in the cluster", ingest.ErrBadCommand, id))
	}
	forget := func() error {
		_, err := n.proposeCommand(ctx, ingest.SetMemberCommand(&stratapb.Member{NodeId: id}, true))
		return err
	}
	// Another member leaves Raft's configuration first, so it cannot
	// register itself again in between (registerSelf skips a node outside
	// the configuration); the leader removing itself forgets its entry
	// first, because afterwards it can propose nothing more.
	if id == n.cfg.NodeID {
		if err := forget(); err != nil {
			return nil, toStatus(err)
		}
	}
	if err := n.raft.RemoveServer(ctx, id); err != nil {
		return nil, toStatus(err)
	}
	if id != n.cfg.NodeID {
		if err := forget(); err != nil {
			return nil, toStatus(err)
		}
	}
	n.log.Info("member removed", "node", id)
	return &stratapb.RemoveMemberResponse{Members: n.members()}, nil
}

// ClusterStatus asks every member for its status, in parallel, each with a
// short timeout; an unreachable member is listed with the error.
func (n *Node) ClusterStatus(ctx context.Context, _ *stratapb.ClusterStatusRequest) (*stratapb.ClusterStatusResponse, error) {
	ms := n.members()
	out := make([]*stratapb.MemberStatus, len(ms))
	var wg sync.WaitGroup
	for i, m := range ms {
		out[i] = &stratapb.MemberStatus{Member: m}
		if m.NodeId == n.cfg.NodeID {
			out[i].Status = n.status()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := n.peerStatus(ctx, m.GetGrpcAddr())
			out[i].Status = st
			if err != nil {
				out[i].Error = err.Error()
			}
		}()
	}
	wg.Wait()
	rs := n.raft.Status()
	return &stratapb.ClusterStatusResponse{Members: out, LeaderId: rs.LeaderID, Term: rs.Term}, nil
}

func (n *Node) peerStatus(ctx context.Context, addr string) (*stratapb.StatusResponse, error) {
	if addr == "" {
		return nil, errors.New("its gRPC address is not registered yet")
	}
	c, err := n.peers.client(addr)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return c.Status(ctx, &stratapb.StatusRequest{})
}

// chunkSources lists the peers to fetch a missing chunk from: the leader
// (which sent the snapshot naming it) first, then the other members.
func (n *Node) chunkSources() []string {
	var leader string
	if n.raft != nil {
		if id, _ := n.raft.Leader(); id != "" && id != n.cfg.NodeID {
			leader = n.grpcAddrOf(id)
		}
	}
	out := []string{}
	if leader != "" {
		out = append(out, leader)
	}
	seen := map[string]bool{leader: true, "": true, n.GRPCAddr(): true}
	add := func(a string) {
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	for _, m := range n.fsm.Members() {
		add(m.GetGrpcAddr())
	}
	if joined := n.joinedMembers.Load(); joined != nil {
		for _, m := range *joined {
			add(m.GetGrpcAddr())
		}
	}
	if saved := n.savedPeers.Load(); saved != nil {
		for _, a := range *saved {
			add(a)
		}
	}
	add(n.cfg.Join)
	return out
}

// peersFileName is the file in the data directory that keeps the other
// members' gRPC addresses. A node restoring its snapshot at start knows no
// leader and has no registry yet; if the snapshot names chunks it never
// stored (it crashed right after receiving that snapshot), these are whom
// to fetch them from.
const peersFileName = "peers"

// loadSavedPeers reads the peers file (none yet is fine).
func (n *Node) loadSavedPeers() {
	b, err := os.ReadFile(filepath.Join(n.cfg.DataDir, peersFileName))
	if err != nil {
		return
	}
	addrs := strings.Fields(string(b))
	n.savedPeers.Store(&addrs)
}

// savePeers records the other members' gRPC addresses when they changed.
func (n *Node) savePeers(members []*stratapb.Member) {
	var addrs []string
	for _, m := range members {
		if a := m.GetGrpcAddr(); a != "" && m.GetNodeId() != n.cfg.NodeID {
			addrs = append(addrs, a)
		}
	}
	sort.Strings(addrs)
	if old := n.savedPeers.Load(); old != nil && slices.Equal(*old, addrs) || len(addrs) == 0 {
		return
	}
	path := filepath.Join(n.cfg.DataDir, peersFileName)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(strings.Join(addrs, "\n")+"\n"), 0o644); err != nil {
		n.log.Warn("saving the members' addresses failed", "err", err)
		return
	}
	if err := os.Rename(tmp, path); err != nil {
		n.log.Warn("saving the members' addresses failed", "err", err)
		return
	}
	n.savedPeers.Store(&addrs)
}

// FetchChunk serves a chunk file to a peer restoring a snapshot.
func (n *Node) FetchChunk(req *stratapb.FetchChunkRequest, stream stratapb.Strata_FetchChunkServer) error {
	return n.chunks.serveFetch(req, stream)
}
