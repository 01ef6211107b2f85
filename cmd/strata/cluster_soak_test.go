package main

import (
	"flag"
	"os"
	"strconv"
	"testing"
	"time"
)

var soakFor = flag.Duration("cluster.soak", 0, "run TestClusterSoak for this long (also: STRATA_SOAK=DURATION)")

// soakDuration is -cluster.soak, else $STRATA_SOAK (a duration, or any
// other non-empty value for five minutes), else 0: no soak.
func soakDuration(t *testing.T) time.Duration {
	if *soakFor > 0 {
		return *soakFor
	}
	s := os.Getenv("STRATA_SOAK")
	if s == "" {
		return 0
	}
	if d, err := time.ParseDuration(s); err == nil {
		return d
	}
	return 5 * time.Minute
}

// TestClusterSoak: three writers write continuously into a three-node
// cluster while nodes are killed (SIGKILL), stopped (SIGTERM) and
// restarted at random for the soak's duration; mostly one node is down
// at a time, sometimes two (writes then wait). At the end every node must
// hold exactly the acknowledged rows, once each (the checks of
// TestClusterLosesNothing). Skipped unless -cluster.soak or STRATA_SOAK.
//
//	go test ./cmd/strata -run TestClusterSoak -cluster.soak=10m -timeout 30m
func TestClusterSoak(t *testing.T) {
	d := soakDuration(t)
	if d == 0 {
		t.Skip("soak test: set -cluster.soak=DURATION or STRATA_SOAK")
	}
	seed := testSeed(t)
	r := newRand(seed)
	c := startCluster(t, 3, "--snapshot-threshold", "500", "--snapshot-interval", "5s", "--raft-trailing-logs", "200")
	createEvents(t, c)
	wl := startWorkload(c, 3, 200, 20*time.Millisecond)
	wl.waitProgress("all up", 30, time.Minute)

	end := time.Now().Add(d)
	var down []*node
	for round := 1; time.Now().Before(end); round++ {
		// Take one node down (sometimes a second one), wait, bring them
		// back.
		up := c.running()
		victim := up[r.IntN(len(up))]
		takeDown(c, victim, r.IntN(2) == 0)
		down = append(down, victim)
		if r.IntN(5) == 0 {
			up = c.running()
			second := up[r.IntN(len(up))]
			takeDown(c, second, r.IntN(2) == 0)
			down = append(down, second)
			time.Sleep(time.Duration(1+r.IntN(4)) * time.Second) // no quorum: writes wait
			c.restart(second)
			down = down[:len(down)-1]
		}
		wl.waitProgress("round "+strconv.Itoa(round)+": "+c.id(victim)+" down", 10, 2*time.Minute)
		time.Sleep(time.Duration(r.IntN(5000)) * time.Millisecond)
		for _, n := range down {
			c.restart(n)
		}
		down = down[:0]
		wl.waitProgress("round "+strconv.Itoa(round)+": all up", 10, 2*time.Minute)
		time.Sleep(time.Duration(r.IntN(3000)) * time.Millisecond)
	}
	wl.check()
}

func takeDown(c *cluster, n *node, kill bool) {
	if kill {
		c.kill9(n)
	} else {
		c.sigterm(n)
	}
}
