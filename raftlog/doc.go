// Package raftlog is Strata's replicated log: hashicorp/raft with a durable
// log and stable store (raft-wal), a snapshot store, a TCP transport, and a
// small API to propose commands, wait for them to be applied, and see who
// leads.
//
// What it owns:
//   - the data directory layout: Dir/wal (raft-wal segments and its bolt
//     metadata: log entries, current term, vote) and Dir/snapshots (raft's
//     FileSnapshotStore, the newest two kept);
//   - bootstrapping (once, only on an empty directory), elections, leader
//     leases and timing defaults (see Config);
//   - Propose (and ProposeAsync, for pipelined writes) and their error
//     vocabulary: ErrNotLeader (not appended), ErrLeadershipLost and other
//     failures (unknown outcome: retry with the same idempotency key),
//     errors the FSM returned (committed, rejected);
//   - the applied watermark: AppliedIndex and WaitApplied;
//   - linearizable reads: a barrier committed on every election won, and
//     ReadIndex (the commit index once that barrier is in, confirmed by
//     VerifyLeader); a closing leader hands leadership over first;
//   - membership changes (AddVoter, RemoveServer) and Status;
//   - Hooks, through which the embedding program observes applies,
//     snapshots, restores and leadership without raftlog knowing metrics;
//   - the snapshot framing (a 16-byte header before the FSM's bytes, see
//     snapheader.go) and the routing of raft's logs to log/slog;
//   - the log entry framing: large commands are S2-compressed in the log
//     and decompressed before the FSM sees them (compress.go), so each
//     replica's append, fsync and transfer costs the compressed size.
//
// What it must not know: what the commands mean. The state machine is
// injected as an FSM that sees opaque []byte commands with their log index,
// in log order, and never raft's configuration, no-op or barrier entries.
// raftlog imports no other Strata package (deps_test.go at the module root
// enforces it); it is tested with a toy hash-chained FSM.
//
// Usage sketch:
//
//	node, err := raftlog.Open(raftlog.Config{
//		NodeID: "node1", Dir: "strata-data/raft", BindAddr: "127.0.0.1:7700",
//		Bootstrap: true, Logger: logger,
//	}, fsm) // fsm implements raftlog.FSM
//	if err != nil { ... }
//	defer node.Close()
//	<-node.LeaderCh() // a one-voter group elects itself within ~2 s
//	version, resp, err := node.Propose(ctx, cmd)
//	switch {
//	case errors.Is(err, raftlog.ErrNotLeader): // forward to the leader
//	case err != nil: // resp is the FSM's error, or the outcome is unknown
//	}
//	err = follower.WaitApplied(ctx, version) // read-your-writes elsewhere
package raftlog
