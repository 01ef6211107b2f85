package raftlog

import (
	"context"
	"time"

	"github.com/hashicorp/raft"
)

// AddVoter adds the server id at Raft address addr as a voter, or updates
// its address if it is already a member. Leader only (ErrNotLeader). It
// returns once the new configuration is committed; the new server then
// catches up from the log or a snapshot in the background. The server at
// addr must be running with no state of its own (Open without Bootstrap on
// an empty Dir), or with state from this same group.
func (n *Node) AddVoter(ctx context.Context, id, addr string) error {
	_, err := n.await(ctx, func(timeout time.Duration) raft.Future {
		return n.raft.AddVoter(raft.ServerID(id), raft.ServerAddress(addr), 0, timeout)
	})
	return n.mapErr("add voter "+id, err)
}

// RemoveServer removes server id from the configuration. Leader only
// (ErrNotLeader). A leader may remove itself: it steps down once the change
// commits, and its node then shuts down (raft's ShutdownOnRemove), so its
// later calls return ErrShutdown.
func (n *Node) RemoveServer(ctx context.Context, id string) error {
	_, err := n.await(ctx, func(timeout time.Duration) raft.Future {
		return n.raft.RemoveServer(raft.ServerID(id), 0, timeout)
	})
	return n.mapErr("remove server "+id, err)
}
