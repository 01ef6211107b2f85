package storage

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// rowRef names row `row` of source `src` in a gather.
type rowRef struct{ src, row int32 }

// gatherColumn builds a new array of type t holding, in order, the rows refs
// name in srcs. Strings come out dictionary-encoded when encodeStrings is
// set and at most half the rows are distinct; otherwise plain.
func gatherColumn(mem memory.Allocator, t ColumnType, srcs []arrow.Array, refs []rowRef, encodeStrings bool) arrow.Array {
	return gatherColumnRun(mem, t, srcs, refs, encodeStrings, -1, 0)
}

// gatherColumnRun is gatherColumn for callers that know whether refs are
// one run of rows lo, lo+1, ... of source src (src < 0: not a run). Such a
// fixed-width column is shared with the source instead of copied.
func gatherColumnRun(mem memory.Allocator, t ColumnType, srcs []arrow.Array, refs []rowRef, encodeStrings bool, src, lo int) arrow.Array {
	if src >= 0 && t != TypeString && canonical(srcs[src]) {
		return array.NewSlice(srcs[src], int64(lo), int64(lo+len(refs)))
	}
	switch t {
	case TypeInt64:
		return gatherFixed(mem, t.ArrowType(), srcs, refs, func(a arrow.Array) []int64 { return a.(*array.Int64).Int64Values() })
	case TypeInt32:
		return gatherFixed(mem, t.ArrowType(), srcs, refs, func(a arrow.Array) []int32 { return a.(*array.Int32).Int32Values() })
	case TypeFloat64:
		return gatherFixed(mem, t.ArrowType(), srcs, refs, func(a arrow.Array) []float64 { return a.(*array.Float64).Float64Values() })
	case TypeTimestamp:
		return gatherFixed(mem, t.ArrowType(), srcs, refs, func(a arrow.Array) []arrow.Timestamp { return a.(*array.Timestamp).TimestampValues() })
	case TypeDate:
		return gatherFixed(mem, t.ArrowType(), srcs, refs, func(a arrow.Array) []arrow.Date32 { return a.(*array.Date32).Date32Values() })
	case TypeBool:
		return gatherBool(mem, srcs, refs)
	case TypeString:
		if encodeStrings {
			return gatherEncodedStrings(mem, srcs, refs)
		}
		return gatherBytes(mem, t.ArrowType(), srcs, refs)
	case TypeBinary:
		return gatherBytes(mem, t.ArrowType(), srcs, refs)
	}
	panic("BUG: gather of unknown column type " + t.String())
}

func newBuffer(mem memory.Allocator, n int) *memory.Buffer {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(n)
	return buf
}

func castBuffer[T any](buf *memory.Buffer, n int) []T {
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(buf.Bytes()))), n)
}

// makeArray wraps buffers into an array and drops the caller's references
// to them.
func makeArray(dt arrow.DataType, n int, bufs []*memory.Buffer, nulls int) arrow.Array {
	data := array.NewData(dt, n, bufs, nil, nulls, 0)
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	defer data.Release()
	return array.MakeFromData(data)
}

func gatherFixed[T any](mem memory.Allocator, dt arrow.DataType, srcs []arrow.Array, refs []rowRef, values func(arrow.Array) []T) arrow.Array {
	vals := make([][]T, len(srcs))
	for i, s := range srcs {
		vals[i] = values(s)
	}
	n := len(refs)
	buf := newBuffer(mem, n*int(unsafe.Sizeof(*new(T))))
	out := castBuffer[T](buf, n)
	if len(vals) == 1 {
		// One source (a batch spread over partitions): skip the per-row
		// lookup of the source slice.
		v := vals[0]
		for i, r := range refs {
			out[i] = v[r.row]
		}
	} else {
		for i, r := range refs {
			out[i] = vals[r.src][r.row]
		}
	}
	validity, nulls := gatherValidity(mem, srcs, refs)
	return makeArray(dt, n, []*memory.Buffer{validity, buf}, nulls)
}

// validity reads one array's null bitmap, taking its offset into account.
type validity struct {
	bits   []byte // nil: no nulls
	offset int
}

func validityOf(a arrow.Array) validity {
	if a.NullN() == 0 {
		return validity{}
	}
	return validity{a.NullBitmapBytes(), a.Data().Offset()}
}

