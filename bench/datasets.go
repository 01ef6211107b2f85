package bench

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/stratadb/strata/storage"
)

// Datasets returns the suite's datasets: telemetry, weather, transactions.
//
// Every query orders its rows completely and runs with the same text on
// both engines. date_trunc and date_bin on a timestamptz depend on the
// PostgreSQL session's TimeZone, so PostgreSQL sessions must run with
// TimeZone = 'UTC' (Strata's clock is UTC) for the bucketed queries to
// agree; timestamp literals carry an explicit +00 offset.
func Datasets() []Dataset {
	return []Dataset{Telemetry(), Weather(), Transactions()}
}

// DatasetByName returns the dataset called name.
func DatasetByName(name string) (Dataset, bool) {
	for _, d := range Datasets() {
		if d.Name == name {
			return d, true
		}
	}
	return Dataset{}, false
}

// column is one column of a dataset's table, with its type on each engine.
type column struct {
	name    string
	typ     storage.ColumnType
	pg      string // PostgreSQL type, also accepted by Strata
	notNull bool
}

func schemaOf(cols []column) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.name, Type: c.typ.ArrowType(), Nullable: !c.notNull}
	}
	return arrow.NewSchema(fields, nil)
}

// createTable renders CREATE TABLE; with is appended as-is (Strata's WITH
// options, empty for PostgreSQL).
func createTable(table string, cols []column, with string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE %s (", table)
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %s", c.name, c.pg)
		if c.notNull {
			b.WriteString(" NOT NULL")
		}
	}
	b.WriteString(")")
	if with != "" {
		b.WriteString(" WITH (" + with + ")")
	}
	return b.String()
}

// generate drives a dataset's Generate: batches of at most batchRows rows
// over [0, rows), each filled by fill(builder, from, to) from the row index
// alone, so any batch is reproducible on its own.
func generate(schema *arrow.Schema, rows int64, batchRows int, fill func(b *array.RecordBuilder, from, to int64), yield func(arrow.RecordBatch) error) error {
	if rows < 0 {
		return fmt.Errorf("bench: negative row count %d", rows)
	}
	if batchRows <= 0 {
		batchRows = 64 << 10
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for from := int64(0); from < rows; from += int64(batchRows) {
		to := min(from+int64(batchRows), rows)
		b.Reserve(int(to - from))
		fill(b, from, to)
		rec := b.NewRecordBatch()
		err := yield(rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

// splitmix64 is the finaliser of SplitMix64: a cheap, well-mixed hash.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// rng is a per-row stream of pseudo-random numbers derived from the seed
// and a key (row, pair or entity index); it lives on the stack.
type rng struct{ s uint64 }

func newRNG(seed int64, domain uint64, key int64) rng {
	return rng{s: splitmix64(splitmix64(uint64(seed)^domain*0xd1b54a32d192ed03) ^ uint64(key))}
}

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// float returns a uniform number in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// open returns a uniform number in (0, 1), safe for math.Log.
func (r *rng) open() float64 { return (float64(r.next()>>11) + 0.5) / (1 << 53) }

// intn returns a uniform integer in [0, n).
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

func round2(x float64) float64 { return math.Round(x*100) / 100 }
func round1(x float64) float64 { return math.Round(x*10) / 10 }

func clamp(x, lo, hi float64) float64 { return max(lo, min(hi, x)) }

// pgTimestamp renders an instant as a timestamptz literal with an explicit
// UTC offset, read the same by both engines whatever the session TimeZone.
func pgTimestamp(t time.Time) string {
	return "'" + t.UTC().Format("2006-01-02 15:04:05") + "+00'"
}
