//go:build invariants

package storage

import (
	"fmt"
	"reflect"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// invariantsEnabled reports whether this build runs expensive self-checks.
const invariantsEnabled = true

// checkInvariants verifies, after a mutation, every chunk the new state
// holds that the old one did not, and the shape of every partition. A
// failure is a bug in storage, never bad input, so it panics.
func checkInvariants(prev, next *state, chunkRows int) {
	old := map[*Chunk]bool{}
	for _, t := range prev.tables {
		t.chunks(func(_ int, c *Chunk) { old[c] = true })
	}
	for name, t := range next.tables {
		for pi := range t.parts {
			p := &t.parts[pi]
			rows := 0
			for _, c := range p.pieces {
				rows += c.Rows()
			}
			if rows != p.pieceRows || p.pieceRows >= chunkRows {
				panic(fmt.Sprintf("BUG: table %q partition %d: buffer holds %d rows, counted %d (chunk target %d)", name, pi, rows, p.pieceRows, chunkRows))
			}
			for _, c := range p.sealed {
				if c.Rows() != chunkRows || !c.sealed {
					panic(fmt.Sprintf("BUG: table %q partition %d: sealed chunk %s has %d rows", name, pi, c.id, c.Rows()))
				}
			}
		}
		t.chunks(func(part int, c *Chunk) {
			if !old[c] {
				checkChunk(name, &t.def, part, c)
			}
		})
	}
}

func checkChunk(table string, def *TableDef, part int, c *Chunk) {
	fail := func(format string, args ...any) {
		panic(fmt.Sprintf("BUG: table %q chunk %s: %s", table, c.id, fmt.Sprintf(format, args...)))
	}
	if int(c.id.Partition) != part {
		fail("in partition %d, ID says %d", part, c.id.Partition)
	}
	if c.versions != nil && len(c.versions) != c.Rows() {
		fail("%d versions for %d rows", len(c.versions), c.Rows())
	}
	for i := range c.Rows() {
		if v := c.Version(i); v < c.minV || v > c.maxV {
			fail("row %d version %d outside [%d, %d]", i, v, c.minV, c.maxV)
		}
	}
	for ci, col := range c.rec.Columns() {
		if d, ok := col.(*array.Dictionary); ok {
			if err := checkDictionary(d); err != nil {
				fail("column %d: %v", ci, err)
			}
		}
	}
	if got := computeStats(c.rec, c.sealed); !reflect.DeepEqual(got, c.stats) {
		fail("stats %+v, recomputed %+v", c.stats, got)
	}
	if c.sorted {
		srcs := []arrow.RecordBatch{c.rec}
		refs := concatRefs(srcs, 0)
		if sortRefs(def, srcs, refs) {
			fail("claims sort order but is not sorted")
		}
	}
	if len(def.PartitionKey) > 0 {
		cols := c.rec.Columns()
		for b, rows := range bucketRows(def, cols, c.Rows()) {
			if b != part && len(rows) > 0 {
				fail("%d rows hash to bucket %d", len(rows), b)
			}
		}
	}
}
