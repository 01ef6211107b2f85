package storage

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// ErrBadPayload: rows sent by a client are not a well-formed Arrow IPC
// stream of storable columns.
var ErrBadPayload = errors.New("storage: malformed Arrow IPC payload")

// Caps on one payload's batches. Each batch costs the FSM work and memory
// beyond its bytes, so their number is bounded even when they are small.
const (
	MaxPayloadRecords     = 1 << 16
	maxPayloadDictBatches = 1 << 16
)

// payloadIPCRules: a client's stream holds any number of record batches up
// to the cap, dictionaries before the first record batch and, as
// replacements or deltas, between later ones, columns of storable types
// only, and may end with or without the end-of-stream marker (arrow-go's
// writer and pyarrow write it; a stream cut after a whole message is
// still an IPC stream to arrow's reader).
var payloadIPCRules = ipcRules{
	minRecords: 0, maxRecords: MaxPayloadRecords, maxDictBatches: maxPayloadDictBatches,
	lateDicts:  true,
	column:     payloadColumnType,
	compressed: "compressed IPC bodies are not accepted; send uncompressed batches",
}

// payloadColumnType accepts the Arrow types a batch column may have:
// those TypeOfArrow maps to a column type, with any timestamp unit and
// time zone (validateBatch explains what is wrong with those).
func payloadColumnType(f ipcField) error {
	ok := false
	switch f.kind {
	case ipcInt:
		ok = f.signed && (f.bits == 32 || f.bits == 64)
	case ipcFloat:
		ok = f.bits == 64
	case ipcDate:
		ok = f.bits == 32
	case ipcBinary, ipcUtf8, ipcBool, ipcTimestamp:
		ok = true
	}
	if !ok {
		return fmt.Errorf("type %s is not storable (storable: int64, int32, float64, bool, utf8 or dictionary of utf8, binary, timestamp, date32)", f)
	}
	return nil
}

// DecodeIPC reads rows sent by a client: an Arrow IPC stream — a schema
// message, dictionary batches, any number of record batches (at most
// MaxPayloadRecords; none is fine), and the end-of-stream marker or not —
// whose columns are of storable types (see payloadColumnType), with
// uncompressed bodies.
//
// It is safe on hostile input. It never panics. The stream's framing and
// metadata are checked before arrow's reader sees them (ipcscan.go), and
// every returned array is checked like a restored chunk's (checkLayout):
// buffers long enough for offset and length, null counts equal to the
// bitmaps, string offsets ascending inside the data buffer, dictionary
// indices of valid rows inside the dictionary. The arrays it decodes may
// hold at most maxBytes at once (maxBytes <= 0: 4 × len(payload) + 1 MiB);
// on failure nothing stays allocated from mem. The dictionaries the
// batches use, counted once per batch that uses them, may also add up to
// at most maxBytes: Apply works on each batch's dictionary whole, so many
// small batches sharing a large dictionary would cost it far more than
// their bytes (a batch may use a dictionary up to about 4 times its own
// size at the default).
//
// Errors wrap ErrBadPayload and name the IPC message and its byte offset,
// and the column for a column's problem. Types are checked here only as
// far as storing needs; validateBatch (Apply) checks them against the
// table, including the timestamp unit and time zone, UTF-8 and NOT NULL.
//
// The result depends on the bytes alone (not on mem, timing or maps), so
// replicas that decode the same payload agree on the outcome.
//
// Ownership: the caller releases the records. They do not alias payload:
// arrow's stream reader copies each message body into one allocation from
// mem, so payload may be reused as soon as DecodeIPC returns. The columns
// of a record are slices of its message's body: an array kept (Apply may
// keep arrays as they are) keeps that whole body allocated. A dictionary
// may be shared by several records (each holds its own reference).
func DecodeIPC(mem memory.Allocator, payload []byte, maxBytes int) ([]arrow.RecordBatch, error) {
	if len(payload) == 0 {
		return nil, fmt.Errorf("%w: empty payload", ErrBadPayload)
	}
	if maxBytes <= 0 {
		maxBytes = 4*len(payload) + 1<<20
	}
	stream, err := scanPayload(payload)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadPayload, err)
	}
	if len(stream.records) == 0 {
		return nil, nil // nothing to decode; the dictionaries were scanned
	}
	alloc := newDecodeAllocator(mem, maxBytes)
	recs, err := readPayload(alloc, payload, stream, maxBytes)
	if err != nil {
		alloc.abort()
		if alloc.refused() != nil {
			return nil, fmt.Errorf("%w: decoded arrays need more than the budget of %d bytes: %v", ErrBadPayload, maxBytes, err)
		}
		return nil, fmt.Errorf("%w: %v", ErrBadPayload, err)
	}
	alloc.commit()
	return recs, nil
}

