package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/stratadb/strata/ingest"
	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/raftlog"
)

// propose sends a command through Raft and returns what the FSM answered:
// on the leader directly, on a follower through the leader (Forward). A
// non-nil error means the outcome is unknown or the command was never
// proposed; r.Err is the command's own, deterministic failure.
func (n *Node) propose(ctx context.Context, cmd *stratapb.Command) (*ingest.Result, error) {
	b, err := ingest.EncodeCommand(cmd)
	if err != nil {
		return nil, err
	}
	n.metrics.proposals.Inc()
	_, resp, err := n.raft.Propose(ctx, b)
	if errors.Is(err, raftlog.ErrNotLeader) {
		// Not appended here: the leader can take it.
		return n.forward(ctx, b)
	}
	if err != nil {
		return nil, err
	}
	return resultOf(resp)
}

// forward proposes an encoded command on the leader. While no leader is
// known it waits for one (up to leaderWait): nothing was sent yet, so
// waiting is safe. Once sent, a failure is an unknown outcome and is not
// retried here.
func (n *Node) forward(ctx context.Context, cmd []byte) (*ingest.Result, error) {
	c, addr, err := n.waitLeaderClient(ctx)
	if err != nil {
		return nil, err
	}
	n.metrics.forwarded.Inc()
	resp, err := c.Forward(ctx, &stratapb.ForwardRequest{Command: cmd})
	if err != nil {
		if status.Code(err) == codes.Unavailable {
			// The leader may have appended it before failing: unknown.
			return nil, fmt.Errorf("forwarded to the leader at %s: %v: %w", addr, status.Convert(err).Message(), raftlog.ErrLeadershipLost)
		}
		return nil, fmt.Errorf("forwarded to the leader at %s: %w", addr, err)
	}
	r := &ingest.Result{Version: resp.GetVersion(), Duplicate: resp.GetDuplicate(), Rows: resp.GetRows(), Existed: resp.GetExisted()}
	if e := resp.GetError(); e != nil {
		r.Err = &forwardedError{msg: e.GetMessage(), kind: sentinelNamed(resp.GetErrorKind())}
	}
	return r, nil
}

// Forward proposes a follower's command here, on the leader.
func (n *Node) Forward(ctx context.Context, req *stratapb.ForwardRequest) (*stratapb.ForwardResponse, error) {
	if !n.raft.IsLeader() {
		// Forwarding once is enough: a stale follower's request goes back
		// to it, which retries against the leader it now knows.
		return nil, toStatus(fmt.Errorf("forward: %w", &raftlog.NotLeaderError{}))
	}
	n.metrics.proposals.Inc()
	idx, resp, err := n.raft.Propose(ctx, req.GetCommand())
	if err != nil && resp == nil {
		return nil, toStatus(err)
	}
	r, err := resultOf(resp)
	if err != nil {
		return nil, toStatus(err)
	}
	out := &stratapb.ForwardResponse{Index: idx, Version: r.Version, Duplicate: r.Duplicate, Rows: r.Rows, Existed: r.Existed}
	if r.Err != nil {
		out.Error = toAckError(r.Err)
		out.ErrorKind = sentinelName(r.Err)
	}
	return out, nil
}

// ReadIndex answers this leader's read index (see raftlog.Node.ReadIndex).
func (n *Node) ReadIndex(ctx context.Context, _ *stratapb.ReadIndexRequest) (*stratapb.ReadIndexResponse, error) {
	idx, err := n.raft.ReadIndex(ctx)
	if err != nil {
		return nil, toStatus(err)
	}
	return &stratapb.ReadIndexResponse{Index: idx}, nil
}

// forwardedError is a command's failure reported by the leader: its message,
// and errors.Is still recognises its class (table exists, no table, ...).
type forwardedError struct {
	msg  string
	kind error
}

func (e *forwardedError) Error() string { return e.msg }
func (e *forwardedError) Unwrap() error { return e.kind }

// sentinelName names the class of err by the text of the first error of
// statusTable it wraps ("" when none).
func sentinelName(err error) string {
	for _, e := range statusTable {
		if errors.Is(err, e.err) {
			return e.err.Error()
		}
	}
	return ""
}

// sentinelNamed is the statusTable error whose text is name (nil if none).
func sentinelNamed(name string) error {
	if name == "" {
		return nil
	}
	for _, e := range statusTable {
		if e.err.Error() == name {
			return e.err
		}
	}
	return nil
}

// waitLeaderClient is leaderClient, retried while no leader is known, up to
// leaderWait or the end of ctx.
func (n *Node) waitLeaderClient(ctx context.Context) (stratapb.StrataClient, string, error) {
	deadline := time.Now().Add(leaderWait)
	for {
		c, addr, err := n.leaderClient()
		if err == nil || time.Now().After(deadline) {
			return c, addr, err
		}
		select {
		case <-ctx.Done():
			return nil, "", err
		case <-n.closing:
			return nil, "", err
		case <-time.After(leaderRetry):
		}
	}
}
