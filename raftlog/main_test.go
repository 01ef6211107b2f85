package raftlog

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no goroutine outlives the tests. It needs no
// goleak.IgnoreTopFunction: raft's Shutdown waits for all of raft's own
// goroutines (FSM, snapshots, replication, the leader's log-age metrics),
// shutting raft down closes the transport's listener, Node.Close also
// drops pooled TCP connections (NetworkTransport.CloseStreams; Close alone
// leaves them, and with them the peers' connection handlers), raft-wal's
// rotation goroutine ends in WAL.Close, and Propose's waiting goroutines end
// when raft answers their futures, at the latest at shutdown.
func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		// This process is the victim of TestRecoverAfterKill.
		os.Exit(runCrashChild(dir))
	}
	goleak.VerifyTestMain(m)
}