// scanPayload scans a payload (payloadIPCRules). The scan checks bounds
// before it reads; recovering here is the last resort against a bug in it
// (readPayload recovers arrow's panics).
func scanPayload(payload []byte) (stream ipcStream, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("BUG: the IPC scan panicked: %v", p)
		}
	}()
	return scanIPCStream(payload, &payloadIPCRules)
}

// readPayload decodes a scanned stream with arrow's reader and checks
// each record. On error it returns nothing and has released what it made;
// what arrow leaked is left to the allocator's abort.
func readPayload(mem memory.Allocator, payload []byte, stream ipcStream, maxBytes int) (recs []arrow.RecordBatch, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s: malformed Arrow data: %v", stream.reading(len(recs)), p)
		}
		if err != nil {
			releaseRecords(recs)
			recs = nil
		}
	}()
	limit := int64(len(payload))
	msgs := ipc.NewMessageReader(bytes.NewReader(payload), ipc.WithAllocator(mem),
		ipc.WithMetadataSizeLimit(limit), ipc.WithBodySizeLimit(limit))
	rdr, err := ipc.NewReaderFromMessageReader(msgs, ipc.WithAllocator(mem)) // owns msgs, even on error
	if err != nil {
		return nil, fmt.Errorf("schema (%v): %v", ipcMsgAt{1, 0}, err)
	}
	defer rdr.Release()
	dictBytes := 0 // the dictionaries of the batches so far, once per batch
	for rdr.Next() {
		k := len(recs)
		if k == len(stream.records) {
			return recs, fmt.Errorf("arrow read more than the %d record batches the scan found", k)
		}
		rec := rdr.RecordBatch()
		rec.Retain()
		recs = append(recs, rec)
		if err := checkPayloadRecord(rec); err != nil {
			return recs, fmt.Errorf("%s: %v", stream.where(k), err)
		}
		if dictBytes += dictionaryBytes(rec); dictBytes > maxBytes {
			return recs, fmt.Errorf("%s: the dictionaries used by the batches so far add up to %d bytes (once per batch), over the budget of %d bytes; send larger batches or smaller dictionaries",
				stream.where(k), dictBytes, maxBytes)
		}
	}
	if err := rdr.Err(); err != nil {
		return recs, fmt.Errorf("%s: %v", stream.reading(len(recs)), err)
	}
	if len(recs) != len(stream.records) {
		return recs, fmt.Errorf("arrow read %d of the %d record batches the scan found", len(recs), len(stream.records))
	}
	return recs, nil
}

// where names record batch k (0-based) of the stream.
func (s ipcStream) where(k int) string {
	if k < len(s.records) {
		return fmt.Sprintf("record batch %d (%v)", k+1, s.records[k])
	}
	return fmt.Sprintf("after record batch %d", k)
}

// reading names what arrow's reader was reading when it failed: record
// batch k or a dictionary batch before it.
func (s ipcStream) reading(k int) string {
	return "reading " + s.where(k) + " or a dictionary batch before it"
}

// checkPayloadRecord checks every column's buffers (payloadLayout).
func checkPayloadRecord(rec arrow.RecordBatch) error {
	for i, col := range rec.Columns() {
		name := rec.Schema().Field(i).Name
		if int64(col.Len()) != rec.NumRows() {
			return fmt.Errorf("column %q has %d rows, the batch %d", name, col.Len(), rec.NumRows())
		}
		if err := checkLayout(col, &payloadLayout); err != nil {
			return fmt.Errorf("column %q: %v", name, err)
		}
	}
	return nil
}

// dictionaryBytes is the size of the dictionaries rec's columns use.
func dictionaryBytes(rec arrow.RecordBatch) int {
	n := 0
	for _, col := range rec.Columns() {
		if d, ok := col.(*array.Dictionary); ok {
			for _, b := range d.Dictionary().Data().Buffers() {
				if b != nil {
					n += b.Len()
				}
			}
		}
	}
	return n
}

func releaseRecords(recs []arrow.RecordBatch) {
	for _, r := range recs {
		r.Release()
	}
}
