package raftlog

import (
	"context"
	"time"

	"github.com/hashicorp/raft"
)

// watchLeadership follows raft's observations until the node closes: it
// reports role and leader changes to the hooks, and on gaining leadership
// commits a barrier, so the new leader's commit index covers every entry of
// earlier terms before it serves a linearizable read (see ReadIndex).
func (n *Node) watchLeadership() {
	ch := make(chan raft.Observation, 16)
	obs := raft.NewObserver(ch, false, func(o *raft.Observation) bool {
		switch o.Data.(type) {
		case raft.RaftState, raft.LeaderObservation:
			return true
		}
		return false
	})
	n.raft.RegisterObserver(obs)
	defer n.raft.DeregisterObserver(obs)
	hooks := n.cfg.Hooks
	for {
		select {
		case <-n.closing:
			return
		case o := <-ch:
			switch d := o.Data.(type) {
			case raft.RaftState:
				if hooks.StateChanged != nil {
					hooks.StateChanged(toState(d))
				}
				if d == raft.Leader {
					go n.confirmLeadership()
				}
			case raft.LeaderObservation:
				if hooks.LeaderChanged != nil {
					hooks.LeaderChanged(string(d.LeaderID))
				}
			}
		}
	}
}

// confirmLeadership commits a barrier in the current term, retrying while
// this node stays leader of it.
func (n *Node) confirmLeadership() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-n.closing:
			cancel()
		case <-ctx.Done():
		}
	}()
	for n.IsLeader() && ctx.Err() == nil {
		if _, err := n.leaderReady(ctx); err == nil {
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
}
