package query_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/stratadb/strata/query/internal/refeval"
	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// This file builds the differential test's random worlds: tables with
// random schemas and keys in a store with a small chunk size, a random
// history of writes, rollbacks and no-op versions, and the test's own copy
// of every row and rollback (a refeval.DB) that the reference reads.

var diffTypes = []storage.ColumnType{
	storage.TypeInt64, storage.TypeInt32, storage.TypeFloat64, storage.TypeBool,
	storage.TypeString, storage.TypeBinary, storage.TypeTimestamp, storage.TypeDate,
}

var diffTypeTags = map[storage.ColumnType]string{
	storage.TypeInt64: "i64", storage.TypeInt32: "i32", storage.TypeFloat64: "f64", storage.TypeBool: "b",
	storage.TypeString: "s", storage.TypeBinary: "bin", storage.TypeTimestamp: "ts", storage.TypeDate: "d",
}

// Value domains: small ones so groups and ties repeat, and per column a
// chance of extremes (overflow paths), float specials and long strings.
var (
	diffSmallStrings = []string{"", "a", "b", "ab", "ba", "abc", "zz", "héllo", "A"}
	diffSmallBinary  = []string{"", "\x00", "\x00\x01", "\xff", "a", "ab", "\x7f\x80"}
	diffExtremeInt64 = []int64{math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1, 1 << 62, -(1 << 62)}
	diffExtremeInt32 = []int64{math.MaxInt32, math.MinInt32, math.MaxInt32 - 1}
	diffFloatSpecial = []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1)}
)

// Timestamps span about three years either side of 1970 (so before the
// epoch too), plus a band around time_bucket's default origin in 2000.
const (
	diffDaySpan  = 1100
	diffOrigin2K = 10959 // 2000-01-03 in days
)

// diffColumn is a column and how its values are drawn.
type diffColumn struct {
	storage.Column
	nullP   float64 // chance of NULL (nullable columns)
	wide    bool    // wider value domain (fewer repeats)
	extreme float64 // chance of an extreme value (ints), NaN/±Inf/-0 (floats)
	long    bool    // strings: many distinct long-ish values
	coarse  bool    // timestamps on a minute/hour grid
}

type diffTable struct {
	def   storage.TableDef
	cols  []diffColumn
	model *refeval.Table
}

// diffWorld is one store and its model.
type diffWorld struct {
	seed      uint64
	rng       *rand.Rand
	mem       *memory.CheckedAllocator
	store     *storage.Store
	chunkRows int
	db        *refeval.DB
	tables    []*diffTable
	versions  []uint64 // every applied version, ascending
	marks     []uint64 // versions worth reading at: rollbacks, their targets, neighbours
	log       []string // what was applied, for failure reports
}

func newDiffWorld(t testing.TB, seed uint64) *diffWorld {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	w := &diffWorld{
		seed: seed,
		rng:  rng,
		mem:  memory.NewCheckedAllocator(memory.NewGoAllocator()),
		db:   &refeval.DB{Tables: map[string]*refeval.Table{}},
	}
	w.chunkRows = []int{1, 2, 3, 5, 8, 16, 33, 64}[rng.IntN(8)]
	if rng.IntN(3) == 0 {
		w.chunkRows = 1 + rng.IntN(64)
	}
	w.store = storage.New(storage.Options{Allocator: w.mem, ChunkRows: w.chunkRows})
	w.build(t)
	return w
}

// close releases the store and checks nothing leaked.
func (w *diffWorld) close(t testing.TB) {
	w.store.Close()
	if n := w.mem.CurrentAlloc(); n != 0 {
		t.Errorf("world seed %d: %d bytes still allocated after closing the store and releasing every result", w.seed, n)
	}
	w.mem.AssertSize(t, 0)
}

// freeze copies the model as it is now, for readers while writes go on.
func (w *diffWorld) freeze() *refeval.DB {
	db := &refeval.DB{Applied: w.db.Applied, Tables: map[string]*refeval.Table{}}
	for name, t := range w.db.Tables {
		c := *t
		c.Rows = slices.Clone(t.Rows)
		c.Rollbacks = slices.Clone(t.Rollbacks)
		db.Tables[name] = &c
	}
	return db
}

