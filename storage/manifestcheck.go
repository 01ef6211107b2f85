package storage

import (
	"math"
)

// A manifest is checked whole before any chunk is decoded, so that a chunk
// is only ever decoded against a table definition and metadata known to be
// consistent. What the manifest cannot show alone (that rows match the
// history) is checked once the chunks are in (restorer.checkRows).

// chunkSlot is one chunk the manifest lists: where it goes, what it must
// be, and where its bytes are.
type chunkSlot struct {
	table    *tableState
	meta     chunkMeta
	dst      **Chunk   // its place in table.parts
	external *ChunkSum // nil: inline
}

// maxManifestChunkRows bounds chunk_rows: gathers index rows with int32.
const maxManifestChunkRows = math.MaxInt32

// plan checks m and returns the skeleton state (every chunk place still
// nil) and the chunk slots, in stream order.
func (m *manifest) plan() (*state, []chunkSlot, error) {
	if m.ChunkRows < 1 || m.ChunkRows > maxManifestChunkRows {
		return nil, nil, corruptf("manifest: chunk_rows %d", m.ChunkRows)
	}
	st := &state{applied: m.Applied, tables: make(map[string]*tableState, len(m.Tables))}
	ids := map[ChunkID]bool{}
	created := map[uint64]string{}
	var slots []chunkSlot
	for i := range m.Tables {
		mt := &m.Tables[i]
		t, err := m.planTable(mt, ids, &slots)
		if err != nil {
			return nil, nil, err
		}
		if _, dup := st.tables[t.def.Name]; dup {
			return nil, nil, corruptf("manifest: table %q appears twice", t.def.Name)
		}
		if other, dup := created[t.created]; dup {
			return nil, nil, corruptf("manifest: tables %q and %q both created at version %d", other, t.def.Name, t.created)
		}
		created[t.created] = t.def.Name
		st.tables[t.def.Name] = t
	}
	return st, slots, nil
}

