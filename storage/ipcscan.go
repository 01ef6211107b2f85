package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/endian"
)

// The IPC scan checks an Arrow IPC stream's framing and metadata before
// arrow's reader sees it, reading message boundaries exactly as arrow's
// message reader does. Arrow's reader trusts the flatbuffers it reads: it
// sizes slices by the vector lengths it finds, indexes nodes and buffers
// without checking, slices buffers out of the body at whatever offset they
// claim, and decompresses compressed buffers into whatever size they claim.
// So the scan reads every field arrow will read and checks, for every
// record and dictionary batch, that
//   - each vector fits in the metadata, and each message fits in the input;
//   - the schema's columns are of types the rules accept, not nested;
//   - there is one node per column and the buffers its type needs, every
//     node as long as its batch (at most math.MaxInt32 rows) with a null
//     count within it, and every buffer 8-byte aligned inside the body and
//     long enough for its node;
//   - the offsets of string and binary columns ascend inside their data
//     buffer (arrow's reader would panic on them before checkLayout could
//     name the column);
//   - dictionary batches name a dictionary of the schema, and every
//     dictionary is sent before the first record batch;
//   - no body is compressed.
//
// What the scan leaves — dictionary indices, bitmaps against null counts,
// and dictionaries that arrow concatenates from deltas — is checked on the
// decoded arrays (checkLayout in chunkcheck.go).
//
// Stream layout (each message 8-byte aligned):
//
//	[0xFFFFFFFF][int32 metadata length][Message flatbuffer][body] ... [0xFFFFFFFF][0]
//	 schema message, dictionary batches, record batches ...          end-of-stream

// ipcRules says what a stream may hold: a chunk's stream and a client's
// payload differ in how many batches, which column types, and whether the
// end-of-stream marker is required.
type ipcRules struct {
	minRecords, maxRecords int
	maxDictBatches         int
	// needEOS: the stream must end with the end-of-stream marker. Without
	// it the stream may end after any whole message.
	needEOS bool
	// lateDicts: dictionary batches may follow record batches and may be
	// deltas; otherwise every dictionary batch comes before the first record
	// batch and replaces.
	lateDicts bool
	// column rejects a column type the stream may not carry.
	column func(ipcField) error
	// compressed is the error for a compressed body.
	compressed string
}

// chunkIPCRules: a chunk is one record batch of the column types chunks
// hold (table columns and the uint64 version column), dictionaries first,
// then the end-of-stream marker. Type details are checked on the decoded
// record (checkDecodedRecord).
var chunkIPCRules = ipcRules{
	minRecords: 1, maxRecords: 1, maxDictBatches: math.MaxInt32,
	needEOS: true,
	column: func(f ipcField) error {
		switch f.kind {
		case ipcInt, ipcFloat, ipcBinary, ipcUtf8, ipcBool, ipcDate, ipcTimestamp:
			return nil
		}
		return fmt.Errorf("type %s is not a chunk column type", f)
	},
	compressed: "IPC body compression is not accepted",
}

// ipcMsgAt locates a message: its 1-based number and byte offset.
type ipcMsgAt struct{ n, at int }

func (m ipcMsgAt) String() string { return fmt.Sprintf("IPC message %d at byte %d", m.n, m.at) }

// ipcStream is what the scan learned: the columns and where each record
// batch is.
type ipcStream struct {
	fields  []ipcField
	records []ipcMsgAt
}

// scanIPC checks the IPC stream of a chunk payload (chunkIPCRules).
func scanIPC(raw []byte) error {
	_, err := scanIPCStream(raw, &chunkIPCRules)
	return err
}

// ipcScanner holds the state of one scan.
type ipcScanner struct {
	rules   *ipcRules
	stream  ipcStream
	dicts   map[int64]ipcField // dictionary value columns by id
	sent    map[int64]bool     // dictionaries sent so far
	dictMsg int                // dictionary batches so far
	order   binary.ByteOrder   // the schema's byte order
	native  bool               // order is the machine's
}