func (v validity) valid(i int) bool {
	return v.bits == nil || bitutil.BitIsSet(v.bits, v.offset+i)
}

func gatherValidity(mem memory.Allocator, srcs []arrow.Array, refs []rowRef) (*memory.Buffer, int) {
	vs := make([]validity, len(srcs))
	any := false
	for i, s := range srcs {
		vs[i] = validityOf(s)
		any = any || vs[i].bits != nil
	}
	if !any {
		return nil, 0
	}
	buf := newBuffer(mem, int(bitutil.BytesForBits(int64(len(refs)))))
	bits := buf.Bytes()
	clear(bits)
	nulls := 0
	for i, r := range refs {
		if vs[r.src].valid(int(r.row)) {
			bitutil.SetBit(bits, i)
		} else {
			nulls++
		}
	}
	return buf, nulls
}

func gatherBool(mem memory.Allocator, srcs []arrow.Array, refs []rowRef) arrow.Array {
	vals := make([]*array.Boolean, len(srcs))
	for i, s := range srcs {
		vals[i] = s.(*array.Boolean)
	}
	n := len(refs)
	buf := newBuffer(mem, int(bitutil.BytesForBits(int64(n))))
	bits := buf.Bytes()
	clear(bits)
	for i, r := range refs {
		if vals[r.src].Value(int(r.row)) {
			bitutil.SetBit(bits, i)
		}
	}
	validity, nulls := gatherValidity(mem, srcs, refs)
	return makeArray(arrow.FixedWidthTypes.Boolean, n, []*memory.Buffer{validity, buf}, nulls)
}

// stringSource reads a string column whatever its encoding.
type stringSource struct {
	plain   byteColumn
	isDict  bool
	dict    byteColumn
	dictVal validity
	// The indices of chunk dictionaries, in their stored width: a batch
	// split over partitions is read once per partition, and widening all
	// of its codes each time would cost more than the gather.
	codes8  []uint8
	codes16 []uint16
	codes32 []int32
	foreign *array.Dictionary // any other index type
	valid   validity
}

func stringSourceOf(a arrow.Array) stringSource {
	s := stringSource{valid: validityOf(a)}
	if d, ok := a.(*array.Dictionary); ok {
		s.isDict = true
		s.dict, _ = byteColumnOf(d.Dictionary())
		s.dictVal = validityOf(d.Dictionary())
		switch idx := d.Indices().(type) {
		case *array.Int32:
			s.codes32 = idx.Int32Values()
		case *array.Uint8:
			s.codes8 = idx.Uint8Values()
		case *array.Uint16:
			s.codes16 = idx.Uint16Values()
		default:
			s.foreign = d
		}
		return s
	}
	s.plain, _ = byteColumnOf(a)
	return s
}

// dictIndex returns row i's dictionary index, or -1 when the row is null.
func (s *stringSource) dictIndex(i int) int {
	if !s.valid.valid(i) {
		return -1
	}
	var k int
	switch {
	case s.codes8 != nil:
		k = int(s.codes8[i])
	case s.codes16 != nil:
		k = int(s.codes16[i])
	case s.codes32 != nil:
		k = int(s.codes32[i])
	default:
		k = s.foreign.GetValueIndex(i)
	}
	if !s.dictVal.valid(k) {
		return -1
	}
	return k
}

// at returns row i's value and whether it is non-null.
func (s *stringSource) at(i int) (string, bool) {
	if !s.isDict {
		if !s.valid.valid(i) {
			return "", false
		}
		return s.plain.at(i), true
	}
	k := s.dictIndex(i)
	if k < 0 {
		return "", false
	}
	return s.dict.at(k), true
}

