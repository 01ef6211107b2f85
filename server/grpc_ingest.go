package server

import (
	"fmt"
	"io"
	"runtime/debug"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/stratadb/strata/ingest"
	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/raftlog"
)

// pendingBatch is a received batch on its way: either proposed (fut) or
// already answered (ack). It keeps only the batch's key, not its rows.
type pendingBatch struct {
	key  *stratapb.IngestRequest // table, producer, sequence; no payload
	fut  raftlog.Future
	ack  *stratapb.IngestAck
	size int64 // bytes reserved in the budget
}

// Ingest receives batches and proposes them in the order they arrive
// (which keeps a producer's sequences in order), without waiting for one
// to be applied before proposing the next; acks go back as batches
// complete. One bad batch is answered on its own ack and the stream goes
// on. The stream ends when the client closes its side and every ack is
// sent, or when the node shuts down (Unavailable: reconnect and resend).
func (n *Node) Ingest(stream stratapb.Strata_IngestServer) error {
	if !n.raft.IsLeader() {
		return n.proxyIngest(stream)
	}
	pending := make(chan pendingBatch, 256)
	acked := make(chan error, 1)
	go n.ackLoop(stream, pending, acked)
	reqs, recvErr := n.receive(stream)
	closed := false
	finish := func() error {
		if !closed {
			closed = true
			close(pending)
		}
		return <-acked
	}
	defer func() {
		if !closed {
			finish() // a panic in admit: still answer and give the budget back
		}
	}()
	for {
		select {
		case req, ok := <-reqs:
			if ok {
				pending <- n.admit(req)
				continue
			}
			err := <-recvErr
			if ackErr := finish(); ackErr != nil {
				return ackErr
			}
			if err == io.EOF {
				return nil
			}
			return err
		case <-n.closing:
			if err := finish(); err != nil {
				return err
			}
			return toStatus(fmt.Errorf("%w: node shutting down; reconnect and resend unacknowledged batches", raftlog.ErrShutdown))
		}
	}
}

// receive reads the stream on its own goroutine, so the handler can also
// watch for shutdown. It ends when the stream does (the handler returning
// cancels it).
func (n *Node) receive(stream stratapb.Strata_IngestServer) (<-chan *stratapb.IngestRequest, <-chan error) {
	reqs := make(chan *stratapb.IngestRequest)
	errc := make(chan error, 1)
	go func() {
		defer close(reqs)
		for {
			req, err := stream.Recv()
			if err != nil {
				errc <- err
				return
			}
			select {
			case reqs <- req:
			case <-stream.Context().Done():
				errc <- stream.Context().Err()
				return
			}
		}
	}()
	return reqs, errc
}

// admit checks a batch and proposes it, or answers it at once. Only the
// batch's key is kept afterwards: the rows live on in the command alone.
func (n *Node) admit(req *stratapb.IngestRequest) pendingBatch {
	size := int64(len(req.GetArrowIpc()))
	n.metrics.ingestBytes.Add(float64(size))
	key := &stratapb.IngestRequest{Table: req.GetTable(), ProducerId: req.GetProducerId(), Sequence: req.GetSequence()}
	refuse := func(err error) pendingBatch { return pendingBatch{key: key, ack: ackFor(key, nil, err)} }
	var cmd *stratapb.Command
	switch why, spend := n.checkBatch(req); {
	case why == nil:
		cmd = ingest.WriteCommand(req.GetTable(), req.GetProducerId(), req.GetSequence(), req.GetArrowIpc())
	case spend:
		// A permanent refusal still spends the sequence, through the log,
		// so the producer's next batch is in order.
		cmd = ingest.RejectedWriteCommand(req.GetTable(), req.GetProducerId(), req.GetSequence(), why.Error())
		size = 0
	default:
		return refuse(why)
	}
	if err := n.checkDataCap(); err != nil {
		return refuse(err)
	}
	reserved, err := n.budget.acquire(size, n.cfg.IngestWait)
	if err != nil {
		return refuse(err)
	}
	b, err := ingest.EncodeCommand(cmd)
	if err != nil {
		n.budget.release(reserved)
		return refuse(err)
	}
	return pendingBatch{key: key, fut: n.raft.ProposeAsync(b), size: reserved}
}

