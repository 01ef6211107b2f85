// Package ingest is Strata's write path: the commands that go through the
// Raft log (EncodeCommand, WriteCommand, ...), and the FSM that applies
// them to storage in log order at version = log index.
//
// The FSM owns the dedup table that makes every write idempotent. A batch
// carries (producer id, sequence); sequences are contiguous per producer:
//
//	sequence == last+1  applied (or failed: the failure is final and remembered)
//	sequence <= last    duplicate: nothing applied, the first outcome answered
//	sequence >  last+1  ErrOutOfOrder: nothing applied, the producer must
//	                    send the missing batches first
//
// Producers idle for more than ProducerExpiry log entries are forgotten,
// deterministically by log index. FSM snapshots hold the storage state and
// the dedup table (Capture is cheap, Persist does the I/O).
//
// ingest imports storage and proto, and knows nothing of Raft's machinery
// (raftlog drives the FSM through a small interface) or of the network.
//
// Usage:
//
//	fsm := ingest.NewFSM(ingest.Options{})
//	cmd, _ := ingest.EncodeCommand(ingest.WriteCommand("t", "producer-1", 1, arrowIPC))
//	res := fsm.Apply(index, cmd).(*ingest.Result) // on every replica, in log order
package ingest
