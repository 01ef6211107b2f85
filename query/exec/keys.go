package exec

import (
	"math"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/stratadb/strata/storage"
)

// keyDict gives every distinct value of one key column a dense id, in
// order of first appearance. NULL is a value like any other (one group).
// Strings alias chunk memory: a keyDict must not outlive the query's
// snapshot (results copy what they keep).
type keyDict struct {
	typ    storage.ColumnType
	nullID int32
	ints   map[int64]int32
	flts   map[uint64]int32
	strs   map[string]int32
	vals   []keyValue
	bytes  int64
}

type keyValue struct {
	null bool
	i    int64
	f    float64
	s    string
}

func newKeyDict(t storage.ColumnType) *keyDict {
	d := &keyDict{typ: t, nullID: -1}
	switch {
	case t == storage.TypeFloat64:
		d.flts = map[uint64]int32{}
	case t == storage.TypeString || t == storage.TypeBinary:
		d.strs = map[string]int32{}
	default:
		d.ints = map[int64]int32{}
	}
	return d
}

// keyEntryBytes approximates a map entry plus its value slot.
const keyEntryBytes = 64

func (d *keyDict) len() int { return len(d.vals) }

func (d *keyDict) add(v keyValue) int32 {
	id := int32(len(d.vals))
	d.vals = append(d.vals, v)
	d.bytes += keyEntryBytes + int64(len(v.s))
	return id
}

func (d *keyDict) null() int32 {
	if d.nullID < 0 {
		d.nullID = d.add(keyValue{null: true})
	}
	return d.nullID
}

func (d *keyDict) int(v int64) int32 {
	id, ok := d.ints[v]
	if !ok {
		id = d.add(keyValue{i: v})
		d.ints[v] = id
	}
	return id
}

// float folds -0 into 0 and every NaN into one key, as GROUP BY does.
func (d *keyDict) float(f float64) int32 {
	f += 0
	bits := math.Float64bits(f)
	if f != f {
		bits = math.Float64bits(math.NaN())
	}
	id, ok := d.flts[bits]
	if !ok {
		id = d.add(keyValue{f: f})
		d.flts[bits] = id
	}
	return id
}

func (d *keyDict) str(s string) int32 {
	id, ok := d.strs[s]
	if !ok {
		id = d.add(keyValue{s: s})
		d.strs[s] = id
	}
	return id
}

// value returns the id of a stored value in d (used to translate ids
// between dictionaries).
func (d *keyDict) value(v keyValue) int32 {
	switch {
	case v.null:
		return d.null()
	case d.flts != nil:
		return d.float(v.f)
	case d.strs != nil:
		return d.str(v.s)
	}
	return d.int(v.i)
}

// idsOfVector assigns ids to every slot of v.
func (d *keyDict) idsOfVector(v *vector, out []int32) {
	n := len(out)
	switch {
	case v.cnst:
		id := d.slotID(v, 0)
		for k := range out {
			out[k] = id
		}
	case v.codes != nil:
		d.idsOfCodes(v, out)
	case v.ints != nil:
		var last int64
		lastID := int32(-1)
		for k := 0; k < n; k++ {
			if v.nulls != nil && v.nulls[k] {
				out[k] = d.null()
				continue
			}
			// Sorted chunks repeat keys in runs: skip the map then.
			if x := v.ints[k]; lastID < 0 || x != last {
				last, lastID = x, d.int(x)
			}
			out[k] = lastID
		}
	default:
		for k := 0; k < n; k++ {
			out[k] = d.slotID(v, k)
		}
	}
}

// idsOfInt32 assigns ids to the view sel of a 32-bit column read in its
// stored width (widening it to a vector first would copy every row).
func (d *keyDict) idsOfInt32(a arrow.Array, vals []int32, sel []int32, out []int32) {
	nulls := a.NullN() > 0
	var last int32
	lastID := int32(-1)
	if sel == nil && !nulls {
		for k, x := range vals[:len(out)] {
			if lastID < 0 || x != last {
				last, lastID = x, d.int(int64(x))
			}
			out[k] = lastID
		}
		return
	}
	for k := range out {
		r := row(sel, k)
		if nulls && a.IsNull(r) {
			out[k] = d.null()
			continue
		}
		// Sorted chunks repeat keys in runs: skip the map then.
		if x := vals[r]; lastID < 0 || x != last {
			last, lastID = x, d.int(int64(x))
		}
		out[k] = lastID
	}
}

// int32Values returns the values of an int32 or date32 array.
func int32Values(a arrow.Array) ([]int32, bool) {
	switch a := a.(type) {
	case *array.Int32:
		return a.Int32Values(), true
	case *array.Date32:
		ds := a.Date32Values()
		return unsafe.Slice((*int32)(unsafe.SliceData(ds)), len(ds)), true
	}
	return nil, false
}

// idsOfCodes maps a dictionary-backed string vector to ids, looking each
// dictionary entry up once, on first use.
func (d *keyDict) idsOfCodes(v *vector, out []int32) {
	remap := make([]int32, len(v.dict))
	for i := range remap {
		remap[i] = -1
	}
	for k, c := range v.codes[:len(out)] {
		if v.nulls != nil && v.nulls[k] {
			out[k] = d.null()
			continue
		}
		id := remap[c]
		if id < 0 {
			id = d.str(v.dict[c])
			remap[c] = id
		}
		out[k] = id
	}
}

func (d *keyDict) slotID(v *vector, k int) int32 {
	if v.isNull(k) {
		return d.null()
	}
	j := v.at(k)
	switch {
	case v.ints != nil:
		return d.int(v.ints[j])
	case v.flts != nil:
		return d.float(v.flts[j])
	case v.strs != nil:
		return d.str(v.strs[j])
	}
	return d.int(b2i(v.bools[j]))
}

// idsOfDictionary assigns ids to the view's rows of a dictionary-encoded
// string column, looking each dictionary entry up once.
func (d *keyDict) idsOfDictionary(b *batch, a *array.Dictionary, out []int32) {
	switch idx := a.Indices().(type) {
	case *array.Uint8:
		dictionaryIDs(d, b, a, idx.Uint8Values(), out)
	case *array.Uint16:
		dictionaryIDs(d, b, a, idx.Uint16Values(), out)
	case *array.Int32:
		dictionaryIDs(d, b, a, idx.Int32Values(), out)
	default:
		dictionaryIDs(d, b, a, dictCodes(a), out)
	}
}

// dictionaryIDs is idsOfDictionary over the codes in their stored width.
func dictionaryIDs[T code](d *keyDict, b *batch, a *array.Dictionary, codes []T, out []int32) {
	dict := stringsOf(a.Dictionary(), nil)
	remap := make([]int32, len(dict))
	// Entries get ids lazily, on first use by a row of the view: the
	// dictionary covers the whole chunk, and an entry no row of the view
	// uses must not become a group.
	for i := range remap {
		remap[i] = -1
	}
	nulls := a.NullN() > 0
	for k := range out {
		r := row(b.sel, k)
		if nulls && a.IsNull(r) {
			out[k] = d.null()
			continue
		}
		c := codes[r]
		id := remap[c]
		if id < 0 {
			id = d.str(dict[c])
			remap[c] = id
		}
		out[k] = id
	}
}
