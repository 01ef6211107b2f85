package storage

import (
	"fmt"
	"slices"
	"sort"
	"sync/atomic"
)

// Snapshot is an immutable, consistent view of some tables at one version.
// Taking one costs a retain per chunk; writers never wait for it and it
// never sees part of a mutation. Release it when done: it keeps its chunks'
// memory alive.
type Snapshot struct {
	version  uint64
	tables   map[string]*TableSnapshot
	released atomic.Bool
}

// TableSnapshot is one table inside a Snapshot.
type TableSnapshot struct {
	def     *TableDef
	created uint64
	version uint64
	ranges  []VersionRange
	chunks  []ChunkRef
}

// ChunkRef is a chunk that holds rows visible in a TableSnapshot.
type ChunkRef struct {
	Chunk     *Chunk
	Partition int
}

// Visibility says which rows of a chunk a read sees.
type Visibility uint8

const (
	VisibleNone Visibility = iota
	VisibleAll
	VisibleSome // use TableSnapshot.VisibleRows
)

// Snapshot returns a view of the named tables (all tables when none is
// named) at version v, or at the latest applied version when v is Latest.
// A version above the applied one is ErrFutureVersion; a named table that
// does not exist at v is ErrNoTable.
func (s *Store) Snapshot(v uint64, tables ...string) (*Snapshot, error) {
	s.stateMu.RLock()
	defer s.stateMu.RUnlock()
	if s.closed {
		return nil, ErrClosed
	}
	st := s.cur
	if v == Latest {
		v = st.applied
	}
	if v > st.applied {
		return nil, fmt.Errorf("%w: version %d, applied %d", ErrFutureVersion, v, st.applied)
	}
	snap := &Snapshot{version: v, tables: map[string]*TableSnapshot{}}
	if len(tables) == 0 {
		for name, t := range st.tables {
			if t.created <= v {
				snap.tables[name] = newTableSnapshot(t, v)
			}
		}
		return snap, nil
	}
	for _, name := range tables {
		if _, done := snap.tables[name]; done {
			continue
		}
		t, ok := st.tables[name]
		if !ok || t.created > v {
			snap.Release()
			return nil, fmt.Errorf("%w: %q at version %d", ErrNoTable, name, v)
		}
		snap.tables[name] = newTableSnapshot(t, v)
	}
	return snap, nil
}

func newTableSnapshot(t *tableState, v uint64) *TableSnapshot {
	ts := &TableSnapshot{def: &t.def, created: t.created, version: v, ranges: t.visibleRanges(v)}
	t.chunks(func(part int, c *Chunk) {
		if ts.Visibility(c) != VisibleNone {
			c.Retain()
			ts.chunks = append(ts.chunks, ChunkRef{Chunk: c, Partition: part})
		}
	})
	return ts
}

// Version is the version the snapshot reads at.
func (s *Snapshot) Version() uint64 { return s.version }

// Table returns a table of the snapshot, or ErrNoTable.
func (s *Snapshot) Table(name string) (*TableSnapshot, error) {
	t, ok := s.tables[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q at version %d", ErrNoTable, name, s.version)
	}
	return t, nil
}

// Tables returns the names of the snapshot's tables, sorted.
func (s *Snapshot) Tables() []string {
	names := make([]string, 0, len(s.tables))
	for n := range s.tables {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Release lets go of the snapshot's chunks. It is safe to call twice.
func (s *Snapshot) Release() {
	if s.released.Swap(true) {
		return
	}
	for _, t := range s.tables {
		for _, c := range t.chunks {
			c.Chunk.Release()
		}
	}
}

// Def returns the table's definition. Do not modify it.
func (t *TableSnapshot) Def() *TableDef { return t.def }

// Version is the version the table is read at.
func (t *TableSnapshot) Version() uint64 { return t.version }

// CreatedAt is the version that created the table.
func (t *TableSnapshot) CreatedAt() uint64 { return t.created }

// Chunks returns the chunks holding visible rows, partition by partition.
// Do not modify the slice.
func (t *TableSnapshot) Chunks() []ChunkRef { return t.chunks }

// Ranges returns the row versions this read sees, ascending.
func (t *TableSnapshot) Ranges() []VersionRange { return t.ranges }

// Visibility says whether a read of this snapshot sees all, none or some of
// c's rows, from the chunk's version bounds alone.
func (t *TableSnapshot) Visibility(c *Chunk) Visibility {
	i := sort.Search(len(t.ranges), func(i int) bool { return t.ranges[i].Hi >= c.minV })
	if i == len(t.ranges) {
		return VisibleNone
	}
	r := t.ranges[i]
	switch {
	case r.Lo <= c.minV && c.maxV <= r.Hi:
		return VisibleAll
	case r.Lo > c.maxV:
		// Earlier ranges end before the chunk starts, r and later ones
		// start after it ends.
		return VisibleNone
	}
	return VisibleSome
}

// VisibleRows appends to dst the positions of c's rows this read sees.
func (t *TableSnapshot) VisibleRows(c *Chunk, dst []int32) []int32 {
	if c.versions == nil {
		if inRanges(t.ranges, c.minV) {
			for i := range c.Rows() {
				dst = append(dst, int32(i))
			}
		}
		return dst
	}
	if len(t.ranges) == 1 {
		lo, hi := t.ranges[0].Lo, t.ranges[0].Hi
		for i, v := range c.versions {
			if lo <= v && v <= hi {
				dst = append(dst, int32(i))
			}
		}
		return dst
	}
	for i, v := range c.versions {
		if inRanges(t.ranges, v) {
			dst = append(dst, int32(i))
		}
	}
	return dst
}
