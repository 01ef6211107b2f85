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
// deterministically by log index.
//
// The FSM also keeps, replicated like the tables:
//   - the member registry (members.go): each member's client-facing
//     addresses, which Raft's configuration cannot carry;
//   - Kafka pipelines (pipelines.go): definitions, state and each
//     partition's next offset. A PipelineBatchCommand commits a range of a
//     partition (rows into the table, bad records into pipeline_errors,
//     the next offset) and applies only if it starts at the stored next
//     offset: that check is what makes pipelines exactly once.
//
// RecordDecoder (records.go) turns Kafka record values (JSON objects, CSV
// lines) into a table's Arrow rows, naming the column at fault in a bad
// one. FSM snapshots hold the storage state (sealed chunks only named when
// Options.Chunks is set), the dedup table, the registry and the pipelines
// (Capture is cheap, Persist does the I/O).
//
// ingest imports storage and proto, and knows nothing of Raft's machinery
// (raftlog drives the FSM through a small interface), of the network or of
// Kafka clients (the server runs the pipelines' consumers).
//
// Usage:
//
//	fsm := ingest.NewFSM(ingest.Options{})
//	cmd, _ := ingest.EncodeCommand(ingest.WriteCommand("t", "producer-1", 1, arrowIPC))
//	res := fsm.Apply(index, cmd).(*ingest.Result) // on every replica, in log order
package ingest