func (w *diffWorld) nextVersion() uint64 {
	v := w.db.Applied + 1
	if w.rng.IntN(4) == 0 {
		v += uint64(w.rng.IntN(3))
	}
	return v
}

func (w *diffWorld) applied(v uint64, what string) {
	w.db.Applied = v
	w.versions = append(w.versions, v)
	w.log = append(w.log, fmt.Sprintf("v%d %s", v, what))
}

// build creates 1..3 tables and applies a random history.
func (w *diffWorld) build(t testing.TB) {
	nTables := 1 + w.rng.IntN(3)
	if err := w.createTable(); err != nil {
		t.Fatal(err)
	}
	steps := 3 + w.rng.IntN(25)
	for range steps {
		if err := w.step(len(w.tables) < nTables); err != nil {
			t.Fatal(err)
		}
	}
}

// step applies one random mutation: a write, a rollback, a no-op version,
// a rejected write, or (when create is set, sometimes) a new table.
func (w *diffWorld) step(create bool) error {
	switch r := w.rng.IntN(100); {
	case create && r < 12:
		return w.createTable()
	case r < 62:
		return w.applyWrites()
	case r < 78:
		return w.rollback()
	case r < 88:
		v := w.nextVersion()
		if err := w.store.Apply(v, nil); err != nil {
			return fmt.Errorf("world seed %d: no-op apply at %d: %v", w.seed, v, err)
		}
		w.applied(v, "no-op")
		return nil
	case r < 93:
		return w.badApply()
	}
	return w.applyWrites()
}

func (w *diffWorld) createTable() error {
	rng := w.rng
	name := fmt.Sprintf("t%d", len(w.tables))
	n := 1 + rng.IntN(6)
	tb := &diffTable{}
	for i := range n {
		typ := diffTypes[rng.IntN(len(diffTypes))]
		c := diffColumn{Column: storage.Column{Name: fmt.Sprintf("c%d_%s", i, diffTypeTags[typ]), Type: typ, Nullable: rng.IntN(3) > 0}}
		if c.Nullable {
			c.nullP = []float64{0, 0.1, 0.3, 0.6, 1}[rng.IntN(5)]
		}
		c.wide = rng.IntN(4) == 0
		if rng.IntN(4) == 0 {
			c.extreme = []float64{0.02, 0.1, 0.3}[rng.IntN(3)]
		}
		c.long = rng.IntN(4) == 0
		c.coarse = rng.IntN(2) == 0
		tb.cols = append(tb.cols, c)
		tb.def.Columns = append(tb.def.Columns, c.Column)
	}
	tb.def.Name = name
	if rng.IntN(2) == 0 {
		tb.def.PartitionKey = w.someColumns(tb.def.Columns)
		tb.def.Buckets = 1 + rng.IntN(8)
	} else if rng.IntN(2) == 0 {
		tb.def.Buckets = 1
	}
	if rng.IntN(2) == 0 {
		tb.def.SortKey = w.someColumns(tb.def.Columns)
	}
	v := w.nextVersion()
	if err := w.store.CreateTable(v, tb.def); err != nil {
		return fmt.Errorf("world seed %d: create %s: %v", w.seed, name, err)
	}
	tb.model = &refeval.Table{Def: tb.def, Created: v}
	w.db.Tables[name] = tb.model
	w.tables = append(w.tables, tb)
	w.applied(v, "create "+diffDescribeDef(tb.def))
	return nil
}

// someColumns picks 1 or 2 distinct column names.
func (w *diffWorld) someColumns(cols []storage.Column) []string {
	perm := w.rng.Perm(len(cols))
	k := min(len(cols), 1+w.rng.IntN(2))
	out := make([]string, k)
	for i := range k {
		out[i] = cols[perm[i]].Name
	}
	return out
}