// gatherBytes copies string or binary values into a plain array.
func gatherBytes(mem memory.Allocator, dt arrow.DataType, srcs []arrow.Array, refs []rowRef) arrow.Array {
	if plain, ok := plainSources(srcs); ok {
		return gatherPlainBytes(mem, dt, srcs, plain, refs)
	}
	ss := make([]stringSource, len(srcs))
	for i, s := range srcs {
		ss[i] = stringSourceOf(s)
	}
	n := len(refs)
	offBuf := newBuffer(mem, (n+1)*4)
	offsets := castBuffer[int32](offBuf, n+1)
	total := 0
	for i, r := range refs {
		offsets[i] = int32(total)
		v, _ := ss[r.src].at(int(r.row))
		total += len(v)
	}
	offsets[n] = int32(total)
	dataBuf := newBuffer(mem, total)
	data := dataBuf.Bytes()
	valBuf, nulls := (*memory.Buffer)(nil), 0
	for i, r := range refs {
		v, ok := ss[r.src].at(int(r.row))
		if !ok {
			if valBuf == nil {
				valBuf = allValid(mem, n)
			}
			bitutil.ClearBit(valBuf.Bytes(), i)
			nulls++
			continue
		}
		copy(data[offsets[i]:], v)
	}
	return makeArray(dt, n, []*memory.Buffer{valBuf, offBuf, dataBuf}, nulls)
}

func allValid(mem memory.Allocator, n int) *memory.Buffer {
	buf := newBuffer(mem, int(bitutil.BytesForBits(int64(n))))
	bits := buf.Bytes()
	for i := range bits {
		bits[i] = 0xff
	}
	return buf
}

// gatherEncodedStrings assigns each distinct value a code, then builds a
// dictionary array when at most half the rows are distinct (it pays) and a
// plain array otherwise. Dictionary sources are remapped once per entry.
func gatherEncodedStrings(mem memory.Allocator, srcs []arrow.Array, refs []rowRef) arrow.Array {
	ss := make([]stringSource, len(srcs))
	remap := make([][]int32, len(srcs))
	for i, s := range srcs {
		ss[i] = stringSourceOf(s)
		if ss[i].isDict {
			remap[i] = make([]int32, len(ss[i].dict.offsets)-1)
			for k := range remap[i] {
				remap[i][k] = -1
			}
		}
	}
	n := len(refs)
	codes := make([]int32, n)
	coder := newStringCoder()
	code := coder.code
	nulls := 0
	if plain, ok := plainSources(srcs); ok {
		nulls = codePlain(plain, srcs, refs, codes, code)
		refs = nil // done
	}
	for i, r := range refs {
		s := &ss[r.src]
		if s.isDict {
			k := s.dictIndex(int(r.row))
			if k < 0 {
				codes[i], nulls = -1, nulls+1
				continue
			}
			if remap[r.src][k] < 0 {
				remap[r.src][k] = code(s.dict.at(k))
			}
			codes[i] = remap[r.src][k]
			continue
		}
		v, ok := s.at(int(r.row))
		if !ok {
			codes[i], nulls = -1, nulls+1
			continue
		}
		codes[i] = code(v)
	}
	if len(coder.distinct) <= n/2 {
		return buildDictArray(mem, codes, coder.distinct, nulls)
	}
	return buildPlainStrings(mem, codes, coder.distinct, nulls)
}

func buildDictArray(mem memory.Allocator, codes []int32, distinct []string, nulls int) arrow.Array {
	n := len(codes)
	var valBuf *memory.Buffer
	if nulls > 0 {
		valBuf = allValid(mem, n)
		for i, c := range codes {
			if c < 0 {
				bitutil.ClearBit(valBuf.Bytes(), i)
			}
		}
	}
	dt := StringDictType(len(distinct))
	var idxBuf *memory.Buffer
	switch dt.IndexType.ID() {
	case arrow.UINT8:
		idxBuf = narrowCodes[uint8](mem, codes)
	case arrow.UINT16:
		idxBuf = narrowCodes[uint16](mem, codes)
	default:
		idxBuf = narrowCodes[int32](mem, codes)
	}
	indices := makeArray(dt.IndexType, n, []*memory.Buffer{valBuf, idxBuf}, nulls)
	defer indices.Release()
	dictCodes := make([]int32, len(distinct))
	for i := range dictCodes {
		dictCodes[i] = int32(i)
	}
	dict := buildPlainStrings(mem, dictCodes, distinct, 0)
	defer dict.Release()
	return array.NewDictionaryArray(dt, indices, dict)
}

