package server

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/query/sql"
	"github.com/stratadb/strata/raftlog"
	"github.com/stratadb/strata/server/pgwire"
)

// leaderWait bounds how long a request that needs the leader (a read
// index, a forwarded write) waits for one to be elected and reachable;
// leaderRetry is how often it asks again meanwhile.
const (
	leaderWait  = 10 * time.Second
	leaderRetry = 100 * time.Millisecond
)

// defaultMinVersionWait bounds a wait for "at least version v" when the
// caller set no deadline.
const defaultMinVersionWait = 30 * time.Second

// readOptions say what state a read may see.
type readOptions struct {
	mode       stratapb.ReadMode
	minVersion uint64
}

// fence waits until this node's applied state may serve a read with
// options o:
//   - linearizable: it holds every write acknowledged before the read
//     started. The leader's read index (raftlog.Node.ReadIndex; asked of
//     the leader by a follower) is applied here first, then the read runs
//     on local state: no query goes to the leader.
//   - follower: at once, whatever is applied.
//   - min_version v: it has applied v (read-your-writes on any node),
//     waiting up to the context's deadline (defaultMinVersionWait without
//     one) instead of failing.
//
// The read then takes the latest applied version, which is at least the
// index waited for. AS OF VERSION above it still fails with
// ErrFutureVersion: a fence never waits for an explicit past version.
func (n *Node) fence(ctx context.Context, o readOptions) error {
	mode := n.readMode(o.mode)
	if err := n.readableIn(mode); err != nil {
		return err
	}
	if o.minVersion > n.raft.AppliedIndex() {
		wctx, cancel := ctx, context.CancelFunc(func() {})
		if _, ok := ctx.Deadline(); !ok {
			wctx, cancel = context.WithTimeout(ctx, defaultMinVersionWait)
		}
		err := n.raft.WaitApplied(wctx, o.minVersion)
		cancel()
		if err != nil {
			return fmt.Errorf("waiting to apply version %d: %w", o.minVersion, err)
		}
	}
	if mode != stratapb.ReadMode_READ_MODE_LINEARIZABLE {
		return nil
	}
	start := time.Now()
	idx, err := n.readIndex(ctx)
	if err != nil {
		return fmt.Errorf("linearizable read (use follower reads to read this node's state anyway): %w", err)
	}
	if err := n.raft.WaitApplied(ctx, idx); err != nil {
		return fmt.Errorf("linearizable read: %w", err)
	}
	n.metrics.readIndexLatency.Observe(time.Since(start).Seconds())
	return nil
}

// readMode resolves READ_MODE_DEFAULT to the node's mode.
func (n *Node) readMode(m stratapb.ReadMode) stratapb.ReadMode {
	if m == stratapb.ReadMode_READ_MODE_DEFAULT {
		return n.defaultReadMode
	}
	return m
}

// readableIn is readable for a read in mode: a follower read needs no
// leader, only the replayed log, so a node cut off from the others still
// answers from what it has.
func (n *Node) readableIn(mode stratapb.ReadMode) error {
	err := n.readable()
	if err != nil && mode == stratapb.ReadMode_READ_MODE_FOLLOWER && n.replayed.Load() && !n.closed.Load() {
		return nil
	}
	return err
}

// readIndex is the leader's read index: its own, or asked of it. While
// there is no reachable leader (an election after the leader died) it
// keeps asking, up to leaderWait or the context's end: a read is safe to
// retry, and an election takes a few seconds.
func (n *Node) readIndex(ctx context.Context) (uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, leaderWait)
	defer cancel()
	for {
		idx, err := n.readIndexOnce(ctx)
		if err == nil || !retryableLeaderErr(err) || ctx.Err() != nil {
			return idx, err
		}
		select {
		case <-ctx.Done():
			return 0, err
		case <-n.closing:
			return 0, err
		case <-time.After(leaderRetry):
		}
	}
}

func (n *Node) readIndexOnce(ctx context.Context) (uint64, error) {
	if n.raft.IsLeader() {
		idx, err := n.raft.ReadIndex(ctx)
		if err == nil || !isNotLeader(err) {
			return idx, err
		}
	}
	c, addr, err := n.leaderClient()
	if err != nil {
		return 0, err
	}
	resp, err := c.ReadIndex(ctx, &stratapb.ReadIndexRequest{})
	if err != nil {
		return 0, fmt.Errorf("read index from the leader at %s: %w", addr, err)
	}
	return resp.GetIndex(), nil
}

// retryableLeaderErr: the leader is unknown, unreachable, or no longer
// leads; asking again shortly may reach the next one.
func retryableLeaderErr(err error) bool {
	if errors.Is(err, raftlog.ErrNotLeader) || errors.Is(err, raftlog.ErrLeadershipLost) {
		return true
	}
	s, ok := status.FromError(err)
	return ok && s.Code() == codes.Unavailable
}

func isNotLeader(err error) bool {
	return err != nil && errors.Is(err, raftlog.ErrNotLeader)
}

// parseReadMode turns --read-mode into the proto enum.
func parseReadMode(s string) (stratapb.ReadMode, error) {
	switch s {
	case "", ReadLinearizable:
		return stratapb.ReadMode_READ_MODE_LINEARIZABLE, nil
	case ReadFollower:
		return stratapb.ReadMode_READ_MODE_FOLLOWER, nil
	}
	return 0, fmt.Errorf("read mode %q: want %q or %q", s, ReadLinearizable, ReadFollower)
}

type readOptionsKey struct{}

// fencedKey marks a request context whose read fence has passed.
type fencedKey struct{}

// withReadOptions attaches a request's read options to ctx, for the SQL
// path, which reaches runSelect through Run.
func withReadOptions(ctx context.Context, o readOptions) context.Context {
	return context.WithValue(ctx, readOptionsKey{}, o)
}

// readOptionsFrom is what withReadOptions attached; else a PostgreSQL
// session's strata.read_mode and strata.min_version (SET strata.read_mode
// = 'follower'); else the node's default.
func readOptionsFrom(ctx context.Context) (readOptions, error) {
	if o, ok := ctx.Value(readOptionsKey{}).(readOptions); ok {
		return o, nil
	}
	var o readOptions
	if v, ok := pgwire.Setting(ctx, "strata.read_mode"); ok && v != "" && v != "default" {
		m, err := parseReadMode(v)
		if err != nil {
			return o, &sql.Error{Code: "22023", Message: "strata.read_mode: " + err.Error()}
		}
		o.mode = m
	}
	if v, ok := pgwire.Setting(ctx, "strata.min_version"); ok && v != "" {
		mv, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return o, &sql.Error{Code: "22023", Message: fmt.Sprintf("strata.min_version %q: want a version number", v)}
		}
		o.minVersion = mv
	}
	return o, nil
}

// Fence waits until this node's state may serve a read with the options
// ctx carries (the node's read mode by default). It implements
// pgwire.Fencer.
func (n *Node) Fence(ctx context.Context) error {
	if fenced, _ := ctx.Value(fencedKey{}).(bool); fenced {
		return nil // this request's fence has passed already
	}
	o, err := readOptionsFrom(ctx)
	if err != nil {
		return err
	}
	return n.fence(ctx, o)
}
