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