// scanIPCStream checks raw against rules.
func scanIPCStream(raw []byte, rules *ipcRules) (ipcStream, error) {
	s := &ipcScanner{rules: rules, dicts: map[int64]ipcField{}, sent: map[int64]bool{}}
	pos := 0
	for msgs := 1; ; msgs++ {
		at := ipcMsgAt{msgs, pos}
		if pos == len(raw) && !rules.needEOS && msgs > 1 {
			return s.stream, s.end(at)
		}
		metaLen, eos, n, err := ipcMessagePrefix(raw[pos:])
		if err != nil {
			return s.stream, fmt.Errorf("%v: %w", at, err)
		}
		pos += n
		if eos {
			if pos != len(raw) {
				return s.stream, fmt.Errorf("%d bytes after the IPC end-of-stream marker (%v)", len(raw)-pos, at)
			}
			return s.stream, s.end(at)
		}
		if metaLen < 4 || metaLen > len(raw)-pos {
			return s.stream, fmt.Errorf("%v: metadata length %d, %d bytes left", at, metaLen, len(raw)-pos)
		}
		meta := raw[pos : pos+metaLen]
		pos += metaLen
		bodyLen, err := s.message(at, meta, raw[pos:])
		if err != nil {
			return s.stream, fmt.Errorf("%v: %w", at, err)
		}
		pos += int(bodyLen)
	}
}

// end checks the stream's message counts when it ends before message at.
func (s *ipcScanner) end(at ipcMsgAt) error {
	records := len(s.stream.records)
	switch {
	case at.n == 1:
		return errors.New("empty IPC stream: no schema message")
	case records < s.rules.minRecords:
		return fmt.Errorf("IPC stream has %d record batches, want %d", records, s.rules.minRecords)
	case records == 0 && s.dictMsg > 0 && s.dictMsg < len(s.dicts):
		// arrow's reader wants every dictionary once it reads one
		return fmt.Errorf("IPC stream ends after %d of its %d dictionaries (%v)", s.dictMsg, len(s.dicts), at)
	}
	return nil
}

// Message header types (Arrow's MessageHeader union).
const (
	ipcSchema          = 1
	ipcDictionaryBatch = 2
	ipcRecordBatch     = 3
)

const ipcContinuation = 0xFFFFFFFF

// ipcMessagePrefix reads a message's length prefix: the continuation
// marker and length, or a bare length (streams before Arrow 0.15), or an
// end-of-stream marker. It returns the bytes it consumed.
func ipcMessagePrefix(b []byte) (metaLen int, eos bool, n int, err error) {
	if len(b) == 0 {
		return 0, false, 0, errors.New("stream ends without an end-of-stream marker")
	}
	if len(b) < 4 {
		return 0, false, 0, fmt.Errorf("stream ends inside a message prefix (%d bytes)", len(b))
	}
	switch cid := binary.LittleEndian.Uint32(b); cid {
	case 0:
		return 0, true, 4, nil
	case ipcContinuation:
		if len(b) < 8 {
			return 0, false, 0, errors.New("truncated message length")
		}
		l := int32(binary.LittleEndian.Uint32(b[4:]))
		return int(l), l == 0, 8, nil
	default:
		return int(int32(cid)), false, 4, nil
	}
}

// message checks one Message flatbuffer, its place in the stream and its
// body, which starts rest, and returns its body length.
func (s *ipcScanner) message(at ipcMsgAt, meta, rest []byte) (int64, error) {
	msg, err := fbTableAt(meta, int(binary.LittleEndian.Uint32(meta)))
	if err != nil {
		return 0, err
	}
	// Message: version 0, header_type 1, header 2, bodyLength 3,
	// custom_metadata 4.
	if _, err := msg.int16(0); err != nil {
		return 0, fmt.Errorf("version: %w", err)
	}
	kind, err := msg.uint8(1)
	if err != nil {
		return 0, err
	}
	bodyLen, err := msg.int64(3)
	if err != nil {
		return 0, err
	}
	if bodyLen < 0 || bodyLen > int64(len(rest)) {
		return 0, fmt.Errorf("body length %d, %d bytes left", bodyLen, len(rest))
	}
	body := rest[:bodyLen]
	if err := scanIPCMetadata(msg, 4); err != nil {
		return 0, fmt.Errorf("custom metadata: %w", err)
	}
	header, err := msg.table(2)
	if err != nil {
		return 0, fmt.Errorf("header: %w", err)
	}
	switch {
	case kind == ipcSchema && at.n == 1:
		err = s.schema(header)
	case kind == ipcDictionaryBatch && at.n > 1:
		err = s.dictionaryBatch(header, body)
	case kind == ipcRecordBatch && at.n > 1:
		err = s.recordBatch(at, header, body)
	case at.n == 1:
		err = fmt.Errorf("message type %d where the schema must come", kind)
	default:
		err = fmt.Errorf("unexpected message type %d", kind)
	}
	return bodyLen, err
}

