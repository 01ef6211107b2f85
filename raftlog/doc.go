// Package raftlog is the replicated log: hashicorp/raft set up with durable
// log, stable and snapshot stores, Propose, leadership and waits for an
// applied index. The state machine is injected; raftlog knows nothing of
// what it replicates and imports no project package.
//
// It arrives with the durable-node issue; until then it is intentionally
// empty.
package raftlog
