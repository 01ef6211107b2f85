// Package ingest is the write path: decoding and validating rows, building
// Arrow batches per table, idempotency keys, proposing through raftlog, and
// the FSM that applies commands to storage and keeps the dedup table.
//
// It may import storage, raftlog and proto. It arrives with the durable-node
// issue; until then it is intentionally empty.
package ingest
