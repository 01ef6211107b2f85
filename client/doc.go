// Package client is the Go client library of a Strata node or cluster:
// DDL and metadata calls, ingest with automatic batching and safe
// retries, and queries decoded into Arrow records. It imports proto only (plus gRPC and
// Arrow); it owns no server logic.
//
//	c, err := client.Dial("10.0.0.1:7600,10.0.0.2:7600,10.0.0.3:7600", client.Options{}) // or one address
//	defer c.Close()
//	w, err := c.NewWriter("metrics", client.WriterOptions{})
//	err = w.Write(ctx, rec)       // any columns of the table, any order
//	err = w.Flush(ctx)            // every row applied exactly once, or the first failed batch
//	err = w.Close(ctx)
//	res, err := c.Query(ctx, &stratapb.QueryRequest{Query: &stratapb.QueryRequest_Plan{Plan: p}})
//	defer res.Release()
//	for row := range res.Rows() { ... } // []any: int64, float64, string, time.Time, nil, ...
//
// # Ingest protocol
//
// A Writer is one producer: its batches carry (producer id, sequence), the
// sequences contiguous from FirstSequence. Each batch is an Arrow IPC
// stream (schema, one record batch) sent on a bidirectional Ingest
// stream; the server answers every batch with its own ack, in any order,
// matched by (producer id, sequence). The server applies a producer's
// sequence s only when s = last+1, answers s <= last as a duplicate, and
// refuses s > last+1 as out of order (FailedPrecondition) without
// applying it. The writer therefore keeps every unacknowledged batch (at
// most MaxInFlight; Write blocks when that many are) and settles each ack:
//
//	OK or duplicate                    done
//	Unavailable, ResourceExhausted     not applied: recover (below)
//	FailedPrecondition (out of order)  not applied: recover, unless every
//	                                   earlier batch is settled, in which
//	                                   case it is permanent (the server
//	                                   wants a sequence it will never get)
//	any other code                     permanent: the sequence is spent;
//	                                   recorded for Flush, the writer goes on
//
// To recover, the writer stops sending new batches, waits until every
// batch in flight is answered, backs off (jittered, doubling from
// InitialBackoff to MaxBackoff, at least the server's retry_after_ms),
// and resends every unacknowledged batch, byte for byte with its
// sequence, in sequence order. A broken stream (a receive error that is
// Unavailable, ResourceExhausted or Aborted, or the server ending the
// stream early) makes every batch in flight unacknowledged and recovers
// on a new stream: batches the server had applied come back as
// duplicates. Any other stream error is fatal to the writer. A writer
// that makes no progress for RetryLimit gives up with the last error.
//
// # Clusters
//
// Dial takes one address or a comma-separated list of seeds. The client
// keeps one gRPC connection per known node, made on first use, and learns
// the members' and the leader's gRPC addresses from Status answers
// (Status, WaitReady, Leader, and every Writer opening a stream ask;
// Addrs lists the known nodes). Calls go to the current node:
//
//   - reads (ListTables, DescribeTable, Versions, Status, a plan query, a
//     SQL statement whose first word is SELECT, SHOW, EXPLAIN, VALUES,
//     TABLE or WITH) that get codes.Unavailable go to the next node, until
//     the context ends or every known node was tried twice;
//   - writes that are not idempotent (CreateTable, DropTable, Rollback,
//     any other SQL statement) are sent once: after codes.Unavailable the
//     error is returned and the following calls go to the next node, since
//     the client cannot know whether the first one was applied.
//
// Leader asks the known nodes' status in turn (2s per call) until one
// names a leader. A Writer opens its stream on the leader (any node
// accepts ingest, a follower forwards it, so it falls back to the current
// node when none is known), and after losing a stream it asks for the
// leader again before reopening: when the leader dies, the writer finds
// the new one by itself and resends its unacknowledged batches there with
// the same producer id and sequences, which the cluster deduplicates, so
// a batch whose outcome was unknown is applied exactly once.
//
// # Session consistency
//
// The client keeps the highest version it has seen (SeenVersion): of its
// writers' acks, of DDL answers, of ListTables and DescribeTable, and of
// query answers (Result.Version). Every query asks for at least that
// version (QueryRequest.min_version, the larger of it and the request's
// own), and the answering node waits until it has applied it, so one
// client's reads never go back in time and see its own writes, even with
// follower reads on a lagging node. Options.NoSessionConsistency turns
// this off. The read mode (ReadDefault, ReadLinearizable, ReadFollower)
// is QueryOptions.ReadMode for SQLWith, QueryRequest.ReadMode for Query.
// Versions seen by another client are not known: pass them as
// QueryOptions.MinVersion.
//
// Errors returned by calls keep the server's gRPC status:
// status.Code(err) works on them and on a *BatchError.
package client
