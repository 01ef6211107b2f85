package exec

import (
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/stratadb/strata/storage"
)

// maxDistinctWords bounds the bitsets of count(DISTINCT): 8 MiB of bits,
// beyond which a hash set of (group, value) pairs takes over.
const maxDistinctWords = 1 << 20

// distinctAgg is count(DISTINCT x). Values get dense ids from a keyDict;
// each group marks the ids it has seen in a bitset, which costs a bit per
// (group, value) and no hashing per row. When groups times values grow
// past maxDistinctWords, the marks move to a set of (group, id) pairs.
type distinctAgg struct {
	dict  *keyDict
	ids   []int32
	marks [][]uint64 // per group; nil once set is in use
	words int
	set   map[uint64]struct{}
}

func newDistinctAgg(t storage.ColumnType) *distinctAgg {
	return &distinctAgg{dict: newKeyDict(t)}
}

func (a *distinctAgg) grow(n int) {
	if a.set == nil {
		a.marks = growSlice(a.marks, n)
	}
}

func (a *distinctAgg) update(v *vector, n int, gids []int32) error {
	if v.typ == storage.TypeInvalid {
		return nil
	}
	a.ids = resize(a.ids, v.n)
	a.dict.idsOfVector(v, a.ids)
	nonNull(v, gids, func(k int, g int32) { a.mark(g, a.ids[k]) })
	return nil
}

func (a *distinctAgg) mark(g, id int32) {
	if a.set != nil {
		a.set[uint64(uint32(g))<<32|uint64(uint32(id))] = struct{}{}
		return
	}
	w := int(id) / 64
	m := a.marks[g]
	if w >= len(m) {
		grown := max(w+1, 2*len(m))
		a.words += grown - len(m)
		m = append(m, make([]uint64, grown-len(m))...)
		a.marks[g] = m
		if a.words > maxDistinctWords {
			a.toSet()
			a.mark(g, id)
			return
		}
	}
	m[w] |= 1 << (uint(id) % 64)
}

// toSet moves the marks into the hash set.
func (a *distinctAgg) toSet() {
	set := map[uint64]struct{}{}
	a.each(func(g, id int32) { set[uint64(uint32(g))<<32|uint64(uint32(id))] = struct{}{} })
	a.set, a.marks, a.words = set, nil, 0
}

// each calls fn for every (group, id) marked.
func (a *distinctAgg) each(fn func(g, id int32)) {
	if a.set != nil {
		for key := range a.set {
			fn(int32(key>>32), int32(uint32(key)))
		}
		return
	}
	for g, m := range a.marks {
		for w, word := range m {
			for word != 0 {
				b := bits.TrailingZeros64(word)
				fn(int32(g), int32(w*64+b))
				word &= word - 1
			}
		}
	}
}

func (a *distinctAgg) merge(o aggregator, gmap []int32) {
	b := o.(*distinctAgg)
	trans := make([]int32, b.dict.len())
	for id, v := range b.dict.vals {
		trans[id] = a.dict.value(v)
	}
	b.each(func(g, id int32) {
		dst := gmap[g]
		if a.set == nil {
			a.marks = growSlice(a.marks, int(dst)+1)
		}
		a.mark(dst, trans[id])
	})
}

func (a *distinctAgg) finish(mem memory.Allocator, groups int) (arrow.Array, error) {
	counts := make([]int64, groups)
	if a.set != nil {
		for key := range a.set {
			counts[key>>32]++
		}
	} else {
		for g, m := range a.marks {
			for _, word := range m {
				counts[g] += int64(bits.OnesCount64(word))
			}
		}
	}
	ab := newArrayBuilder(mem, storage.TypeInt64, groups)
	for _, c := range counts {
		ab.append(false, c, 0, "")
	}
	return ab.finish(), nil
}

func (a *distinctAgg) bytes() int64 {
	return a.dict.bytes + int64(8*a.words) + int64(len(a.set))*keyEntryBytes
}
