package exec

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// groupKey is one compiled GROUP BY expression. A plain string column
// takes the dictionary path (ids per dictionary entry, not per row).
type groupKey struct {
	expr   expr
	strCol int // input column index when the key is a string column, else -1
	// int32Col is the input column index when the key is a 32-bit column
	// (integer, date), read in its stored width; else -1.
	int32Col int
}

// groupTable maps rows to dense group ids for one worker. With one key the
// group id is the key's id; with two, a map over the id pair; with more, a
// map over the ids' bytes.
type groupTable struct {
	keys   []groupKey
	dicts  []*keyDict
	pair   map[uint64]int32
	multi  map[string]int32
	tuples [][]int32 // tuples[k][g]: key k's id in group g (two or more keys)
	// recent caches pair lookups, direct-mapped: a time bucket by a tag
	// touches a few pairs at a time, and a hit skips the map.
	recent *[pairCacheSize]pairEntry
	n      int
	ids    [][]int32 // scratch, per key
}

const (
	pairCacheBits = 8
	pairCacheSize = 1 << pairCacheBits
	// noPair is no pair of ids: ids are non-negative int32s.
	noPair = ^uint64(0)
)

type pairEntry struct {
	key uint64
	gid int32
}

func newGroupTable(keys []groupKey) *groupTable {
	g := &groupTable{keys: keys, dicts: make([]*keyDict, len(keys)), ids: make([][]int32, len(keys))}
	for i, k := range keys {
		g.dicts[i] = newKeyDict(k.expr.typ)
	}
	switch {
	case len(keys) == 2:
		g.pair = map[uint64]int32{}
		g.recent = new([pairCacheSize]pairEntry)
		for i := range g.recent {
			g.recent[i].key = noPair
		}
	case len(keys) > 2:
		g.multi = map[string]int32{}
	}
	if len(keys) >= 2 {
		g.tuples = make([][]int32, len(keys))
	}
	if len(keys) == 0 {
		g.n = 1 // one group, even over no rows
	}
	return g
}

// assign fills gids (one per slot of the view) and returns them.
func (g *groupTable) assign(b *batch, gids []int32) ([]int32, error) {
	gids = resize(gids, b.n)
	for i, k := range g.keys {
		g.ids[i] = resize(g.ids[i], b.n)
		if k.strCol >= 0 {
			if d, ok := b.rec.Column(k.strCol).(*array.Dictionary); ok {
				g.dicts[i].idsOfDictionary(b, d, g.ids[i])
				continue
			}
		}
		if k.int32Col >= 0 && b.cache[k.int32Col] == nil {
			if vals, ok := int32Values(b.rec.Column(k.int32Col)); ok {
				g.dicts[i].idsOfInt32(b.rec.Column(k.int32Col), vals, b.sel, g.ids[i])
				continue
			}
		}
		v, err := k.expr.eval(b)
		if err != nil {
			return nil, err
		}
		g.dicts[i].idsOfVector(v, g.ids[i])
	}
	switch len(g.keys) {
	case 1:
		copy(gids, g.ids[0])
		g.n = g.dicts[0].len()
	case 2:
		// Sorted chunks repeat key pairs in runs: reuse the last group.
		a, b := g.ids[0], g.ids[1]
		for s := range gids {
			if s > 0 && a[s] == a[s-1] && b[s] == b[s-1] {
				gids[s] = gids[s-1]
				continue
			}
			gids[s] = g.group(g.ids, s)
		}
	default:
		for s := range gids {
			gids[s] = g.group(g.ids, s)
		}
	}
	return gids, nil
}

// group finds or adds the group of slot s's key ids.
func (g *groupTable) group(ids [][]int32, s int) int32 {
	var id int32
	var ok bool
	if g.pair != nil {
		key := uint64(uint32(ids[0][s]))<<32 | uint64(uint32(ids[1][s]))
		slot := &g.recent[(key*0x9E3779B97F4A7C15)>>(64-pairCacheBits)]
		if slot.key == key {
			return slot.gid
		}
		if id, ok = g.pair[key]; !ok {
			id = int32(g.n)
			g.pair[key] = id
		}
		slot.key, slot.gid = key, id
	} else {
		buf := make([]int32, len(ids))
		for k := range ids {
			buf[k] = ids[k][s]
		}
		key := unsafe.String((*byte)(unsafe.Pointer(&buf[0])), 4*len(buf))
		if id, ok = g.multi[key]; !ok {
			id = int32(g.n)
			g.multi[key] = id
		}
	}
	if !ok {
		for k := range ids {
			g.tuples[k] = append(g.tuples[k], ids[k][s])
		}
		g.n++
	}
	return id
}

// keyID returns key k's id in group grp.
func (g *groupTable) keyID(k, grp int) int32 {
	if len(g.keys) == 1 {
		return int32(grp)
	}
	return g.tuples[k][grp]
}

// absorb adds other's groups (another worker's table with the same keys)
// and returns, for each of other's groups, its id here.
func (g *groupTable) absorb(o *groupTable) []int32 {
	gmap := make([]int32, o.n)
	if len(g.keys) == 0 {
		return gmap // everything is group 0
	}
	trans := make([][]int32, len(g.keys))
	for k := range g.keys {
		trans[k] = make([]int32, o.dicts[k].len())
		for id, v := range o.dicts[k].vals {
			trans[k][id] = g.dicts[k].value(v)
		}
	}
	if len(g.keys) == 1 {
		copy(gmap, trans[0])
		g.n = g.dicts[0].len()
		return gmap
	}
	ids := make([][]int32, len(g.keys))
	for k := range ids {
		ids[k] = make([]int32, o.n)
		for grp := 0; grp < o.n; grp++ {
			ids[k][grp] = trans[k][o.tuples[k][grp]]
		}
	}
	for grp := 0; grp < o.n; grp++ {
		gmap[grp] = g.group(ids, grp)
	}
	return gmap
}

// bytes approximates the table's memory.
func (g *groupTable) bytes() int64 {
	var n int64
	for _, d := range g.dicts {
		n += d.bytes
	}
	if len(g.keys) >= 2 {
		n += int64(g.n) * int64(keyEntryBytes+4*len(g.keys))
	}
	return n
}

// keyArray builds the output column of key k for groups 0..n-1.
func (g *groupTable) keyArray(b *arrayBuilder, k int) {
	d := g.dicts[k]
	for grp := 0; grp < g.n; grp++ {
		v := d.vals[g.keyID(k, grp)]
		b.append(v.null, v.i, v.f, v.s)
	}
}

func resize(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	return s[:n]
}
