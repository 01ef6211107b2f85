package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	stratapb "github.com/stratadb/strata/proto"
)

// This file is the Writer's state machine. Everything here runs on the
// caller's goroutine (Write, Flush, Close); the stream's receiver goroutine
// only forwards acks and its end through ingestStream.events.
//
// Invariants between calls:
//   - pending holds every unacknowledged batch in sequence order, at most
//     MaxInFlight of them;
//   - inFlight counts the pending batches with sent set, all sent on
//     stream;
//   - a pending batch that is not sent exists only while recovering.

// enqueue numbers a batch, waits for room and sends it unless the writer
// is recovering (recovery sends it with the others).
func (w *Writer) enqueue(ctx context.Context, payload []byte, rows int64) error {
	if err := w.waitFor(ctx, func() bool { return len(w.pending) < w.opts.MaxInFlight }); err != nil {
		return err
	}
	b := &batch{seq: w.next, payload: payload, rows: rows}
	w.next++
	w.pending = append(w.pending, b)
	w.addStats(func(s *WriterStats) { s.Batches++; s.Rows += rows })
	if w.recovering {
		return nil
	}
	if w.stream == nil {
		if err := w.open(ctx); err != nil {
			return err
		}
		if w.recovering {
			return nil
		}
	}
	return w.send(ctx, b)
}

// waitFor runs the state machine until done holds.
func (w *Writer) waitFor(ctx context.Context, done func() bool) error {
	for !done() {
		if err := w.step(ctx); err != nil {
			return err
		}
	}
	return w.fatal
}

