package server

import (
	"context"
	"errors"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/stratadb/strata/ingest"
	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/query"
	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/raftlog"
	"github.com/stratadb/strata/storage"
)

// ErrOverloaded: the node's ingest budget or data cap is full; retry later.
var ErrOverloaded = errors.New("server: overloaded")

// ErrNotReady: the node is still replaying its log (or has no leader), so
// its state is not yet the one it acknowledged; retry shortly.
var ErrNotReady = errors.New("server: not ready")

// statusTable is the one place errors become gRPC codes. Order matters
// only where an error could match two entries: the first wins.
var statusTable = []struct {
	err  error
	code codes.Code
}{
	{context.Canceled, codes.Canceled},
	{context.DeadlineExceeded, codes.DeadlineExceeded},
	{ErrOverloaded, codes.ResourceExhausted},
	{ErrNotReady, codes.Unavailable},
	{query.ErrMemoryLimit, codes.ResourceExhausted},
	{storage.ErrNoTable, codes.NotFound},
	{storage.ErrTableExists, codes.AlreadyExists},
	{storage.ErrInvalidSchema, codes.InvalidArgument},
	{storage.ErrSchemaMismatch, codes.InvalidArgument},
	{storage.ErrBadPayload, codes.InvalidArgument},
	{ingest.ErrNoPipeline, codes.NotFound},
	{ingest.ErrPipelineExists, codes.AlreadyExists},
	{ingest.ErrOffsetMismatch, codes.FailedPrecondition},
	{ingest.ErrBadCommand, codes.InvalidArgument},
	{plan.ErrUnknownColumn, codes.InvalidArgument},
	{plan.ErrTypeMismatch, codes.InvalidArgument},
	{plan.ErrBadValue, codes.InvalidArgument},
	{plan.ErrInvalidPlan, codes.InvalidArgument},
	{query.ErrOverflow, codes.InvalidArgument},
	{query.ErrDivisionByZero, codes.InvalidArgument},
	{storage.ErrUnsupported, codes.Unimplemented},
	{storage.ErrFutureVersion, codes.OutOfRange},
	{storage.ErrCompacted, codes.OutOfRange},
	{ingest.ErrOutOfOrder, codes.FailedPrecondition},
	{ingest.ErrOutcomeForgotten, codes.OutOfRange},
	{raftlog.ErrBusy, codes.ResourceExhausted},
	{raftlog.ErrNotLeader, codes.Unavailable},
	{raftlog.ErrLeadershipLost, codes.Unavailable},
	{raftlog.ErrShutdown, codes.Unavailable},
	{storage.ErrClosed, codes.Unavailable},
}

// codeOf maps an error to its gRPC code (Internal when it is unexpected).
func codeOf(err error) codes.Code {
	if s, ok := status.FromError(err); ok {
		return s.Code()
	}
	for _, e := range statusTable {
		if errors.Is(err, e.err) {
			return e.code
		}
	}
	return codes.Internal
}

// retryAfter is the hint given with retryable refusals.
const retryAfter = 200 * time.Millisecond

// toStatus turns an error into a gRPC status error, with a retry hint when
// retrying later can succeed.
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	code := codeOf(err)
	st := status.New(code, err.Error())
	if code == codes.ResourceExhausted || code == codes.Unavailable {
		if d, derr := st.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(retryAfter)}); derr == nil {
			st = d
		}
	}
	return st.Err()
}

// toAckError is toStatus for a per-batch ingest error.
func toAckError(err error) *stratapb.Error {
	if err == nil {
		return nil
	}
	code := codeOf(err)
	e := &stratapb.Error{Code: int32(code), Message: err.Error()}
	if code == codes.ResourceExhausted || code == codes.Unavailable {
		e.RetryAfterMs = uint32(retryAfter / time.Millisecond)
	}
	return e
}
