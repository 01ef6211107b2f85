package raftlog

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// propose proposes count commands named prefix-i on n, a node that cannot
// lose leadership (a single voter), and returns the last index.
func propose(t testing.TB, n *Node, prefix string, count int) uint64 {
	t.Helper()
	var last uint64
	for i := range count {
		idx, resp, err := n.Propose(testCtx(t), fmt.Appendf(nil, "%s-%d", prefix, i))
		if err != nil {
			t.Fatalf("propose %s-%d: %v", prefix, i, err)
		}
		if idx <= last {
			t.Fatalf("propose %s-%d: index %d after %d", prefix, i, idx, last)
		}
		if r, ok := resp.(applyResp); !ok || r.Index != idx || r.Dup {
			t.Fatalf("propose %s-%d: response %#v, want applyResp at index %d", prefix, i, resp, idx)
		}
		last = idx
	}
	return last
}

// retryable reports whether a failed Propose may be sent again with the
// same command: it names another leader, or its outcome is unknown.
func retryable(err error) bool {
	return errors.Is(err, ErrNotLeader) || errors.Is(err, ErrLeadershipLost) ||
		errors.Is(err, context.DeadlineExceeded)
}

// firstLeader returns a node that believes it leads (possibly a stale one:
// its writes then fail and are retried), or nil.
func firstLeader(nodes []*Node) *Node {
	for _, n := range nodes {
		if n.IsLeader() {
			return n
		}
	}
	return nil
}

// proposeAny proposes cmd on whichever of nodes leads, as a Strata client
// does: after a failure with an unknown outcome or naming another leader it
// sends the same command again, and the idempotent FSM applies it once. It
// returns the index of the entry that succeeded (for WaitApplied).
func proposeAny(ctx context.Context, nodes []*Node, cmd []byte) (uint64, error) {
	for {
		if n := firstLeader(nodes); n != nil {
			attempt, cancel := context.WithTimeout(ctx, 10*time.Second)
			idx, resp, err := n.Propose(attempt, cmd)
			cancel()
			if err == nil {
				if r, ok := resp.(applyResp); !ok || (r.Index != idx && !r.Dup) {
					return 0, fmt.Errorf("%q: response %#v at index %d", cmd, resp, idx)
				}
				return idx, nil
			}
			if !retryable(err) || ctx.Err() != nil {
				return 0, fmt.Errorf("%q: %w", cmd, err)
			}
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("%q: no leader: %w", cmd, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// addVoterAny adds a voter through whichever of nodes leads, retrying like
// proposeAny (adding a member twice is harmless).
func addVoterAny(ctx context.Context, nodes []*Node, id, addr string) error {
	for {
		if n := firstLeader(nodes); n != nil {
			err := n.AddVoter(ctx, id, addr)
			if err == nil || !retryable(err) || ctx.Err() != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}