// step makes one move: resend when a recovery is due and nothing is in
// flight, else handle the next event of the stream.
func (w *Writer) step(ctx context.Context) error {
	if w.fatal != nil {
		return w.fatal
	}
	if w.inFlight == 0 {
		if !w.recovering {
			panic("BUG: client writer waits with nothing in flight and nothing to resend")
		}
		return w.resend(ctx)
	}
	select {
	case ev := <-w.stream.events:
		if ev.err != nil {
			w.streamEnded(ev.err)
		} else {
			w.handleAck(ev.ack)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// handleAck settles the batch an ack answers.
func (w *Writer) handleAck(ack *stratapb.IngestAck) {
	i := w.find(ack.GetSequence())
	if i < 0 || ack.GetProducerId() != w.opts.ProducerID || !w.pending[i].sent {
		return // not a batch this stream has in flight: ignore
	}
	b := w.pending[i]
	b.sent = false
	w.inFlight--
	e := ack.GetError()
	switch {
	case e == nil:
		w.done(i, ack)
	case isRetryableCode(codes.Code(e.GetCode())):
		w.retryLater(ackError(e), time.Duration(e.GetRetryAfterMs())*time.Millisecond)
	case codes.Code(e.GetCode()) == codes.FailedPrecondition && i > 0:
		// Out of order: an earlier batch is still unsettled, so this one
		// was not applied; it goes again after it.
		w.retryLater(ackError(e), 0)
	default:
		// A permanent refusal, or out of order although every earlier
		// sequence is settled: the server expects one it will never get
		// (it did not spend a refused sequence, or forgot the producer),
		// so resending would loop forever.
		w.failed(i, e)
	}
}

// done removes an applied (or duplicate) batch and resets the backoff.
func (w *Writer) done(i int, ack *stratapb.IngestAck) {
	b := w.pending[i]
	w.remove(i)
	w.backoff, w.lastProgress = w.opts.InitialBackoff, time.Now()
	w.addStats(func(s *WriterStats) {
		if ack.GetDuplicate() {
			s.Duplicates++
			s.DuplicateRows += b.rows
		} else {
			s.AckedBatches++
			s.RowsApplied += ack.GetRows()
		}
		s.Version = max(s.Version, ack.GetVersion())
	})
	w.c.observe(ack.GetVersion())
}

// failed records a batch refused for good; its sequence is spent.
func (w *Writer) failed(i int, e *stratapb.Error) {
	b := w.pending[i]
	w.remove(i)
	w.lastProgress = time.Now()
	w.addStats(func(s *WriterStats) { s.Failed++ })
	if w.failure != nil {
		w.failure.More++
		return
	}
	w.failure = &BatchError{Table: w.table, ProducerID: w.opts.ProducerID, Sequence: b.seq, Rows: b.rows,
		Code: codes.Code(e.GetCode()), Message: e.GetMessage()}
}

// retryLater stops new sends until everything in flight is answered;
// then resend puts every pending batch on the wire again, in order.
func (w *Writer) retryLater(why error, hint time.Duration) {
	w.recovering = true
	w.lastRetry = why
	w.retryAfter = max(w.retryAfter, hint)
}

// streamEnded handles the end of the stream's receive side: a dropped
// stream makes every batch in flight unsettled; any other end is fatal.
func (w *Writer) streamEnded(err error) {
	w.lost(w.node, err)
	w.dropStream()
	if !isRetryableStreamErr(err) {
		w.fatal = fmt.Errorf("client: ingest into table %q: %w", w.table, err)
		return
	}
	if errors.Is(err, io.EOF) {
		err = errStreamClosed
	}
	w.retryLater(err, 0)
}

// dropStream discards the stream; what was in flight on it is unsettled.
func (w *Writer) dropStream() {
	if w.stream != nil {
		w.stream.teardown()
		w.stream, w.node = nil, nil
	}
	for _, b := range w.pending {
		b.sent = false
	}
	w.inFlight = 0
	w.recovering = true
}

// resend waits out the backoff, reopens the stream if needed and sends
// every pending batch in sequence order.
func (w *Writer) resend(ctx context.Context) error {
	if w.opts.RetryLimit > 0 && time.Since(w.lastProgress) > w.opts.RetryLimit {
		w.fatal = fmt.Errorf("client: ingest into table %q: gave up after %v without progress: %w",
			w.table, w.opts.RetryLimit, w.lastRetry)
		return w.fatal
	}
	if err := sleep(ctx, w.nextDelay()); err != nil {
		return err
	}
	if w.stream == nil {
		if err := w.open(ctx); err != nil || w.stream == nil {
			return err
		}
	}
	w.recovering = false
	for _, b := range w.pending {
		if b.sends > 0 {
			w.addStats(func(s *WriterStats) { s.Retries++ })
		}
		if err := w.send(ctx, b); err != nil || w.recovering {
			return err
		}
	}
	return nil
}

// open starts a stream on the leader (see target). A retryable failure
// leaves the writer recovering with no stream; any other is fatal.
func (w *Writer) open(ctx context.Context) error {
	n := w.target(ctx)
	rpc, err := w.c.stub(n)
	if err == nil {
		var s *ingestStream
		if s, err = openStream(ctx, w.life, rpc); err == nil {
			w.stream, w.node = s, n
			return nil
		}
	}
	w.lost(n, err)
	switch {
	case ctx.Err() != nil:
		w.recovering = true
		return ctx.Err()
	case isRetryableStreamErr(err):
		w.retryLater(err, 0)
		return nil
	}
	w.recovering = true
	w.fatal = fmt.Errorf("client: ingest into table %q: %w", w.table, err)
	return w.fatal
}

// target is the node to open a stream on: the leader when known (asked
// afresh after a stream was lost, so that a writer follows a new leader),
// else the current node, which forwards to the leader.
func (w *Writer) target(ctx context.Context) *node {
	if !w.resolve {
		if l := w.c.knownLeader(); l != nil {
			return l
		}
	}
	w.resolve = false
	if l, err := w.c.findLeader(ctx); err == nil {
		return l
	}
	return w.c.currentNode()
}

// lost is told that the stream on n (or its opening) ended with err: the
// next open asks for the leader again, and an unavailable node is passed
// over by the client's calls.
func (w *Writer) lost(n *node, err error) {
	w.resolve = true
	if n != nil && status.Code(err) == codes.Unavailable {
		w.c.nodeDown(n)
	}
}

// send puts one batch on the stream. A failed send means the stream is
// gone: everything in flight becomes unsettled and the writer recovers.
func (w *Writer) send(ctx context.Context, b *batch) error {
	err := w.stream.send(ctx, &stratapb.IngestRequest{
		Table: w.table, ProducerId: w.opts.ProducerID, Sequence: b.seq, ArrowIpc: b.payload,
	})
	if err == nil {
		b.sent, b.sends = true, b.sends+1
		w.inFlight++
		return nil
	}
	w.lost(w.node, err)
	w.dropStream()
	w.lastRetry = err
	return ctx.Err() // nil unless the caller gave up
}

// nextDelay is the jittered backoff, at least the server's hint; it
// doubles the backoff for next time.
func (w *Writer) nextDelay() time.Duration {
	d := w.backoff
	w.backoff = min(2*w.backoff, w.opts.MaxBackoff)
	d = d/2 + rand.N(d/2+1)
	d = max(d, w.retryAfter)
	w.retryAfter = 0
	return d
}

func (w *Writer) find(seq uint64) int {
	for i, b := range w.pending {
		if b.seq == seq {
			return i
		}
	}
	return -1
}

func (w *Writer) remove(i int) {
	w.pending[i] = nil
	w.pending = append(w.pending[:i], w.pending[i+1:]...)
}

// isRetryableCode: the batch was not applied, or its outcome is unknown,
// and may be sent again (the server's dedup table makes a resend of an
// applied batch a duplicate). DeadlineExceeded is an unknown outcome.
func isRetryableCode(c codes.Code) bool {
	return c == codes.Unavailable || c == codes.ResourceExhausted || c == codes.DeadlineExceeded
}

// ackError is a batch's refusal as a status error.
func ackError(e *stratapb.Error) error {
	return status.Error(codes.Code(e.GetCode()), e.GetMessage())
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

var errStreamClosed = errors.New("client: server ended the ingest stream with batches unanswered")
