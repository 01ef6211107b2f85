package ingest

import (
	"errors"
	"fmt"

	"github.com/stratadb/strata/storage"
)

// Errors of the write path, besides storage's.
var (
	// ErrOutOfOrder: a batch's sequence skips ahead of its producer's
	// next one; nothing was applied. Resend the missing batches first.
	ErrOutOfOrder = errors.New("ingest: sequence out of order")
	// ErrBadCommand: a request cannot become a command (missing table,
	// sequence 0 with a producer id).
	ErrBadCommand = errors.New("ingest: malformed request")
	// ErrNoPipeline: no pipeline of that name.
	ErrNoPipeline = errors.New("ingest: no such pipeline")
	// ErrPipelineExists: CREATE PIPELINE of a name in use.
	ErrPipelineExists = errors.New("ingest: pipeline already exists")
	// ErrOutcomeForgotten: a retried batch was decided so long ago (many
	// failures ago) that whether it was applied is no longer remembered.
	// It is never answered as a success it might not have been.
	ErrOutcomeForgotten = errors.New("ingest: outcome of this batch is no longer remembered")
)

// Result is what applying one command produced; Propose hands it back to
// the caller on the leader.
type Result struct {
	Version   uint64 // the log index the command was (first) applied at
	Duplicate bool   // a batch applied before; nothing changed now
	Rows      int64
	Existed   bool  // CREATE TABLE IF NOT EXISTS found the table
	Err       error // the command failed deterministically; nothing of it applied
}

// errKind names the class of a failure remembered by the dedup table, so a
// retried batch gets the same answer after a snapshot restore, where only
// the kind and message survive.
type errKind uint8

const (
	errOther errKind = iota
	errNoTable
	errSchemaMismatch
	errBadPayload
	errInvalidSchema
	errUnsupported
	errTableExists
	errFutureVersion
	errVersionOrder
	errBadCommand
)

// kindSentinels is ordered: Apply must not depend on map order.
var kindSentinels = []error{
	errNoTable:        storage.ErrNoTable,
	errSchemaMismatch: storage.ErrSchemaMismatch,
	errBadPayload:     storage.ErrBadPayload,
	errInvalidSchema:  storage.ErrInvalidSchema,
	errUnsupported:    storage.ErrUnsupported,
	errTableExists:    storage.ErrTableExists,
	errFutureVersion:  storage.ErrFutureVersion,
	errVersionOrder:   storage.ErrVersionOrder,
	errBadCommand:     ErrBadCommand,
}

func kindOf(err error) errKind {
	for k, s := range kindSentinels {
		if s != nil && errors.Is(err, s) {
			return errKind(k)
		}
	}
	return errOther
}

// appliedError is a remembered failure: its message, and errors.Is still
// recognises its class.
type appliedError struct {
	kind errKind
	msg  string
}

func (e *appliedError) Error() string { return e.msg }
func (e *appliedError) Unwrap() error {
	if int(e.kind) < len(kindSentinels) {
		return kindSentinels[e.kind]
	}
	return nil
}

func rememberError(err error) *appliedError {
	if err == nil {
		return nil
	}
	var ae *appliedError
	if errors.As(err, &ae) {
		return ae
	}
	return &appliedError{kind: kindOf(err), msg: err.Error()}
}

func outOfOrder(producer string, got, want uint64) error {
	return fmt.Errorf("%w: producer %q sent sequence %d, expected %d", ErrOutOfOrder, producer, got, want)
}
