package storage

import (
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// partition is one bucket of a table, as of one state. Values are copied on
// write; slices may share backing arrays with earlier states only where they
// are append-only (sealed), which is safe because a single writer appends
// and earlier states never look past their own length.
type partition struct {
	sealed    []*Chunk // full, sorted chunks, in the order they were sealed
	pieces    []*Chunk // the write buffer, oldest first
	pieceRows int
	nextSeq   uint64 // next ChunkID.Seq
}

// rows counts every row the partition holds, visible or not.
func (p *partition) rows() int {
	n := p.pieceRows
	for _, c := range p.sealed {
		n += c.Rows()
	}
	return n
}

// chunkBuilder carries what building chunks for one mutation needs, and
// remembers the chunks it retired so the store releases them only after the
// new state is published.
type chunkBuilder struct {
	mem       memory.Allocator
	chunkRows int
	def       *TableDef
	tableID   uint64
	version   uint64
	retired   []*Chunk
}

// appendRows adds rows of cols (table order; rows nil means all) to p at
// b.version and returns the new partition. Sealing and merging depend only
// on row counts, so every replica makes the same chunks.
func (b *chunkBuilder) appendRows(p partition, part uint32, cols []arrow.Array, rows []int32, n int) partition {
	if n == 0 {
		return p
	}
	p.pieces = slices.Clone(p.pieces)
	if p.pieceRows+n >= b.chunkRows {
		return b.seal(p, part, cols, rows, n)
	}
	piece := b.buildPiece(&p, part, cols, rows, n)
	p.pieces = append(p.pieces, piece)
	p.pieceRows += n
	for len(p.pieces) >= 2 {
		prev, last := p.pieces[len(p.pieces)-2].Rows(), p.pieces[len(p.pieces)-1].Rows()
		if prev > last || prev >= mergedPieceRows {
			break
		}
		p = b.mergeLastPieces(p, part)
	}
	return p
}

// mergedPieceRows is the size at which write-buffer pieces stop merging.
// Small pieces merge like a binary counter, so a stream of one-row writes
// leaves O(log n) pieces; pieces of this size are left alone until the seal,
// so a row is copied about twice (piece, seal) instead of once per merge.
// A partition then holds at most ChunkRows/mergedPieceRows + 11 pieces.
const mergedPieceRows = 2048

func (b *chunkBuilder) nextID(p *partition, part uint32) ChunkID {
	id := ChunkID{Table: b.tableID, Partition: part, Seq: p.nextSeq}
	p.nextSeq++
	return id
}

// buildPiece keeps the caller's arrays when they are already in a form the
// engine reads (no copy), and gathers them otherwise.
func (b *chunkBuilder) buildPiece(p *partition, part uint32, cols []arrow.Array, rows []int32, n int) *Chunk {
	id := b.nextID(p, part)
	if rows == nil && sharable(cols) {
		for _, c := range cols {
			c.Retain()
		}
		rec := array.NewRecordBatch(recordSchema(b.def, cols), cols, int64(n))
		for _, c := range cols {
			c.Release()
		}
		return newConstChunk(id, rec, b.version, false, false)
	}
	src := array.NewRecordBatch(recordSchema(b.def, cols), cols, int64(n))
	defer src.Release()
	refs := make([]rowRef, n)
	for i := range refs {
		refs[i] = rowRef{0, int32(i)}
		if rows != nil {
			refs[i].row = rows[i]
		}
	}
	rec := b.gather([]arrow.RecordBatch{src}, refs, true)
	return newConstChunk(id, rec, b.version, false, false)
}

func (b *chunkBuilder) mergeLastPieces(p partition, part uint32) partition {
	k := len(p.pieces)
	a, c := p.pieces[k-2], p.pieces[k-1]
	srcs := []arrow.RecordBatch{a.Record(), c.Record()}
	refs := concatRefs(srcs, 0)
	rec := b.gather(srcs, refs, true)
	merged := newChunk(b.nextID(&p, part), rec, gatherVersions([]*Chunk{a, c}, refs), false, false)
	b.retired = append(b.retired, a, c)
	p.pieces = append(p.pieces[:k-2], merged)
	return p
}

// seal merges the write buffer with the new rows, sorts them by the sort
// key and cuts full chunks of chunkRows rows. A remainder stays in the
// buffer as one (sorted) piece.
func (b *chunkBuilder) seal(p partition, part uint32, cols []arrow.Array, rows []int32, n int) partition {
	srcs := make([]arrow.RecordBatch, 0, len(p.pieces)+1)
	owners := make([]*Chunk, 0, len(p.pieces)+1)
	for _, c := range p.pieces {
		srcs = append(srcs, c.Record())
		owners = append(owners, c)
	}
	refs := concatRefs(srcs, n)
	input := array.NewRecordBatch(recordSchema(b.def, cols), cols, int64(n))
	defer input.Release()
	srcs = append(srcs, input)
	owners = append(owners, nil) // nil: rows at b.version
	for i := 0; i < n; i++ {
		row := int32(i)
		if rows != nil {
			row = rows[i]
		}
		refs = append(refs, rowRef{int32(len(srcs) - 1), row})
	}
	sortRefs(b.def, srcs, refs)
	sorted := len(b.def.SortKey) > 0
	b.retired = append(b.retired, p.pieces...)
	p.pieces, p.pieceRows = p.pieces[:0], 0
	for len(refs) > 0 {
		cut := min(len(refs), b.chunkRows)
		slice := refs[:cut]
		refs = refs[cut:]
		full := cut == b.chunkRows
		rec := b.gather(srcs, slice, true)
		var c *Chunk
		if vs := b.versionsOf(owners, slice); vs != nil {
			c = newChunk(b.nextID(&p, part), rec, vs, full, sorted)
		} else {
			c = newConstChunk(b.nextID(&p, part), rec, b.version, full, sorted)
		}
		if full {
			p.sealed = append(p.sealed, c)
		} else {
			p.pieces = append(p.pieces, c)
			p.pieceRows = c.Rows()
		}
	}
	return p
}

// concatRefs lists every row of srcs in order, with room for extra more.
func concatRefs(srcs []arrow.RecordBatch, extra int) []rowRef {
	n := extra
	for _, s := range srcs {
		n += int(s.NumRows())
	}
	refs := make([]rowRef, 0, n)
	for si, s := range srcs {
		for r := 0; r < int(s.NumRows()); r++ {
			refs = append(refs, rowRef{int32(si), int32(r)})
		}
	}
	return refs
}

// gather builds a record of the table's columns from the rows refs name.
// Strings are dictionary-encoded where it pays, in pieces as in sealed
// chunks: queries then group and filter them per dictionary entry, and a
// seal of encoded pieces remaps entries instead of hashing every row.
func (b *chunkBuilder) gather(srcs []arrow.RecordBatch, refs []rowRef, encodeStrings bool) arrow.RecordBatch {
	cols := make([]arrow.Array, len(b.def.Columns))
	col := make([]arrow.Array, len(srcs))
	src, lo, run := contiguous(refs)
	if !run {
		src = -1
	}
	for ci, c := range b.def.Columns {
		for si, s := range srcs {
			col[si] = s.Column(ci)
		}
		cols[ci] = gatherColumnRun(b.mem, c.Type, col, refs, encodeStrings, src, lo)
	}
	rec := array.NewRecordBatch(recordSchema(b.def, cols), cols, int64(len(refs)))
	for _, c := range cols {
		c.Release()
	}
	return rec
}

// gatherVersions returns the version of every gathered row.
func gatherVersions(owners []*Chunk, refs []rowRef) []uint64 {
	vs := make([]uint64, len(refs))
	for i, r := range refs {
		vs[i] = owners[r.src].Version(int(r.row))
	}
	return vs
}

// versionsOf is gatherVersions where a nil owner stands for new rows at
// b.version. It returns nil when every row is at b.version, the common
// case of a seal that takes only new rows.
func (b *chunkBuilder) versionsOf(owners []*Chunk, refs []rowRef) []uint64 {
	mixed := false
	for _, r := range refs {
		if o := owners[r.src]; o != nil && (o.minV != b.version || o.maxV != b.version) {
			mixed = true
			break
		}
	}
	if !mixed {
		return nil
	}
	vs := make([]uint64, len(refs))
	for i, r := range refs {
		if o := owners[r.src]; o != nil {
			vs[i] = o.Version(int(r.row))
		} else {
			vs[i] = b.version
		}
	}
	return vs
}

// recordSchema is the schema of a chunk record: the table's columns with
// the Arrow types the arrays actually have (a string column may be plain in
// one chunk and dictionary-encoded in the next).
func recordSchema(def *TableDef, cols []arrow.Array) *arrow.Schema {
	fields := make([]arrow.Field, len(def.Columns))
	for i, c := range def.Columns {
		fields[i] = arrow.Field{Name: c.Name, Type: cols[i].DataType(), Nullable: c.Nullable}
	}
	return arrow.NewSchema(fields, nil)
}

// holdable reports whether an array is in a form chunks hold: the column
// type's canonical Arrow type (timestamps in UTC), or a string dictionary
// with uint8, uint16 or int32 indices and no null entries.
func holdable(a arrow.Array) bool {
	switch dt := a.DataType().(type) {
	case *arrow.DictionaryType:
		d := a.(*array.Dictionary)
		return isChunkIndexType(dt.IndexType) && d.Dictionary().NullN() == 0
	case *arrow.TimestampType:
		return dt.TimeZone == "UTC"
	}
	return true
}

// sharable reports whether a batch's arrays can become a piece as they
// are, without a copy: holdable and not dictionary-encoded. A client's
// dictionary is always re-encoded (cheaply, per entry), because a chunk's
// dictionary must hold exactly the values its rows use.
func sharable(cols []arrow.Array) bool {
	for _, c := range cols {
		if _, isDict := c.(*array.Dictionary); isDict || !holdable(c) {
			return false
		}
	}
	return true
}
