package storage

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Usage is the size of what a store holds.
type Usage struct {
	Tables       int
	SealedChunks int
	BufferChunks int
	Rows         int64 // stored rows, rolled-back ones included
	Bytes        int64 // Arrow buffers of every chunk
}

// Usage sums the current state; it costs a pass over the chunks (sizes are
// cached per chunk), not over the data.
func (s *Store) Usage() Usage {
	s.stateMu.RLock()
	defer s.stateMu.RUnlock()
	u := Usage{Tables: len(s.cur.tables)}
	for _, t := range s.cur.tables {
		t.chunks(func(_ int, c *Chunk) {
			if c.sealed {
				u.SealedChunks++
			} else {
				u.BufferChunks++
			}
			u.Rows += int64(c.Rows())
			u.Bytes += c.Bytes()
		})
	}
	return u
}

// Bytes is the size of the chunk's Arrow buffers (shared buffers are
// counted whole) plus its version column.
func (c *Chunk) Bytes() int64 {
	if n := c.size.Load(); n > 0 {
		return n
	}
	n := int64(8 * len(c.versions))
	n += RecordBytes(c.rec)
	c.size.Store(n)
	return n
}

// RecordBytes is the size of a record's Arrow buffers (shared buffers
// counted whole, dictionaries included).
func RecordBytes(rec arrow.RecordBatch) int64 {
	var n int64
	for _, col := range rec.Columns() {
		n += ArrayBytes(col.Data())
	}
	return n
}

// ArrayBytes is the size of an array's buffers, children and dictionary.
func ArrayBytes(d arrow.ArrayData) int64 {
	var n int64
	for _, b := range d.Buffers() {
		if b != nil {
			n += int64(b.Len())
		}
	}
	for _, c := range d.Children() {
		n += ArrayBytes(c)
	}
	// Dictionary returns a typed nil inside the interface when absent.
	if dict, ok := d.Dictionary().(*array.Data); ok && dict != nil {
		n += ArrayBytes(dict)
	}
	return n
}
