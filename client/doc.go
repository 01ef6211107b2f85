// Package client is the Go client library of a Strata node: DDL and
// metadata calls, ingest with automatic batching and safe retries, and
// queries decoded into Arrow records. It imports proto only (plus gRPC and
// Arrow); it owns no server logic.
//
//	c, err := client.Dial("127.0.0.1:7600", client.Options{})
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
// Errors returned by calls keep the server's gRPC status:
// status.Code(err) works on them and on a *BatchError.
package client
