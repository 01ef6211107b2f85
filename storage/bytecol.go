package storage

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// byteColumn reads the values of a plain string or binary array without
// copying. Strings it returns alias Arrow memory: use them only while the
// array is held, and clone any that must outlive it.
type byteColumn struct {
	offsets []int32 // len = rows+1, already shifted by the array offset
	data    []byte
}

func byteColumnOf(a arrow.Array) (byteColumn, bool) {
	switch a := a.(type) {
	case *array.String:
		return byteColumn{a.ValueOffsets(), valueBuffer(a)}, true
	case *array.Binary:
		return byteColumn{a.ValueOffsets(), valueBuffer(a)}, true
	}
	return byteColumn{}, false
}

// valueBuffer is the whole data buffer: ValueOffsets are not rebased for a
// sliced array, while ValueBytes starts at the slice's first value.
func valueBuffer(a arrow.Array) []byte {
	if b := a.Data().Buffers()[2]; b != nil {
		return b.Bytes()
	}
	return nil
}

func (b byteColumn) at(i int) string {
	lo, hi := b.offsets[i], b.offsets[i+1]
	if lo == hi {
		return ""
	}
	return unsafe.String(&b.data[lo], int(hi-lo))
}