func diffDescribeDef(d storage.TableDef) string {
	cols := make([]string, len(d.Columns))
	for i, c := range d.Columns {
		cols[i] = c.Name
		if !c.Nullable {
			cols[i] += " NOT NULL"
		}
	}
	return fmt.Sprintf("%s(%s) partition%v buckets=%d sort%v", d.Name, strings.Join(cols, ", "), d.PartitionKey, d.Buckets, d.SortKey)
}

// batchRows draws a batch size: mostly small, sometimes empty or large.
func (w *diffWorld) batchRows() int {
	switch r := w.rng.IntN(20); {
	case r == 0:
		return 0
	case r < 3:
		return 100 + w.rng.IntN(201)
	case r < 8:
		return 1 + w.rng.IntN(3)
	}
	return 1 + w.rng.IntN(40)
}

// applyWrites applies one to three batches (several tables, sometimes the
// same table twice) in one version.
func (w *diffWorld) applyWrites() error {
	v := w.nextVersion()
	nb := 1
	if w.rng.IntN(3) == 0 {
		nb += 1 + w.rng.IntN(2)
	}
	var batches []storage.TableBatch
	var rows [][][]plan.Value
	var tabs []*diffTable
	var what []string
	for range nb {
		tb := w.tables[w.rng.IntN(len(w.tables))]
		vals := w.rows(tb, w.batchRows())
		rec, model := w.record(tb, vals)
		batches = append(batches, storage.TableBatch{Table: tb.def.Name, Record: rec})
		rows, tabs = append(rows, model), append(tabs, tb)
		what = append(what, fmt.Sprintf("%s+%d", tb.def.Name, len(vals)))
	}
	err := w.store.Apply(v, batches)
	for _, b := range batches {
		b.Record.Release()
	}
	if err != nil {
		return fmt.Errorf("world seed %d: apply at %d: %v", w.seed, v, err)
	}
	for i, tb := range tabs {
		for _, r := range rows[i] {
			tb.model.Rows = append(tb.model.Rows, refeval.Row{Version: v, Values: r})
		}
	}
	w.applied(v, "write "+strings.Join(what, " "))
	return nil
}

// badApply sends a batch with a NULL in a NOT NULL column next to a good
// one: storage must reject both, and the model keeps neither.
func (w *diffWorld) badApply() error {
	tb := w.tables[w.rng.IntN(len(w.tables))]
	ci := slices.IndexFunc(tb.cols, func(c diffColumn) bool { return !c.Nullable })
	if ci < 0 {
		return nil
	}
	good, _ := w.record(tb, w.rows(tb, 1+w.rng.IntN(5)))
	vals := w.rows(tb, 1+w.rng.IntN(5))
	vals[len(vals)-1][ci] = plan.Null()
	bad := w.recordExact(tb, vals)
	v := w.nextVersion()
	err := w.store.Apply(v, []storage.TableBatch{{Table: tb.def.Name, Record: good}, {Table: tb.def.Name, Record: bad}})
	good.Release()
	bad.Release()
	if err == nil {
		return fmt.Errorf("world seed %d: apply at %d of a NULL into NOT NULL column %s succeeded", w.seed, v, tb.cols[ci].Name)
	}
	return nil
}

// rollback rolls a table back to a random earlier version.
func (w *diffWorld) rollback() error {
	tb := w.tables[w.rng.IntN(len(w.tables))]
	to := uint64(0)
	switch r := w.rng.IntN(10); {
	case r < 5 && len(w.versions) > 0:
		to = w.versions[len(w.versions)-1-w.rng.IntN(min(4, len(w.versions)))]
	case r < 8 && len(w.versions) > 0:
		to = w.versions[w.rng.IntN(len(w.versions))]
	case r < 9 && len(w.marks) > 0:
		to = w.marks[w.rng.IntN(len(w.marks))]
	default:
		to = uint64(w.rng.IntN(int(w.db.Applied) + 1))
	}
	to = min(to, w.db.Applied)
	v := w.nextVersion()
	if err := w.store.Rollback(v, tb.def.Name, to); err != nil {
		return fmt.Errorf("world seed %d: rollback %s at %d to %d: %v", w.seed, tb.def.Name, v, to, err)
	}
	tb.model.Rollbacks = append(tb.model.Rollbacks, refeval.Rollback{At: v, To: to})
	w.marks = append(w.marks, v-1, v, v+1, to)
	w.applied(v, fmt.Sprintf("rollback %s to %d", tb.def.Name, to))
	return nil
}