func (m *manifest) planTable(mt *manifestTable, ids map[ChunkID]bool, slots *[]chunkSlot) (*tableState, error) {
	def, err := mt.Def.tableDef().normalize()
	if err != nil {
		return nil, corruptf("manifest: table %q: %v", mt.Def.Name, err)
	}
	if def.Buckets != mt.Def.Buckets {
		return nil, corruptf("manifest: table %q: %d buckets is not a normalized definition", def.Name, mt.Def.Buckets)
	}
	if mt.Created == 0 || mt.Created > m.Applied {
		return nil, corruptf("manifest: table %q created at version %d, applied %d", def.Name, mt.Created, m.Applied)
	}
	t := &tableState{def: def, created: mt.Created}
	if t.history, err = m.checkHistory(mt, def.Name); err != nil {
		return nil, err
	}
	if t.rollbacks, err = checkRollbacks(mt, t.history); err != nil {
		return nil, err
	}
	if len(mt.Partitions) != def.Buckets {
		return nil, corruptf("manifest: table %q has %d partitions, %d buckets", def.Name, len(mt.Partitions), def.Buckets)
	}
	t.parts = make([]partition, def.Buckets)
	for pi := range mt.Partitions {
		if err := m.planPartition(t, pi, &mt.Partitions[pi], ids, slots); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// checkHistory checks that versions ascend from the creation and that each
// entry is well formed.
func (m *manifest) checkHistory(mt *manifestTable, name string) ([]VersionInfo, error) {
	if len(mt.History) == 0 || mt.History[0].Version != mt.Created || mt.History[0].Kind != VersionCreate.String() {
		return nil, corruptf("manifest: table %q: history does not start with its creation at %d", name, mt.Created)
	}
	out := make([]VersionInfo, len(mt.History))
	for i, h := range mt.History {
		kind, ok := parseVersionKind(h.Kind)
		bad := !ok || h.Version > m.Applied || (i > 0 && h.Version <= out[i-1].Version)
		switch kind {
		case VersionCreate:
			bad = bad || i > 0 || h.Rows != 0 || h.To != 0
		case VersionWrite:
			bad = bad || h.Rows <= 0 || h.To != 0
		case VersionRollback:
			bad = bad || h.Rows != 0 || h.To >= h.Version
		}
		if bad {
			return nil, corruptf("manifest: table %q: history entry %d (%+v)", name, i+1, h)
		}
		out[i] = VersionInfo{Version: h.Version, Kind: kind, Rows: h.Rows, To: h.To}
	}
	return out, nil
}

// checkRollbacks checks that the rollbacks are exactly the history's.
func checkRollbacks(mt *manifestTable, history []VersionInfo) ([]rollbackRecord, error) {
	var out []rollbackRecord
	for _, h := range history {
		if h.Kind == VersionRollback {
			out = append(out, rollbackRecord{at: h.Version, to: h.To})
		}
	}
	if len(out) != len(mt.Rollbacks) {
		return nil, corruptf("manifest: table %q: %d rollbacks, its history has %d", mt.Def.Name, len(mt.Rollbacks), len(out))
	}
	for i, r := range mt.Rollbacks {
		if out[i] != (rollbackRecord{at: r.At, to: r.To}) {
			return nil, corruptf("manifest: table %q: rollback %d (%+v) is not in its history", mt.Def.Name, i+1, r)
		}
	}
	return out, nil
}

func (m *manifest) planPartition(t *tableState, pi int, mp *manifestPartition, ids map[ChunkID]bool, slots *[]chunkSlot) error {
	p := &t.parts[pi]
	p.nextSeq = mp.NextSeq
	p.sealed = make([]*Chunk, len(mp.Sealed))
	p.pieces = make([]*Chunk, len(mp.Pieces))
	for i := range mp.Sealed {
		slot, err := m.planChunk(t, pi, &mp.Sealed[i], true, ids)
		if err != nil {
			return err
		}
		slot.dst = &p.sealed[i]
		*slots = append(*slots, slot)
	}
	for i := range mp.Pieces {
		slot, err := m.planChunk(t, pi, &mp.Pieces[i], false, ids)
		if err != nil {
			return err
		}
		slot.dst = &p.pieces[i]
		p.pieceRows += mp.Pieces[i].Rows
		*slots = append(*slots, slot)
	}
	if p.pieceRows >= m.ChunkRows {
		return corruptf("manifest: table %q partition %d: %d buffered rows, chunk_rows %d", t.def.Name, pi, p.pieceRows, m.ChunkRows)
	}
	return nil
}

func (m *manifest) planChunk(t *tableState, pi int, mc *manifestChunk, sealed bool, ids map[ChunkID]bool) (chunkSlot, error) {
	id, err := ParseChunkID(mc.ID)
	if err != nil {
		return chunkSlot{}, corruptf("manifest: table %q partition %d: %v", t.def.Name, pi, err)
	}
	bad := func(what string) (chunkSlot, error) {
		return chunkSlot{}, corruptf("manifest: table %q partition %d: chunk %s: %s", t.def.Name, pi, id, what)
	}
	switch {
	case id.Table != t.created || id.Partition != uint32(pi):
		return bad("ID does not belong to this table and partition")
	case id.Seq >= t.parts[pi].nextSeq:
		return bad("sequence number not below the partition's next one")
	case ids[id]:
		return bad("ID appears twice")
	case sealed && mc.Rows != m.ChunkRows:
		return bad("sealed chunk not of chunk_rows rows")
	case mc.Rows < 1 || mc.Rows >= m.ChunkRows && !sealed:
		return bad("row count out of range")
	case mc.MinVersion > mc.MaxVersion || mc.MaxVersion > m.Applied:
		return bad("version bounds out of range")
	case mc.External != nil && mc.External.Len == 0:
		return bad("external chunk of 0 bytes")
	}
	ids[id] = true
	meta := chunkMeta{ID: id, Rows: mc.Rows, MinVersion: mc.MinVersion, MaxVersion: mc.MaxVersion, Sealed: sealed, Sorted: mc.Sorted}
	return chunkSlot{table: t, meta: meta, external: mc.External}, nil
}