// checkBatch rejects what cannot become a write: a producer without a
// sequence (no key: answered at once), a batch too large or without a
// table (spend says its sequence is spent through the log).
func (n *Node) checkBatch(req *stratapb.IngestRequest) (why error, spend bool) {
	keyed := req.GetProducerId() != ""
	switch {
	case keyed && req.GetSequence() == 0:
		return fmt.Errorf("%w: producer %q sent sequence 0; sequences start at 1", ingest.ErrBadCommand, req.GetProducerId()), false
	case req.GetTable() == "":
		return fmt.Errorf("%w: batch without a table name", ingest.ErrBadCommand), keyed
	case len(req.GetArrowIpc()) > n.cfg.MaxMessageBytes:
		return fmt.Errorf("%w: batch of %d bytes for table %q exceeds the limit of %d bytes; send smaller batches",
			ingest.ErrBadCommand, len(req.GetArrowIpc()), req.GetTable(), n.cfg.MaxMessageBytes), keyed
	}
	return nil, false
}

// ackLoop waits for each batch in order and sends its ack, then reports
// on done. After a send fails it keeps draining, so the budget is always
// given back; a panic is logged and answered as Internal the same way.
func (n *Node) ackLoop(stream stratapb.Strata_IngestServer, pending <-chan pendingBatch, done chan<- error) {
	var sendErr error
	defer func() {
		if r := recover(); r != nil {
			n.log.Error("panic in ingest acks", "panic", r, "stack", string(debug.Stack()))
			for p := range pending {
				if p.fut != nil {
					p.fut.Wait()
					n.budget.release(p.size)
				}
			}
			sendErr = status.Error(codes.Internal, "internal error in ingest (logged on the server)")
		}
		done <- sendErr
	}()
	for p := range pending {
		ack := p.ack
		if p.fut != nil {
			_, resp, err := p.fut.Wait()
			n.budget.release(p.size)
			var r *ingest.Result
			if err == nil {
				r, err = resultOf(resp)
			}
			ack = ackFor(p.key, r, err)
		}
		n.countAck(ack)
		if sendErr == nil {
			sendErr = stream.Send(ack)
		}
	}
}

// ackFor builds a batch's ack from the FSM's result or an error.
func ackFor(req *stratapb.IngestRequest, r *ingest.Result, err error) *stratapb.IngestAck {
	ack := &stratapb.IngestAck{ProducerId: req.GetProducerId(), Sequence: req.GetSequence()}
	if err == nil && r != nil {
		err = r.Err
		ack.Version, ack.Duplicate, ack.Rows = r.Version, r.Duplicate, r.Rows
	}
	if err != nil {
		ack.Version, ack.Duplicate, ack.Rows = 0, false, 0
		ack.Error = toAckError(err)
	}
	return ack
}

func (n *Node) countAck(ack *stratapb.IngestAck) {
	result := "ok"
	switch {
	case ack.Error != nil && isRetryable(ack.Error):
		result = "refused"
	case ack.Error != nil:
		result = "error"
	case ack.Duplicate:
		result = "duplicate"
	default:
		n.metrics.ingestRows.Add(float64(ack.Rows))
	}
	n.metrics.ingestBatches.WithLabelValues(result).Inc()
}

func isRetryable(e *stratapb.Error) bool { return e.RetryAfterMs > 0 }

// checkDataCap refuses writes while stored data is above the cap.
func (n *Node) checkDataCap() error {
	if n.cfg.MaxDataBytes <= 0 {
		return nil
	}
	if b := n.usage().Bytes; b >= n.cfg.MaxDataBytes {
		return fmt.Errorf("%w: %d bytes of data stored, the cap is %d", ErrOverloaded, b, n.cfg.MaxDataBytes)
	}
	return nil
}
