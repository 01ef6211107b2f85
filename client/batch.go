package client

import (
	"bytes"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// encodeIPC writes rec as a self-contained Arrow IPC stream (schema, one
// record batch), the payload of one IngestRequest. Bodies are not
// compressed: the server refuses compressed IPC bodies, whose claimed
// sizes it cannot bound before decompressing.
func encodeIPC(mem memory.Allocator, rec arrow.RecordBatch) ([]byte, error) {
	rec = dictEncode(mem, rec)
	defer rec.Release()
	var buf bytes.Buffer
	buf.Grow(int(payloadSize(rec)) + 4096)
	w := ipc.NewWriter(&buf, ipc.WithSchema(rec.Schema()), ipc.WithAllocator(mem))
	if err := w.Write(rec); err != nil {
		return nil, fmt.Errorf("client: encode batch: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("client: encode batch: %w", err)
	}
	return buf.Bytes(), nil
}

// rowsPerBatch is how many rows of rec go in one batch: at most maxRows,
// and about maxBytes judged by rec's average row size. Always at least 1.
func rowsPerBatch(rec arrow.RecordBatch, maxRows, maxBytes int) int64 {
	per := int64(maxRows)
	rows := rec.NumRows()
	if b := recordBytes(rec); rows > 0 && b > int64(maxBytes) {
		per = min(per, rows*int64(maxBytes)/b)
	}
	return max(per, 1)
}

// recordBytes is the size of rec's buffers (storage.RecordBytes, which the
// client may not import) (of the whole arrays when rec
// is a slice, so it over-estimates slices).
func recordBytes(rec arrow.RecordBatch) int64 {
	var n int64
	for _, c := range rec.Columns() {
		n += dataBytes(c.Data())
	}
	return n
}

func dataBytes(d arrow.ArrayData) int64 {
	var n int64
	for _, b := range d.Buffers() {
		if b != nil {
			n += int64(b.Len())
		}
	}
	for _, c := range d.Children() {
		n += dataBytes(c)
	}
	if dict, ok := d.Dictionary().(*array.Data); ok && dict != nil {
		n += dataBytes(dict)
	}
	return n
}

// payloadSize estimates the IPC body of rec: the bytes of its rows, not of
// the whole buffers a slice shares.
func payloadSize(rec arrow.RecordBatch) int64 {
	n := rec.NumRows()
	var size int64
	for _, c := range rec.Columns() {
		size += n/8 + 8 // validity
		switch a := c.(type) {
		case *array.String:
			offs := a.ValueOffsets()
			size += 4*(n+1) + int64(offs[n]-offs[0])
		case *array.Binary:
			offs := a.ValueOffsets()
			size += 4*(n+1) + int64(offs[n]-offs[0])
		case *array.Dictionary:
			size += 4*n + dataBytes(a.Dictionary().Data())
		default:
			if fw, ok := c.DataType().(arrow.FixedWidthDataType); ok {
				size += n * int64(fw.BitWidth()+7) / 8
			}
		}
	}
	return size
}
