package server

import (
	"context"
	"errors"
	"fmt"
	"io"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	stratapb "github.com/stratadb/strata/proto"
)

// proxyIngest serves an ingest stream on a follower: it opens a stream to
// the leader and relays batches one way and acks the other, unchanged, so
// the leader's admission, ordering and deduplication apply as if the client
// had dialled it. When the leader's stream fails (it died, or lost
// leadership) the client's stream ends Unavailable and the client resends
// its unacknowledged batches with the same keys, to whichever node.
func (n *Node) proxyIngest(stream stratapb.Strata_IngestServer) error {
	c, addr, err := n.leaderClient()
	if err != nil {
		return toStatus(err)
	}
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	up, err := c.Ingest(ctx)
	if err != nil {
		return unavailable(fmt.Errorf("open ingest stream to the leader at %s: %w", addr, err))
	}
	n.metrics.forwarded.Inc()
	sendErr := make(chan error, 1)
	go func() { sendErr <- relayBatches(stream, up) }()
	for {
		ack, err := up.Recv()
		if err == io.EOF {
			// The leader answered everything it was sent and the client
			// closed its side (relayBatches closed ours).
			if serr := <-sendErr; serr != nil {
				return serr
			}
			return nil
		}
		// On failure return at once: relayBatches may sit in the client
		// stream's Recv, which only the handler's return ends (it exits
		// then, writing to its buffered channel).
		if err != nil {
			if stream.Context().Err() != nil {
				return stream.Context().Err()
			}
			return unavailable(fmt.Errorf("ingest stream to the leader at %s ended: %w", addr, err))
		}
		if err := stream.Send(ack); err != nil {
			return err
		}
	}
}

// relayBatches copies the client's batches to the leader's stream until the
// client closes its side, then closes the leader's.
func relayBatches(from stratapb.Strata_IngestServer, to stratapb.Strata_IngestClient) error {
	for {
		req, err := from.Recv()
		if err == io.EOF {
			return to.CloseSend()
		}
		if err != nil {
			return err
		}
		if err := to.Send(req); err != nil {
			if errors.Is(err, io.EOF) {
				// The leader's stream broke; Recv on it reports why.
				return nil
			}
			return err
		}
	}
}

// unavailable wraps err as codes.Unavailable (the client retries).
func unavailable(err error) error {
	if s, ok := status.FromError(err); ok && s.Code() == codes.Unavailable {
		return err
	}
	return status.Error(codes.Unavailable, err.Error())
}
