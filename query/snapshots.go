package query

import (
	"fmt"
	"slices"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// snapshots holds the storage snapshots one query reads: one per version
// it reads at, covering every table scanned at that version.
type snapshots struct {
	def   uint64 // the query's version (storage.Latest before resolution)
	byVer map[uint64]*storage.Snapshot
}

// takeSnapshots snapshots every table the plan scans.
func takeSnapshots(src Source, p plan.Node, version uint64) (*snapshots, error) {
	if version == 0 {
		version = storage.Latest
	}
	want := map[uint64][]string{}
	var walk func(n plan.Node)
	walk = func(n plan.Node) {
		if s, ok := n.(*plan.Scan); ok {
			v := version
			if s.AsOf != 0 {
				v = s.AsOf
			}
			if !slices.Contains(want[v], s.Table) {
				want[v] = append(want[v], s.Table)
			}
		}
		for _, c := range n.Children() {
			if c == nil {
				continue
			}
			walk(c)
		}
	}
	if p == nil {
		return nil, fmt.Errorf("%w: no plan", plan.ErrInvalidPlan)
	}
	walk(p)
	s := &snapshots{def: version, byVer: map[uint64]*storage.Snapshot{}}
	versions := make([]uint64, 0, len(want))
	for v := range want {
		versions = append(versions, v)
	}
	slices.Sort(versions)
	for _, v := range versions {
		snap, err := src.Snapshot(v, want[v]...)
		if err != nil {
			s.release()
			return nil, err
		}
		s.byVer[v] = snap
	}
	return s, nil
}

func (s *snapshots) snapshot(asOf uint64) *storage.Snapshot {
	if asOf == 0 {
		asOf = s.def
	}
	return s.byVer[asOf]
}

// TableDef implements plan.Catalog.
func (s *snapshots) TableDef(name string, asOf uint64) (*storage.TableDef, error) {
	snap := s.snapshot(asOf)
	if snap == nil {
		return nil, fmt.Errorf("%w: %q at version %d", storage.ErrNoTable, name, asOf)
	}
	t, err := snap.Table(name)
	if err != nil {
		return nil, err
	}
	return t.Def(), nil
}

// Table implements exec.Tables.
func (s *snapshots) Table(scan *plan.Scan) (*storage.TableSnapshot, error) {
	snap := s.snapshot(scan.AsOf)
	if snap == nil {
		return nil, fmt.Errorf("%w: %q at version %d", storage.ErrNoTable, scan.Table, scan.AsOf)
	}
	return snap.Table(scan.Table)
}

// defaultVersion is the version the query read at: its own, or the
// lowest AsOf when every scan names one.
func (s *snapshots) defaultVersion() uint64 {
	if snap := s.byVer[s.def]; snap != nil {
		return snap.Version()
	}
	var lowest uint64
	for v, snap := range s.byVer {
		if lowest == 0 || v < lowest {
			lowest = snap.Version()
		}
	}
	return lowest
}

func (s *snapshots) release() {
	for _, snap := range s.byVer {
		snap.Release()
	}
}
