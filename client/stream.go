package client

import (
	"context"
	"errors"
	"io"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	stratapb "github.com/stratadb/strata/proto"
)

// ingestStream is one Ingest call. Its receiver goroutine forwards every
// ack, then the error that ended the receive side, on events; it exits
// when the stream ends or is torn down.
type ingestStream struct {
	cs     stratapb.Strata_IngestClient
	cancel context.CancelFunc
	events chan streamEvent
	done   chan struct{} // closed when the receiver has exited
}

type streamEvent struct {
	ack *stratapb.IngestAck
	err error // the end of the receive side (io.EOF: the server ended it)
}

// openStream starts an Ingest call that lives as long as life (ctx only
// bounds the opening).
func openStream(ctx, life context.Context, rpc stratapb.StrataClient) (*ingestStream, error) {
	sctx, cancel := context.WithCancel(life)
	stop := context.AfterFunc(ctx, cancel)
	cs, err := rpc.Ingest(sctx)
	stop()
	if err != nil {
		cancel()
		return nil, err
	}
	s := &ingestStream{cs: cs, cancel: cancel, events: make(chan streamEvent, 16), done: make(chan struct{})}
	go s.receive(sctx)
	return s, nil
}

func (s *ingestStream) receive(ctx context.Context) {
	defer close(s.done)
	for {
		ack, err := s.cs.Recv()
		select {
		case s.events <- streamEvent{ack: ack, err: err}:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

// send sends one request; if ctx ends first, the stream is torn down
// (Send cannot be interrupted otherwise).
func (s *ingestStream) send(ctx context.Context, req *stratapb.IngestRequest) error {
	stop := context.AfterFunc(ctx, s.cancel)
	defer stop()
	return s.cs.Send(req)
}

// finishWait bounds how long Close waits for the server to end a stream.
const finishWait = 5 * time.Second

// finish half-closes the stream and waits (at most finishWait, or until
// ctx ends) for the server to end it, so the server sees a clean end
// rather than a cancellation. Nothing may be in flight.
func (s *ingestStream) finish(ctx context.Context) {
	if s.cs.CloseSend() != nil {
		return
	}
	timeout := time.NewTimer(finishWait)
	defer timeout.Stop()
	for {
		select {
		case ev := <-s.events:
			if ev.err != nil {
				return
			}
		case <-ctx.Done():
			return
		case <-timeout.C:
			return
		}
	}
}

// teardown cancels the call and waits for the receiver to exit; events
// still queued are dropped.
func (s *ingestStream) teardown() {
	s.cancel()
	<-s.done
}

// isRetryableStreamErr: the stream broke in a way a new stream can fix
// (the connection dropped, the node is unavailable or busy, the server
// ended the stream without answering everything).
func isRetryableStreamErr(err error) bool {
	if errors.Is(err, io.EOF) {
		return true
	}
	switch status.Code(err) {
	case codes.Unavailable, codes.ResourceExhausted, codes.Aborted:
		return true
	}
	return false
}