func (w *diffWorld) rows(tb *diffTable, n int) [][]plan.Value {
	out := make([][]plan.Value, n)
	for i := range out {
		row := make([]plan.Value, len(tb.cols))
		for ci, c := range tb.cols {
			row[ci] = w.value(c, c.nullP)
		}
		out[i] = row
	}
	return out
}

// value draws a value of c's domain; NULL with probability nullP.
func (w *diffWorld) value(c diffColumn, nullP float64) plan.Value {
	rng := w.rng
	if nullP > 0 && rng.Float64() < nullP {
		return plan.NullOf(c.Type)
	}
	extreme := c.extreme > 0 && rng.Float64() < c.extreme
	switch c.Type {
	case storage.TypeInt64:
		switch {
		case extreme:
			return plan.Int64(diffExtremeInt64[rng.IntN(len(diffExtremeInt64))])
		case c.wide:
			return plan.Int64(rng.Int64N(2001) - 1000)
		}
		return plan.Int64(rng.Int64N(11) - 5)
	case storage.TypeInt32:
		switch {
		case extreme:
			return plan.Int32(int32(diffExtremeInt32[rng.IntN(len(diffExtremeInt32))]))
		case c.wide:
			return plan.Int32(int32(rng.IntN(2001) - 1000))
		}
		return plan.Int32(int32(rng.IntN(7) - 3))
	case storage.TypeFloat64:
		return plan.Float64(w.float(c, extreme))
	case storage.TypeBool:
		return plan.Bool(rng.IntN(2) == 0)
	case storage.TypeString:
		if c.long && rng.IntN(4) > 0 {
			return plan.String(fmt.Sprintf("long-string-%08x-%s", rng.Uint32(), strings.Repeat("x", rng.IntN(20))))
		}
		return plan.String(diffSmallStrings[rng.IntN(len(diffSmallStrings))])
	case storage.TypeBinary:
		return plan.Binary([]byte(diffSmallBinary[rng.IntN(len(diffSmallBinary))]))
	case storage.TypeTimestamp:
		return plan.TimestampMicros(w.micros(c))
	case storage.TypeDate:
		if c.wide {
			return plan.Date(int32(rng.IntN(2*diffDaySpan+1) - diffDaySpan))
		}
		return plan.Date(int32(rng.IntN(9) - 4 + []int{0, 0, diffOrigin2K, -400}[rng.IntN(4)]))
	}
	panic("BUG: no value for " + c.Type.String())
}

// float: quarters (exact sums in any order) mostly; messy values in wide
// columns; NaN, ±Inf and -0 as extremes.
func (w *diffWorld) float(c diffColumn, extreme bool) float64 {
	rng := w.rng
	switch {
	case extreme:
		return diffFloatSpecial[rng.IntN(len(diffFloatSpecial))]
	case c.wide && rng.IntN(2) == 0:
		return math.Round(rng.NormFloat64()*1e6) / 1e3
	case c.wide:
		return float64(rng.IntN(801)-400) / 4
	}
	return float64(rng.IntN(41)-20) / 4
}

func (w *diffWorld) micros(c diffColumn) int64 {
	rng := w.rng
	const day = int64(86_400_000_000)
	base := int64(rng.IntN(2*diffDaySpan+1)-diffDaySpan) * day
	if rng.IntN(5) == 0 {
		base = int64(diffOrigin2K+rng.IntN(60)-30) * day
	}
	if c.coarse {
		step := []int64{60_000_000, 3_600_000_000, 6 * 3_600_000_000}[rng.IntN(3)]
		return base + rng.Int64N(day/step)*step
	}
	return base + rng.Int64N(day)
}

