package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// scanIPC checks the framing of the Arrow IPC stream inside a chunk payload
// before arrow's reader sees it, reading message boundaries exactly as
// arrow's message reader does. It accepts schema and dictionary messages,
// then exactly one record batch, then the end-of-stream marker and nothing
// after it, every length inside the input, and no body compression: chunks
// are compressed as a whole (see chunkcodec.go), and arrow's own buffer
// decompression allocates whatever the buffer claims.
func scanIPC(raw []byte) error {
	pos, records := 0, 0
	for msgs := 0; ; msgs++ {
		metaLen, eos, n, err := ipcMessagePrefix(raw[pos:])
		if err != nil {
			return fmt.Errorf("IPC message %d: %w", msgs+1, err)
		}
		pos += n
		if eos {
			switch {
			case records != 1:
				return fmt.Errorf("IPC stream has %d record batches, want 1", records)
			case pos != len(raw):
				return fmt.Errorf("%d bytes after the IPC end-of-stream marker", len(raw)-pos)
			}
			return nil
		}
		if metaLen < 4 || metaLen > len(raw)-pos {
			return fmt.Errorf("IPC message %d: metadata length %d, %d bytes left", msgs+1, metaLen, len(raw)-pos)
		}
		kind, bodyLen, err := scanIPCMessage(raw[pos : pos+metaLen])
		if err != nil {
			return fmt.Errorf("IPC message %d: %w", msgs+1, err)
		}
		pos += metaLen
		if bodyLen < 0 || bodyLen > int64(len(raw)-pos) {
			return fmt.Errorf("IPC message %d: body length %d, %d bytes left", msgs+1, bodyLen, len(raw)-pos)
		}
		pos += int(bodyLen)
		switch {
		case kind == ipcSchema && msgs == 0:
		case kind == ipcDictionaryBatch && msgs > 0 && records == 0:
		case kind == ipcRecordBatch && msgs > 0 && records == 0:
			records++
		default:
			return fmt.Errorf("IPC message %d has unexpected type %d", msgs+1, kind)
		}
	}
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
	if len(b) < 4 {
		return 0, false, 0, errors.New("stream ends without an end-of-stream marker")
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

// scanIPCMessage checks a Message flatbuffer and returns its header type
// and body length. Arrow's reader sizes slices by the flatbuffer vector
// lengths it finds (fields, children, metadata) without checking them
// against the buffer, so a crafted length would make it allocate without
// bound; here every such vector must fit in the metadata, field types must
// be ones chunks use, and no body may be compressed.
func scanIPCMessage(meta []byte) (kind uint8, bodyLen int64, err error) {
	if len(meta) < 4 {
		return 0, 0, errors.New("short metadata")
	}
	msg, err := fbTableAt(meta, int(binary.LittleEndian.Uint32(meta)))
	if err != nil {
		return 0, 0, err
	}
	// Message: version 0, header_type 1, header 2, bodyLength 3,
	// custom_metadata 4.
	if kind, err = msg.uint8(1); err != nil {
		return 0, 0, err
	}
	if bodyLen, err = msg.int64(3); err != nil {
		return 0, 0, err
	}
	if _, err := msg.tables(4); err != nil {
		return 0, 0, fmt.Errorf("custom metadata: %w", err)
	}
	header, err := msg.table(2)
	if err != nil {
		return 0, 0, fmt.Errorf("header: %w", err)
	}
	switch kind {
	case ipcSchema:
		err = scanIPCSchema(header)
	case ipcDictionaryBatch:
		// DictionaryBatch: id 0, data 1 (a RecordBatch), isDelta 2.
		var data fbTable
		if data, err = header.table(1); err == nil {
			err = scanIPCBatch(data)
		}
	case ipcRecordBatch:
		err = scanIPCBatch(header)
	}
	return kind, bodyLen, err
}

// ipcFieldTypes are the Arrow Type union members chunks use: Int (int32,
// int64, and uint64 for versions), FloatingPoint, Binary, Utf8, Bool, Date,
// Timestamp. Dictionary encoding is a property of a Utf8 field.
var ipcFieldTypes = map[uint8]bool{2: true, 3: true, 4: true, 5: true, 6: true, 8: true, 10: true}

func scanIPCSchema(schema fbTable) error {
	// Schema: endianness 0, fields 1, custom_metadata 2, features 3.
	fields, err := schema.tables(1)
	if err != nil {
		return fmt.Errorf("schema fields: %w", err)
	}
	if _, err := schema.tables(2); err != nil {
		return fmt.Errorf("schema metadata: %w", err)
	}
	if _, _, err := schema.vector(3, 8); err != nil {
		return fmt.Errorf("schema features: %w", err)
	}
	for i, f := range fields {
		if err := scanIPCField(f); err != nil {
			return fmt.Errorf("schema field %d: %w", i+1, err)
		}
	}
	return nil
}

func scanIPCField(f fbTable) error {
	// Field: name 0, nullable 1, type_type 2, type 3, dictionary 4,
	// children 5, custom_metadata 6.
	if _, _, err := f.vector(0, 1); err != nil {
		return fmt.Errorf("name: %w", err)
	}
	typ, err := f.uint8(2)
	if err != nil || !ipcFieldTypes[typ] {
		return errors.Join(err, fmt.Errorf("type %d is not a chunk column type", typ))
	}
	if _, err := f.table(3); err != nil {
		return fmt.Errorf("type: %w", err)
	}
	if children, err := f.tables(5); err != nil || len(children) > 0 {
		return errors.Join(err, errors.New("nested fields"))
	}
	if _, err := f.tables(6); err != nil {
		return fmt.Errorf("metadata: %w", err)
	}
	return nil
}

func scanIPCBatch(batch fbTable) error {
	// RecordBatch: length 0, nodes 1, buffers 2, compression 3,
	// variadicBufferCounts 4. Nodes and buffers are 16-byte structs.
	for _, v := range []struct{ field, size int }{{1, 16}, {2, 16}, {4, 8}} {
		if _, _, err := batch.vector(v.field, v.size); err != nil {
			return fmt.Errorf("record batch: %w", err)
		}
	}
	if present, err := batch.has(3); err != nil || present {
		return errors.Join(err, errors.New("IPC body compression is not accepted"))
	}
	return nil
}

// fbTable reads a flatbuffers table with bounds checks, following the
// flatbuffers runtime's rules for vtables and absent fields.
type fbTable struct {
	b           []byte
	pos, vt, vl int
}

func fbTableAt(b []byte, pos int) (fbTable, error) {
	if pos < 0 || pos > len(b)-4 {
		return fbTable{}, fmt.Errorf("table at %d outside %d bytes", pos, len(b))
	}
	vt := pos - int(int32(binary.LittleEndian.Uint32(b[pos:])))
	if vt < 0 || vt > len(b)-2 {
		return fbTable{}, fmt.Errorf("vtable at %d outside %d bytes", vt, len(b))
	}
	return fbTable{b: b, pos: pos, vt: vt, vl: int(binary.LittleEndian.Uint16(b[vt:]))}, nil
}

// field returns the position of field i, or 0 when it is absent.
func (t fbTable) field(i int) (int, error) {
	slot := 4 + 2*i
	if slot >= t.vl {
		return 0, nil
	}
	if t.vt+slot > len(t.b)-2 {
		return 0, errors.New("vtable outside the buffer")
	}
	off := int(binary.LittleEndian.Uint16(t.b[t.vt+slot:]))
	if off == 0 {
		return 0, nil
	}
	return t.pos + off, nil
}

func (t fbTable) has(i int) (bool, error) {
	p, err := t.field(i)
	return p != 0, err
}

func (t fbTable) uint8(i int) (uint8, error) {
	p, err := t.field(i)
	if err != nil || p == 0 {
		return 0, err
	}
	if p >= len(t.b) {
		return 0, errors.New("field outside the buffer")
	}
	return t.b[p], nil
}

func (t fbTable) int64(i int) (int64, error) {
	p, err := t.field(i)
	if err != nil || p == 0 {
		return 0, err
	}
	if p > len(t.b)-8 {
		return 0, errors.New("field outside the buffer")
	}
	return int64(binary.LittleEndian.Uint64(t.b[p:])), nil
}

func (t fbTable) table(i int) (fbTable, error) {
	p, err := t.field(i)
	if err != nil {
		return fbTable{}, err
	}
	if p == 0 || p > len(t.b)-4 {
		return fbTable{}, errors.New("missing table")
	}
	return fbTableAt(t.b, p+int(binary.LittleEndian.Uint32(t.b[p:])))
}

// vector returns the start and length of vector field i, whose elements
// are size bytes, checking that it lies inside the buffer. An absent vector
// is empty.
func (t fbTable) vector(i, size int) (start, n int, err error) {
	p, err := t.field(i)
	if err != nil || p == 0 {
		return 0, 0, err
	}
	if p > len(t.b)-4 {
		return 0, 0, errors.New("vector offset outside the buffer")
	}
	v := p + int(binary.LittleEndian.Uint32(t.b[p:]))
	if v > len(t.b)-4 {
		return 0, 0, errors.New("vector outside the buffer")
	}
	n = int(binary.LittleEndian.Uint32(t.b[v:]))
	if uint64(n)*uint64(size) > uint64(len(t.b)-v-4) {
		return 0, 0, fmt.Errorf("vector of %d elements does not fit", n)
	}
	return v + 4, n, nil
}

// tables returns the tables of vector-of-tables field i.
func (t fbTable) tables(i int) ([]fbTable, error) {
	start, n, err := t.vector(i, 4)
	if err != nil {
		return nil, err
	}
	out := make([]fbTable, n)
	for j := range out {
		p := start + 4*j
		if out[j], err = fbTableAt(t.b, p+int(binary.LittleEndian.Uint32(t.b[p:]))); err != nil {
			return nil, err
		}
	}
	return out, nil
}
