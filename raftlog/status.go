package raftlog

import (
	"errors"
	"fmt"

	"github.com/hashicorp/raft"
)

// State is a node's Raft role.
type State string

// The States. StateShutdown is also reported after Close.
const (
	StateFollower  State = "follower"
	StateCandidate State = "candidate"
	StateLeader    State = "leader"
	StateShutdown  State = "shutdown"
)

// Suffrage values of a Member.
const (
	SuffrageVoter    = "voter"
	SuffrageNonvoter = "nonvoter"
	SuffrageStaging  = "staging"
)

// Status is a point-in-time view of a node, for health checks and admin.
type Status struct {
	ID    string // this node's ID
	Addr  string // this node's advertised Raft address
	State State
	Term  uint64
	// CommitIndex is the highest index known committed; AppliedIndex is
	// this node's FSM watermark (see AppliedIndex); LastLogIndex is the
	// last entry in its log, committed or not.
	CommitIndex  uint64
	AppliedIndex uint64
	LastLogIndex uint64
	LeaderID     string // empty when no leader is known
	LeaderAddr   string
	Members      []Member // the latest configuration (possibly uncommitted)
}

// Member is one server of the configuration.
type Member struct {
	ID       string
	Addr     string
	Suffrage string // SuffrageVoter, SuffrageNonvoter or SuffrageStaging
}

// Status returns the node's current status. Members is empty after Close.
func (n *Node) Status() Status {
	leaderID, leaderAddr := n.Leader()
	st := Status{
		ID:           n.cfg.NodeID,
		Addr:         string(n.trans.LocalAddr()),
		State:        toState(n.raft.State()),
		Term:         n.raft.CurrentTerm(),
		CommitIndex:  n.raft.CommitIndex(),
		AppliedIndex: n.AppliedIndex(),
		LastLogIndex: n.raft.LastIndex(),
		LeaderID:     leaderID,
		LeaderAddr:   leaderAddr,
	}
	st.Members, _ = n.members()
	return st
}

func (n *Node) members() ([]Member, error) {
	f := n.raft.GetConfiguration()
	if err := f.Error(); err != nil {
		return nil, err
	}
	servers := f.Configuration().Servers
	ms := make([]Member, len(servers))
	for i, s := range servers {
		ms[i] = Member{ID: string(s.ID), Addr: string(s.Address), Suffrage: toSuffrage(s.Suffrage)}
	}
	return ms, nil
}

func toState(s raft.RaftState) State {
	switch s {
	case raft.Leader:
		return StateLeader
	case raft.Candidate:
		return StateCandidate
	case raft.Follower:
		return StateFollower
	default:
		return StateShutdown
	}
}

func toSuffrage(s raft.ServerSuffrage) string {
	switch s {
	case raft.Voter:
		return SuffrageVoter
	case raft.Nonvoter:
		return SuffrageNonvoter
	default:
		return SuffrageStaging
	}
}

// IsLeader reports whether this node is the leader right now. Leadership
// can end at any moment; a write needs no such check (Propose answers
// ErrNotLeader), a read that must not be stale uses Barrier.
func (n *Node) IsLeader() bool { return n.raft.State() == raft.Leader }

// Leader returns the ID and Raft address of the leader this node knows of,
// or empty strings.
func (n *Node) Leader() (id, addr string) {
	a, i := n.raft.LeaderWithID()
	return string(i), string(a)
}

// LeaderCh delivers true when this node becomes leader and false when it
// stops being leader. It is raft's channel: buffered by one, it keeps only
// the latest change when the reader is slow, and it has a single reader
// (give it to one goroutine). It is never closed.
func (n *Node) LeaderCh() <-chan bool { return n.raft.LeaderCh() }

// Snapshot takes a snapshot now and compacts the log behind it (keeping
// TrailingLogs entries). A node with nothing new since its last snapshot
// returns nil.
func (n *Node) Snapshot() error {
	if n.isClosing() {
		return fmt.Errorf("snapshot: %w", ErrShutdown)
	}
	err := n.raft.Snapshot().Error()
	if errors.Is(err, raft.ErrNothingNewToSnapshot) {
		return nil
	}
	return n.mapErr("snapshot", err)
}
