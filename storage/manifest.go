package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// manifest is the metadata frame of an encoded state. It is JSON: it is
// small next to the chunks, and a person can read it. Field names are part
// of the format; a reader rejects fields it does not know, since they would
// mean a format it cannot honour.
type manifest struct {
	Applied   uint64          `json:"applied"`
	ChunkRows int             `json:"chunk_rows"`
	Tables    []manifestTable `json:"tables"` // by name
}

type manifestTable struct {
	Def        manifestDef         `json:"def"`
	Created    uint64              `json:"created"`
	Partitions []manifestPartition `json:"partitions"`
	Rollbacks  []manifestRollback  `json:"rollbacks,omitempty"`
	History    []manifestVersion   `json:"history"`
}

type manifestDef struct {
	Name         string           `json:"name"`
	Columns      []manifestColumn `json:"columns"`
	PartitionKey []string         `json:"partition_key,omitempty"`
	Buckets      int              `json:"buckets"`
	SortKey      []string         `json:"sort_key,omitempty"`
}

type manifestColumn struct {
	Name     string     `json:"name"`
	Type     ColumnType `json:"type"` // numeric: ColumnType values are part of the format
	Nullable bool       `json:"nullable,omitempty"`
}

type manifestPartition struct {
	NextSeq uint64          `json:"next_seq"`
	Sealed  []manifestChunk `json:"sealed,omitempty"` // in sealing order
	Pieces  []manifestChunk `json:"pieces,omitempty"` // the write buffer, oldest first
}

type manifestChunk struct {
	ID         string `json:"id"` // ChunkID.String()
	Rows       int    `json:"rows"`
	MinVersion uint64 `json:"min_version"`
	MaxVersion uint64 `json:"max_version"`
	Sorted     bool   `json:"sorted,omitempty"`
	// External, when set, says the chunk's payload is in the ChunkStore
	// rather than in a chunk frame, and what its bytes must be.
	External *ChunkSum `json:"external,omitempty"`
}

type manifestRollback struct {
	At uint64 `json:"at"`
	To uint64 `json:"to"`
}

type manifestVersion struct {
	Version uint64 `json:"version"`
	Kind    string `json:"kind"` // VersionKind.String()
	Rows    int64  `json:"rows"`
	To      uint64 `json:"to"`
}

// buildManifest describes st. external says whether a chunk goes to the
// chunk store, and with what sum; it is called once per chunk, in order.
func buildManifest(st *state, chunkRows int, external func(*Chunk) (*ChunkSum, error)) (manifest, error) {
	m := manifest{Applied: st.applied, ChunkRows: chunkRows, Tables: []manifestTable{}}
	for _, name := range sortedTableNames(st) {
		mt, err := buildManifestTable(st.tables[name], external)
		if err != nil {
			return manifest{}, err
		}
		m.Tables = append(m.Tables, mt)
	}
	return m, nil
}

func buildManifestTable(t *tableState, external func(*Chunk) (*ChunkSum, error)) (manifestTable, error) {
	mt := manifestTable{Def: toManifestDef(t.def), Created: t.created}
	chunks := func(cs []*Chunk) ([]manifestChunk, error) {
		var out []manifestChunk
		for _, c := range cs {
			ext, err := external(c)
			if err != nil {
				return nil, err
			}
			out = append(out, manifestChunk{ID: c.id.String(), Rows: c.Rows(), MinVersion: c.minV, MaxVersion: c.maxV, Sorted: c.sorted, External: ext})
		}
		return out, nil
	}
	for _, p := range t.parts {
		mp := manifestPartition{NextSeq: p.nextSeq}
		var err error
		if mp.Sealed, err = chunks(p.sealed); err != nil {
			return mt, err
		}
		if mp.Pieces, err = chunks(p.pieces); err != nil {
			return mt, err
		}
		mt.Partitions = append(mt.Partitions, mp)
	}
	for _, r := range t.rollbacks {
		mt.Rollbacks = append(mt.Rollbacks, manifestRollback{At: r.at, To: r.to})
	}
	for _, h := range t.history {
		mt.History = append(mt.History, manifestVersion{Version: h.Version, Kind: h.Kind.String(), Rows: h.Rows, To: h.To})
	}
	return mt, nil
}

func toManifestDef(d TableDef) manifestDef {
	md := manifestDef{Name: d.Name, PartitionKey: d.PartitionKey, Buckets: d.Buckets, SortKey: d.SortKey}
	for _, c := range d.Columns {
		md.Columns = append(md.Columns, manifestColumn(c))
	}
	return md
}

func (md manifestDef) tableDef() TableDef {
	d := TableDef{Name: md.Name, PartitionKey: md.PartitionKey, Buckets: md.Buckets, SortKey: md.SortKey}
	for _, c := range md.Columns {
		d.Columns = append(d.Columns, Column(c))
	}
	return d
}

func encodeManifest(m manifest) ([]byte, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("storage: encode manifest: %w", err)
	}
	return b, nil
}

func decodeManifest(b []byte) (manifest, error) {
	var m manifest
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return manifest{}, corruptf("manifest: %v", err)
	}
	if dec.More() {
		return manifest{}, corruptf("manifest: data after the JSON value")
	}
	return m, nil
}

// ParseChunkID parses the form ChunkID.String returns.
func ParseChunkID(s string) (ChunkID, error) {
	parts := strings.Split(s, "-")
	if len(parts) != 3 || len(parts[0]) != 16 || len(parts[1]) < 4 || len(parts[2]) != 16 {
		return ChunkID{}, fmt.Errorf("storage: malformed chunk ID %q", s)
	}
	table, err1 := strconv.ParseUint(parts[0], 16, 64)
	part, err2 := strconv.ParseUint(parts[1], 16, 32)
	seq, err3 := strconv.ParseUint(parts[2], 16, 64)
	id := ChunkID{Table: table, Partition: uint32(part), Seq: seq}
	if err1 != nil || err2 != nil || err3 != nil || id.String() != s {
		return ChunkID{}, fmt.Errorf("storage: malformed chunk ID %q", s)
	}
	return id, nil
}

func parseVersionKind(s string) (VersionKind, bool) {
	for _, k := range []VersionKind{VersionCreate, VersionWrite, VersionRollback} {
		if k.String() == s {
			return k, true
		}
	}
	return 0, false
}