// scanIPCMetadata checks custom metadata (a vector of KeyValue tables:
// key 0, value 1) at field i of t.
func scanIPCMetadata(t fbTable, i int) error {
	kvs, err := t.tables(i)
	if err != nil {
		return err
	}
	for _, kv := range kvs {
		for f := range 2 {
			if _, _, err := kv.vector(f, 1); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *ipcScanner) schema(schema fbTable) error {
	// Schema: endianness 0, fields 1, custom_metadata 2, features 3.
	switch e, err := schema.int16(0); {
	case err != nil:
		return fmt.Errorf("schema endianness: %w", err)
	case e == 0:
		s.order, s.native = binary.LittleEndian, !endian.IsBigEndian
	case e == 1:
		s.order, s.native = binary.BigEndian, endian.IsBigEndian // arrow's reader swaps the buffers
	default:
		return fmt.Errorf("schema endianness %d", e)
	}
	fields, err := schema.tables(1)
	if err != nil {
		return fmt.Errorf("schema fields: %w", err)
	}
	if err := scanIPCMetadata(schema, 2); err != nil {
		return fmt.Errorf("schema metadata: %w", err)
	}
	if _, _, err := schema.vector(3, 8); err != nil {
		return fmt.Errorf("schema features: %w", err)
	}
	if len(fields) == 0 {
		return errors.New("schema has no columns")
	}
	s.stream.fields = make([]ipcField, len(fields))
	for i, f := range fields {
		col, err := scanIPCField(f)
		if err == nil {
			err = s.rules.column(col)
		}
		if err != nil {
			if col.name != "" {
				return fmt.Errorf("schema column %d (%q): %w", i+1, col.name, err)
			}
			return fmt.Errorf("schema column %d: %w", i+1, err)
		}
		if col.dict != nil {
			s.dicts[col.dict.id] = col.values()
		}
		s.stream.fields[i] = col
	}
	return nil
}

func (s *ipcScanner) dictionaryBatch(header fbTable, body []byte) error {
	// DictionaryBatch: id 0, data 1 (a RecordBatch), isDelta 2.
	id, err := header.int64(0)
	if err != nil {
		return err
	}
	delta, err := header.uint8(2)
	if err != nil {
		return err
	}
	data, err := header.table(1)
	if err != nil {
		return fmt.Errorf("dictionary data: %w", err)
	}
	values, ok := s.dicts[id]
	switch {
	case !ok:
		return fmt.Errorf("dictionary batch for id %d, which no column uses", id)
	case !s.rules.lateDicts && len(s.stream.records) > 0:
		return errors.New("dictionary batch after the record batch")
	case delta != 0 && !s.rules.lateDicts:
		return errors.New("dictionary delta batches are not accepted")
	case delta != 0 && !s.sent[id]:
		return fmt.Errorf("dictionary delta for id %d before its dictionary", id)
	case s.dictMsg >= s.rules.maxDictBatches:
		return fmt.Errorf("more than %d dictionary batches", s.rules.maxDictBatches)
	}
	s.dictMsg++
	s.sent[id] = true
	return s.batch(data, body, []ipcField{values})
}

func (s *ipcScanner) recordBatch(at ipcMsgAt, header fbTable, body []byte) error {
	switch {
	case len(s.stream.records) >= s.rules.maxRecords:
		return fmt.Errorf("more than %d record batches", s.rules.maxRecords)
	case len(s.sent) < len(s.dicts):
		return fmt.Errorf("record batch before all %d dictionaries were sent", len(s.dicts))
	}
	s.stream.records = append(s.stream.records, at)
	return s.batch(header, body, s.stream.fields)
}

// batch checks a RecordBatch table (of a record or dictionary batch)
// against its columns and body.
func (s *ipcScanner) batch(batch fbTable, body []byte, cols []ipcField) error {
	// RecordBatch: length 0, nodes 1, buffers 2, compression 3,
	// variadicBufferCounts 4. Nodes and buffers are 16-byte structs.
	if present, err := batch.has(3); err != nil || present {
		return errors.Join(err, errors.New(s.rules.compressed))
	}
	b := ipcBatch{t: batch, body: body}
	var err error
	if b.length, err = batch.int64(0); err != nil {
		return err
	}
	if b.length < 0 || b.length > math.MaxInt32 {
		return fmt.Errorf("batch of %d rows", b.length)
	}
	nodes, nn, err := batch.vector(1, 16)
	if err != nil {
		return fmt.Errorf("nodes: %w", err)
	}
	bufs, nb, err := batch.vector(2, 16)
	if err != nil {
		return fmt.Errorf("buffers: %w", err)
	}
	if _, _, err := batch.vector(4, 8); err != nil {
		return fmt.Errorf("variadic buffer counts: %w", err)
	}
	want := 0
	for _, c := range cols {
		want += c.buffers()
	}
	switch {
	case nn != len(cols):
		return fmt.Errorf("%d field nodes for %d columns", nn, len(cols))
	case nb != want:
		return fmt.Errorf("%d buffers, the columns need %d", nb, want)
	}
	first := 0 // the column's first buffer
	for i, c := range cols {
		if err := s.column(b, c, nodes+16*i, bufs+16*first); err != nil {
			return fmt.Errorf("column %q: %w", c.name, err)
		}
		first += c.buffers()
	}
	return nil
}

// ipcBatch is a RecordBatch table, its row count and its body.
type ipcBatch struct {
	t      fbTable
	length int64
	body   []byte
}

// column checks column c of a batch: its node (at node), its buffers (from
// bufs) and, for utf8 and binary, its offsets.
func (s *ipcScanner) column(b ipcBatch, c ipcField, node, bufs int) error {
	rows, nulls := b.t.structAt(node, 0)
	if rows != b.length || nulls < 0 || nulls > rows {
		return fmt.Errorf("%d rows with %d nulls in a batch of %d rows", rows, nulls, b.length)
	}
	var data [3][]byte
	for k := range c.buffers() {
		off, n := b.t.structAt(bufs, k)
		if err := checkIPCBuffer(c, k, rows, nulls, off, n, int64(len(b.body))); err != nil {
			return fmt.Errorf("buffer %d: %w", k+1, err)
		}
		data[k] = b.body[off : off+n]
	}
	if c.buffers() == 3 && (rows > 0 || len(data[1]) >= 4) {
		return checkOffsetValues(s.int32s(data[1][:4*(rows+1)]), len(data[2]))
	}
	return nil
}

// int32s reads b as int32s in the stream's byte order: in place when the
// order is the machine's and b is aligned (as it is in a payload Go
// allocated and a writer aligned), else copied.
func (s *ipcScanner) int32s(b []byte) []int32 {
	if s.native && uintptr(unsafe.Pointer(unsafe.SliceData(b)))%4 == 0 {
		return arrow.Int32Traits.CastFromBytes(b)
	}
	out := make([]int32, len(b)/4)
	for i := range out {
		out[i] = int32(s.order.Uint32(b[4*i:]))
	}
	return out
}

// checkIPCBuffer checks buffer k of column c, of rows rows with nulls
// nulls: inside the body, aligned, and long enough for what arrow's
// reader will make of it. A buffer arrow skips (validity without nulls,
// values of an empty column) need only lie inside the body.
func checkIPCBuffer(c ipcField, k int, rows, nulls, off, n, bodyLen int64) error {
	if off < 0 || n < 0 || off > bodyLen || n > bodyLen-off {
		return fmt.Errorf("%d bytes at %d outside a body of %d bytes", n, off, bodyLen)
	}
	if n > 0 && off%8 != 0 {
		return fmt.Errorf("offset %d is not 8-byte aligned", off)
	}
	var need int64
	switch {
	case k == 0 && nulls > 0:
		need = (rows + 7) / 8
	case k == 1 && c.buffers() == 3 && rows > 0:
		need = (rows + 1) * 4
	case k == 1 && c.buffers() == 2:
		need = (rows*int64(c.valueBits()) + 7) / 8
	}
	if n < need {
		return fmt.Errorf("%d bytes, %d rows need %d", n, rows, need)
	}
	return nil
}
