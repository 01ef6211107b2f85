package storage

import (
	"fmt"
	"slices"
)

// TableInfo describes a table at the latest applied version.
type TableInfo struct {
	Def           TableDef
	CreatedAt     uint64
	Rows          int64 // rows a read at the latest version sees
	StoredRows    int64 // rows held, including rolled-back ones
	SealedChunks  int
	BufferChunks  int // pieces of the write buffers
	BufferedRows  int
	LatestVersion uint64 // last version that changed the table
}

// ListTables returns the names of all tables, sorted.
func (s *Store) ListTables() []string {
	s.stateMu.RLock()
	defer s.stateMu.RUnlock()
	names := make([]string, 0, len(s.cur.tables))
	for n := range s.cur.tables {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// DescribeTable returns a table's definition and size.
func (s *Store) DescribeTable(name string) (TableInfo, error) {
	s.stateMu.RLock()
	defer s.stateMu.RUnlock()
	t, ok := s.cur.tables[name]
	if !ok {
		return TableInfo{}, fmt.Errorf("%w: %q", ErrNoTable, name)
	}
	info := TableInfo{
		Def:           t.def.Clone(),
		CreatedAt:     t.created,
		Rows:          t.visibleRows(s.cur.applied),
		LatestVersion: t.history[len(t.history)-1].Version,
	}
	for _, p := range t.parts {
		info.SealedChunks += len(p.sealed)
		info.BufferChunks += len(p.pieces)
		info.BufferedRows += p.pieceRows
		info.StoredRows += int64(p.rows())
	}
	return info, nil
}

// Versions returns a table's history, oldest first.
func (s *Store) Versions(name string) ([]VersionInfo, error) {
	s.stateMu.RLock()
	defer s.stateMu.RUnlock()
	t, ok := s.cur.tables[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNoTable, name)
	}
	return slices.Clone(t.history), nil
}

// TableDef returns a table's definition as a read at version v sees it
// (v Latest: the latest applied version), with Snapshot's errors but
// without retaining any chunk: planning a query needs only the schema.
func (s *Store) TableDef(name string, v uint64) (TableDef, error) {
	s.stateMu.RLock()
	defer s.stateMu.RUnlock()
	if s.closed {
		return TableDef{}, ErrClosed
	}
	st := s.cur
	if v == Latest {
		v = st.applied
	}
	if v > st.applied {
		return TableDef{}, fmt.Errorf("%w: version %d, applied %d", ErrFutureVersion, v, st.applied)
	}
	t, ok := st.tables[name]
	if !ok || t.created > v {
		return TableDef{}, fmt.Errorf("%w: %q at version %d", ErrNoTable, name, v)
	}
	return t.def.Clone(), nil
}