// narrowCodes stores codes in an index buffer of type T; a null's code
// (-1) is stored as 0.
func narrowCodes[T uint8 | uint16 | int32](mem memory.Allocator, codes []int32) *memory.Buffer {
	buf := newBuffer(mem, len(codes)*int(unsafe.Sizeof(T(0))))
	out := castBuffer[T](buf, len(codes))
	for i, c := range codes {
		out[i] = T(max(c, 0))
	}
	return buf
}

func buildPlainStrings(mem memory.Allocator, codes []int32, distinct []string, nulls int) arrow.Array {
	n := len(codes)
	offBuf := newBuffer(mem, (n+1)*4)
	offsets := castBuffer[int32](offBuf, n+1)
	total := 0
	for i, c := range codes {
		offsets[i] = int32(total)
		if c >= 0 {
			total += len(distinct[c])
		}
	}
	offsets[n] = int32(total)
	dataBuf := newBuffer(mem, total)
	data := dataBuf.Bytes()
	var valBuf *memory.Buffer
	if nulls > 0 {
		valBuf = allValid(mem, n)
	}
	for i, c := range codes {
		if c < 0 {
			bitutil.ClearBit(valBuf.Bytes(), i)
			continue
		}
		copy(data[offsets[i]:], distinct[c])
	}
	return makeArray(arrow.BinaryTypes.String, n, []*memory.Buffer{valBuf, offBuf, dataBuf}, nulls)
}

// contiguous reports whether refs name rows lo, lo+1, ... of one source.
func contiguous(refs []rowRef) (src int, lo int, ok bool) {
	if len(refs) == 0 {
		return 0, 0, false
	}
	first := refs[0]
	for i, r := range refs {
		if r.src != first.src || int(r.row) != int(first.row)+i {
			return 0, 0, false
		}
	}
	return int(first.src), int(first.row), true
}

// canonical reports whether a fixed-width array has the exact type chunks
// hold (a timestamp must say UTC), so it can be shared as is.
func canonical(a arrow.Array) bool {
	if ts, ok := a.DataType().(*arrow.TimestampType); ok {
		return ts.TimeZone == "UTC"
	}
	return true
}

// plainSources returns the byte columns of sources that are all plain
// (not dictionary-encoded) string or binary arrays.
func plainSources(srcs []arrow.Array) ([]byteColumn, bool) {
	out := make([]byteColumn, len(srcs))
	for i, s := range srcs {
		bc, ok := byteColumnOf(s)
		if !ok {
			return nil, false
		}
		out[i] = bc
	}
	return out, true
}

// gatherPlainBytes is gatherBytes over plain sources: offsets are read
// directly, and nulls only looked at when a source has some.
func gatherPlainBytes(mem memory.Allocator, dt arrow.DataType, srcs []arrow.Array, bcs []byteColumn, refs []rowRef) arrow.Array {
	n := len(refs)
	offBuf := newBuffer(mem, (n+1)*4)
	offsets := castBuffer[int32](offBuf, n+1)
	total := int32(0)
	for i, r := range refs {
		offsets[i] = total
		o := bcs[r.src].offsets
		total += o[r.row+1] - o[r.row] // a null may own bytes; copying them is harmless
	}
	offsets[n] = total
	dataBuf := newBuffer(mem, int(total))
	data := dataBuf.Bytes()
	for i, r := range refs {
		o := bcs[r.src].offsets
		copy(data[offsets[i]:offsets[i+1]], bcs[r.src].data[o[r.row]:o[r.row+1]])
	}
	validity, nulls := gatherValidity(mem, srcs, refs)
	return makeArray(dt, n, []*memory.Buffer{validity, offBuf, dataBuf}, nulls)
}

// codePlain codes the rows of plain (not dictionary-encoded) sources,
// reading offsets directly; it writes -1 for NULL and returns the count of
// NULLs.
func codePlain(bcs []byteColumn, srcs []arrow.Array, refs []rowRef, codes []int32, code func(string) int32) int {
	vs := make([]validity, len(srcs))
	hasNulls := false
	for i, s := range srcs {
		vs[i] = validityOf(s)
		hasNulls = hasNulls || vs[i].bits != nil
	}
	nulls := 0
	for i, r := range refs {
		if hasNulls && !vs[r.src].valid(int(r.row)) {
			codes[i], nulls = -1, nulls+1
			continue
		}
		codes[i] = code(bcs[r.src].at(int(r.row)))
	}
	return nulls
}
