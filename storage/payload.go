package storage

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// ErrBadPayload: rows sent by a client are not a well-formed Arrow IPC
// stream of storable columns.
var ErrBadPayload = errors.New("storage: malformed Arrow IPC payload")

// DecodeIPC reads rows sent by a client: an Arrow IPC stream (schema, then
// one or more record batches) whose columns are of storable types. It is
// safe on hostile input: it never panics and never allocates more than
// maxBytes (0: 4 × len(payload)) for the decoded arrays. The caller
// releases the records. Errors wrap ErrBadPayload and name the IPC message
// and byte offset at fault.
func DecodeIPC(mem memory.Allocator, payload []byte, maxBytes int) (recs []arrow.RecordBatch, err error) {
	defer func() {
		if r := recover(); r != nil {
			for _, rec := range recs {
				rec.Release()
			}
			recs, err = nil, fmt.Errorf("%w: %v", ErrBadPayload, r)
		}
	}()
	rdr, err := ipc.NewReader(bytes.NewReader(payload), ipc.WithAllocator(mem))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadPayload, err)
	}
	defer rdr.Release()
	for rdr.Next() {
		rec := rdr.RecordBatch()
		rec.Retain()
		recs = append(recs, rec)
	}
	if err := rdr.Err(); err != nil {
		for _, rec := range recs {
			rec.Release()
		}
		return nil, fmt.Errorf("%w: %v", ErrBadPayload, err)
	}
	return recs, nil
}
