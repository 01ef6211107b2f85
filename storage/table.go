package storage

import (
	"slices"
	"sort"
)

// VersionKind says what a version did to a table.
type VersionKind uint8

const (
	VersionCreate   VersionKind = iota + 1 // the table was created
	VersionWrite                           // rows were appended
	VersionRollback                        // the table was rolled back
)

func (k VersionKind) String() string {
	switch k {
	case VersionCreate:
		return "create"
	case VersionWrite:
		return "write"
	case VersionRollback:
		return "rollback"
	}
	return "unknown"
}

// VersionInfo is one entry of a table's history.
type VersionInfo struct {
	Version uint64
	Kind    VersionKind
	Rows    int64  // rows written (VersionWrite)
	To      uint64 // target version (VersionRollback)
}

// VersionRange is an inclusive range of row versions.
type VersionRange struct{ Lo, Hi uint64 }

type rollbackRecord struct{ at, to uint64 }

// tableState is a table as of one store state. It is never modified once
// published: a mutation works on a copy (cloneForWrite).
type tableState struct {
	def       TableDef
	created   uint64
	parts     []partition
	rollbacks []rollbackRecord // ascending by at; append-only
	history   []VersionInfo    // ascending by version; append-only
}

func (t *tableState) cloneForWrite() *tableState {
	c := *t
	c.parts = slices.Clone(t.parts)
	return &c
}

// visibleRanges returns, ascending, the row versions a read at v sees. A
// rollback applied at r to version t makes a read at v >= r see what a read
// at t saw plus what was written after r; unrolled, that is a list of
// ranges, each rollback adding at most one.
func (t *tableState) visibleRanges(v uint64) []VersionRange {
	var out []VersionRange
	hi := v
	for {
		i := sort.Search(len(t.rollbacks), func(i int) bool { return t.rollbacks[i].at > hi }) - 1
		if i < 0 {
			out = append(out, VersionRange{0, hi})
			break
		}
		r := t.rollbacks[i]
		if r.at < hi {
			out = append(out, VersionRange{r.at + 1, hi})
		}
		hi = r.to
	}
	slices.Reverse(out)
	return out
}

// visibleRows counts the rows a read at v sees, from the history alone.
func (t *tableState) visibleRows(v uint64) int64 {
	ranges := t.visibleRanges(v)
	var n int64
	for _, h := range t.history {
		if h.Kind == VersionWrite && inRanges(ranges, h.Version) {
			n += h.Rows
		}
	}
	return n
}

func inRanges(ranges []VersionRange, v uint64) bool {
	i := sort.Search(len(ranges), func(i int) bool { return ranges[i].Hi >= v })
	return i < len(ranges) && ranges[i].Lo <= v
}

// chunks calls fn for every chunk of the table.
func (t *tableState) chunks(fn func(part int, c *Chunk)) {
	for pi := range t.parts {
		for _, c := range t.parts[pi].sealed {
			fn(pi, c)
		}
		for _, c := range t.parts[pi].pieces {
			fn(pi, c)
		}
	}
}