// record builds an Arrow batch of vals in a random but valid shape:
// columns in any order, all-NULL nullable columns sometimes left out,
// strings sometimes dictionary-encoded, timestamps sometimes without a time
// zone. It returns the rows as the table will hold them.
func (w *diffWorld) record(tb *diffTable, vals [][]plan.Value) (arrow.RecordBatch, [][]plan.Value) {
	order := make([]int, len(tb.cols))
	for i := range order {
		order[i] = i
	}
	if w.rng.IntN(3) == 0 {
		w.rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	}
	if w.rng.IntN(4) == 0 {
		var kept []int
		for _, ci := range order {
			if tb.cols[ci].Nullable && w.rng.IntN(3) == 0 {
				for _, r := range vals {
					r[ci] = plan.NullOf(tb.cols[ci].Type)
				}
				continue
			}
			kept = append(kept, ci)
		}
		if len(kept) > 0 {
			order = kept
		}
	}
	return w.build2(tb, vals, order), vals
}

// recordExact builds vals as they are, in table order.
func (w *diffWorld) recordExact(tb *diffTable, vals [][]plan.Value) arrow.RecordBatch {
	order := make([]int, len(tb.cols))
	for i := range order {
		order[i] = i
	}
	return w.build2(tb, vals, order)
}

func (w *diffWorld) build2(tb *diffTable, vals [][]plan.Value, order []int) arrow.RecordBatch {
	fields := make([]arrow.Field, len(order))
	cols := make([]arrow.Array, len(order))
	for i, ci := range order {
		c := tb.cols[ci]
		cols[i] = w.array(c, vals, ci)
		fields[i] = arrow.Field{Name: c.Name, Type: cols[i].DataType(), Nullable: true}
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, int64(len(vals)))
	for _, a := range cols {
		a.Release()
	}
	return rec
}

func (w *diffWorld) array(c diffColumn, vals [][]plan.Value, ci int) arrow.Array {
	dt := c.Type.ArrowType()
	switch {
	case c.Type == storage.TypeString && w.rng.IntN(4) == 0:
		idx := []arrow.DataType{arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int16, arrow.PrimitiveTypes.Int8}[w.rng.IntN(3)]
		if len(vals) > 100 {
			idx = arrow.PrimitiveTypes.Int16 // an int8 index holds 128 entries
		}
		return diffDictArray(w.mem, idx, vals, ci)
	case c.Type == storage.TypeTimestamp && w.rng.IntN(5) == 0:
		dt = &arrow.TimestampType{Unit: arrow.Microsecond}
	}
	b := array.NewBuilder(w.mem, dt)
	defer b.Release()
	for _, r := range vals {
		diffAppend(b, r[ci])
	}
	return b.NewArray()
}

func diffDictArray(mem memory.Allocator, idx arrow.DataType, vals [][]plan.Value, ci int) arrow.Array {
	b := array.NewDictionaryBuilder(mem, &arrow.DictionaryType{IndexType: idx, ValueType: arrow.BinaryTypes.String}).(*array.BinaryDictionaryBuilder)
	defer b.Release()
	for _, r := range vals {
		if r[ci].Null {
			b.AppendNull()
		} else if err := b.AppendString(r[ci].Str); err != nil {
			panic(err)
		}
	}
	return b.NewArray()
}

func diffAppend(b array.Builder, v plan.Value) {
	if v.Null {
		b.AppendNull()
		return
	}
	switch b := b.(type) {
	case *array.Int64Builder:
		b.Append(v.Int)
	case *array.Int32Builder:
		b.Append(int32(v.Int))
	case *array.Float64Builder:
		b.Append(v.Float)
	case *array.BooleanBuilder:
		b.Append(v.Int != 0)
	case *array.StringBuilder:
		b.Append(v.Str)
	case *array.BinaryBuilder:
		b.Append([]byte(v.Str))
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(v.Int))
	case *array.Date32Builder:
		b.Append(arrow.Date32(v.Int))
	default:
		panic(fmt.Sprintf("BUG: no append for %T", b))
	}
}
