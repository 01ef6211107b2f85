package client

import (
	"errors"
	"net"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	stratapb "github.com/stratadb/strata/proto"
)

// enqueueTimeoutFake answers the batch received as number `at` the way the
// real server answers a proposal raft did not accept within its enqueue
// timeout (raftlog/errors.go mapErr: ErrEnqueueTimeout -> wrapped
// context.DeadlineExceeded -> server/status.go codes.DeadlineExceeded, no
// retry hint): code DeadlineExceeded, nothing applied, sequence NOT spent.
// Everything else goes through the scripted fake's real dedup rules.
type enqueueTimeoutFake struct {
	*fakeServer
	at int
}

func (e *enqueueTimeoutFake) Ingest(stream stratapb.Strata_IngestServer) error {
	for {
		req, err := stream.Recv()
		if err != nil {
			return nil
		}
		e.mu.Lock()
		hit := e.received+1 == e.at
		if hit {
			e.received++
		}
		e.mu.Unlock()
		var ack *stratapb.IngestAck
		if hit {
			ack = &stratapb.IngestAck{ProducerId: req.GetProducerId(), Sequence: req.GetSequence(),
				Error: &stratapb.Error{Code: int32(codes.DeadlineExceeded),
					Message: "propose: raft did not accept it in time: context deadline exceeded"}}
		} else {
			ack, _ = e.apply(req)
		}
		if err := stream.Send(ack); err != nil {
			return err
		}
	}
}

// TestEnqueueTimeoutWedgesWriter: one batch that raft was too busy
// to accept (not applied, sequence not spent) is answered with
// DeadlineExceeded, which the writer treats as a permanent refusal. From
// then on the server expects that sequence forever, so every later batch
// of the writer is refused out of order and dropped as "failed for good":
// the whole rest of the load is lost because of one transient overload.
func TestEnqueueTimeoutWedgesWriter(t *testing.T) {
	mem := checkedAlloc(t)
	f := &enqueueTimeoutFake{fakeServer: newFake(), at: 2}
	c := startServer(t, f, Options{Allocator: mem})
	_, err := load(t, c, mem, 1000, 100, WriterOptions{MaxInFlight: 1})
	f.mu.Lock()
	applied := len(f.ids)
	f.mu.Unlock()
	var be *BatchError
	errors.As(err, &be)
	if applied != 1000 {
		t.Fatalf("a transient enqueue timeout lost %d of 1000 rows (Flush: %v; more failed: %d)", 1000-applied, err, moreOf(be))
	}
}

func moreOf(be *BatchError) int {
	if be == nil {
		return 0
	}
	return be.More
}

// startServer serves srv (fakeServer.startWith registers the embedded
// fake, not a wrapper's overrides).
func startServer(t *testing.T, srv stratapb.StrataServer, opts Options) *Client {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer()
	stratapb.RegisterStrataServer(s, srv)
	served := make(chan struct{})
	go func() { defer close(served); s.Serve(lis) }()
	t.Cleanup(func() { s.Stop(); <-served })
	c, err := Dial(lis.Addr().String(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
