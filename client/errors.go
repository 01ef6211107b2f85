package client

import (
	"errors"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ErrWriterClosed: Write or Flush on a Writer after Close.
var ErrWriterClosed = errors.New("client: writer closed")

// BatchError is a batch the server refused for good: nothing of it was
// applied, and its sequence is spent (sending it again gets the same
// answer). It carries the server's code, so status.Code(err) works.
type BatchError struct {
	Table      string
	ProducerID string
	Sequence   uint64
	Rows       int64
	Code       codes.Code
	Message    string // the server's
	// More is how many other batches failed for good since this one was
	// reported (Flush returns the first).
	More int
}

func (e *BatchError) Error() string {
	s := fmt.Sprintf("table %q: batch %d of producer %s (%d rows) failed: %s: %s",
		e.Table, e.Sequence, e.ProducerID, e.Rows, e.Code, e.Message)
	if e.More > 0 {
		s += fmt.Sprintf(" (and %d more failed batches)", e.More)
	}
	return s
}

// GRPCStatus makes status.Code and status.FromError see the server's code.
func (e *BatchError) GRPCStatus() *status.Status { return status.New(e.Code, e.Error()) }
