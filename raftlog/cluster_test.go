package raftlog

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestClusterAppliesInOrder(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, nil)
	c.propose("seq", 30)

	// Concurrent proposers: raft orders them; every replica must agree.
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 10 {
				if _, err := proposeAny(testCtx(t), c.nodes(), fmt.Appendf(nil, "g%d-%d", g, i)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	last := c.propose("tail", 1)

	st := c.converged(last)
	if st.Count != 71 {
		t.Errorf("count %d, want 71", st.Count)
	}
	status := c.leader().node.Status()
	if status.State != StateLeader || len(status.Members) != 3 || status.AppliedIndex < last {
		t.Errorf("leader status %+v", status)
	}
	for _, m := range status.Members {
		if m.Suffrage != SuffrageVoter {
			t.Errorf("member %+v is not a voter", m)
		}
	}
}

func TestFollowersAnswerNotLeader(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, nil)
	last := c.propose("x", 3)
	c.converged(last) // followers have heard from the leader
	// Under load leadership may move while we look; look again until one
	// view holds from start to end.
	for attempt := 1; ; attempt++ {
		problems, stable := c.followerViews()
		if stable {
			for _, p := range problems {
				t.Error(p)
			}
			break
		}
		if attempt == 10 {
			t.Fatalf("leadership kept moving: %v", problems)
		}
	}
	if st := c.converged(last); st.Count != 3 {
		t.Errorf("count %d, want 3: a rejected proposal was applied", st.Count)
	}
}

// followerViews checks that every follower refuses writes and names the
// leader. stable is false when leadership moved during the check, which
// voids it. The probe commands are "reject-" ones: if one reached a new
// leader, committing it changes nothing.
func (c *cluster) followerViews() (problems []string, stable bool) {
	leader := c.leader()
	term := leader.node.Status().Term
	for _, f := range c.followers(leader) {
		_, _, err := f.node.Propose(testCtx(c.t), []byte("reject-probe"))
		var nl *NotLeaderError
		switch {
		case !errors.Is(err, ErrNotLeader) || !errors.As(err, &nl):
			problems = append(problems, fmt.Sprintf("%s: propose err %v, want ErrNotLeader", f.id, err))
		case nl.LeaderID != leader.id || nl.LeaderAddr != string(leader.trans.LocalAddr()):
			problems = append(problems, fmt.Sprintf("%s: %v, want leader %s", f.id, err, leader.id))
		}
		if err := f.node.Barrier(testCtx(c.t)); !errors.Is(err, ErrNotLeader) {
			problems = append(problems, fmt.Sprintf("%s: barrier err %v, want ErrNotLeader", f.id, err))
		}
		if _, err := f.node.ReadIndex(testCtx(c.t)); !errors.Is(err, ErrNotLeader) {
			problems = append(problems, fmt.Sprintf("%s: read index err %v, want ErrNotLeader", f.id, err))
		}
		if st := f.node.Status(); st.State != StateFollower || st.LeaderID != leader.id {
			problems = append(problems, fmt.Sprintf("%s: status %+v", f.id, st))
		}
	}
	now := c.leader()
	return problems, now == leader && now.node.Status().Term == term
}

func TestClusterLeaderChange(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, nil)
	c.converged(c.propose("before", 10))

	old := c.leader()
	c.isolate(old)
	// The cut-off leader cannot commit: the write fails once it steps down
	// (leader lease), as lost (it was in flight) or refused.
	_, _, err := old.node.Propose(testCtx(t), []byte("lost"))
	if !errors.Is(err, ErrLeadershipLost) && !errors.Is(err, ErrNotLeader) {
		t.Fatalf("propose on isolated leader: %v, want ErrLeadershipLost or ErrNotLeader", err)
	}
	t.Logf("isolated leader: %v", err)

	next := c.leader(c.followers(old)...)
	t.Logf("leader %s -> %s", old.id, next.id)
	last := c.propose("after", 10)

	c.heal(old)
	// The old leader drops its uncommitted entry and follows.
	st := c.converged(last)
	if st.Count != 20 {
		t.Errorf("count %d, want 20", st.Count)
	}
	eventually(t, "the old leader to follow", func() bool {
		id, _ := old.node.Leader()
		return id != "" && id != old.id
	})
}

func TestClusterSnapshotInstall(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, func(cfg *Config) {
		cfg.SnapshotThreshold = 16
		cfg.TrailingLogs = 4
		cfg.SnapshotInterval = 100 * time.Millisecond
	})
	lagger := c.pick(c.followers(c.leader()))
	c.isolate(lagger)

	last := c.propose("while-away", 60)
	leader := c.leader(c.followers(lagger)...)
	if err := leader.node.Snapshot(); err != nil {
		t.Fatal(err)
	}
	if err := leader.node.Snapshot(); err != nil { // nothing new: not an error
		t.Fatalf("second snapshot: %v", err)
	}

	c.heal(lagger)
	c.converged(last) // only possible through InstallSnapshot: the log is compacted
	if _, restores := lagger.fsm.stats(); restores == 0 {
		t.Errorf("%s caught up without restoring a snapshot", lagger.id)
	}
	if got := lagger.node.AppliedIndex(); got < last {
		t.Errorf("%s applied index %d after restore, want >= %d", lagger.id, got, last)
	}

	// The restored follower keeps applying.
	st := c.converged(c.propose("after", 5))
	if st.Count != 65 {
		t.Errorf("count %d, want 65", st.Count)
	}
}

// After an election with no command since, every node's applied index
// still reaches the last entry (the new leader's no-op and barrier), which
// its FSM never sees.
func TestClusterAppliedIndexSkipsNoops(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, nil)
	c.converged(c.propose("before", 5))
	old := c.leader()
	c.isolate(old)
	next := c.leader(c.followers(old)...)
	eventually(t, "followers' applied index to reach the new leader's last entry", func() bool {
		last := next.node.Status().LastLogIndex
		for _, m := range c.followers(old) {
			if m.node.AppliedIndex() != last {
				return false
			}
		}
		return true
	})
	c.heal(old)
}
