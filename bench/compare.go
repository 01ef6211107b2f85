package bench

import (
	"fmt"
	"math"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// FloatTolerance is the relative tolerance CompareResults allows between
// two floating-point values (or a float and an exact number). The engines
// add floats in different orders (Strata in parallel per partition,
// PostgreSQL row by row), so sums and averages may differ in the last few
// bits; 1e-9 is far above that rounding noise and far below any real
// difference. Values within 1e-12 of zero compare equal absolutely.
const FloatTolerance = 1e-9

// CompareResults compares a query's rows from the two engines, as pgx's
// rows.Values() returns them: numbers as numbers whatever their Go type
// (int*, uint*, float*, pgtype.Numeric: PostgreSQL's sum(bigint) is
// numeric where Strata's is bigint), floats within FloatTolerance,
// timestamps as instants, strings and bytes exactly, NULL equal to NULL
// only. Rows are compared in order if q.Ordered, else as multisets. The
// error names the query, the row and column, and both values.
func CompareResults(q Query, strata, postgres [][]any) error {
	if len(strata) != len(postgres) {
		return fmt.Errorf("query %s: strata returned %d rows, postgres %d", q.Name, len(strata), len(postgres))
	}
	if !q.Ordered {
		strata, postgres = sortedRows(strata), sortedRows(postgres)
	}
	for i := range strata {
		if len(strata[i]) != len(postgres[i]) {
			return fmt.Errorf("query %s: row %d: strata has %d columns, postgres %d", q.Name, i, len(strata[i]), len(postgres[i]))
		}
		for j := range strata[i] {
			if !valuesEqual(strata[i][j], postgres[i][j]) {
				return fmt.Errorf("query %s: row %d column %d: strata %s, postgres %s",
					q.Name, i, j+1, describe(strata[i][j]), describe(postgres[i][j]))
			}
		}
	}
	return nil
}

// number is a value as a number: exact as a big.Int when it is an integer
// (or an integral numeric), else as a float64.
type number struct {
	isInt bool
	i     big.Int
	f     float64
}

func asNumber(v any) (number, bool) {
	var n number
	switch x := v.(type) {
	case int:
		n.i.SetInt64(int64(x))
	case int8:
		n.i.SetInt64(int64(x))
	case int16:
		n.i.SetInt64(int64(x))
	case int32:
		n.i.SetInt64(int64(x))
	case int64:
		n.i.SetInt64(x)
	case uint8:
		n.i.SetUint64(uint64(x))
	case uint16:
		n.i.SetUint64(uint64(x))
	case uint32:
		n.i.SetUint64(uint64(x))
	case uint64:
		n.i.SetUint64(x)
	case float32:
		n.f = float64(x)
		return n, true
	case float64:
		n.f = x
		return n, true
	case pgtype.Numeric:
		if !x.Valid || x.NaN || x.InfinityModifier != pgtype.Finite {
			if x.NaN {
				n.f = math.NaN()
				return n, true
			}
			if x.InfinityModifier == pgtype.Infinity {
				n.f = math.Inf(1)
				return n, true
			}
			if x.InfinityModifier == pgtype.NegativeInfinity {
				n.f = math.Inf(-1)
				return n, true
			}
			return n, false
		}
		if x.Exp >= 0 {
			n.i.Mul(x.Int, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(x.Exp)), nil))
			n.isInt = true
			return n, true
		}
		f, err := x.Float64Value()
		if err != nil || !f.Valid {
			return n, false
		}
		n.f = f.Float64
		return n, true
	case *pgtype.Numeric:
		if x == nil {
			return n, false
		}
		return asNumber(*x)
	default:
		return n, false
	}
	n.isInt = true
	return n, true
}

func (n number) float() float64 {
	if n.isInt {
		f, _ := new(big.Float).SetInt(&n.i).Float64()
		return f
	}
	return n.f
}

func floatsClose(a, b float64) bool {
	switch {
	case a == b:
		return true
	case math.IsNaN(a) || math.IsNaN(b):
		return math.IsNaN(a) && math.IsNaN(b)
	case math.IsInf(a, 0) || math.IsInf(b, 0):
		return false
	}
	d := math.Abs(a - b)
	return d <= 1e-12 || d <= FloatTolerance*max(math.Abs(a), math.Abs(b))
}

func valuesEqual(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if na, ok := asNumber(a); ok {
		nb, ok := asNumber(b)
		if !ok {
			return false
		}
		if na.isInt && nb.isInt {
			return na.i.Cmp(&nb.i) == 0
		}
		return floatsClose(na.float(), nb.float())
	}
	switch x := a.(type) {
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	case pgtype.Timestamptz:
		y, ok := b.(pgtype.Timestamptz)
		return ok && x.Valid == y.Valid && x.Time.Equal(y.Time) && x.InfinityModifier == y.InfinityModifier
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []byte:
		y, ok := b.([]byte)
		return ok && string(x) == string(y)
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	}
	return fmt.Sprintf("%T %v", a, a) == fmt.Sprintf("%T %v", b, b)
}

// describe renders a value with its Go type for an error message.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return fmt.Sprintf("%s (time.Time)", x.UTC().Format(time.RFC3339Nano))
	case string:
		return fmt.Sprintf("%q (string)", x)
	case pgtype.Numeric:
		if n, ok := asNumber(x); ok {
			if n.isInt {
				return n.i.String() + " (numeric)"
			}
			return fmt.Sprintf("%v (numeric)", n.f)
		}
	case float64:
		return fmt.Sprintf("%s (float64)", strings.TrimSuffix(fmt.Sprintf("%.17g", x), ".0"))
	}
	return fmt.Sprintf("%v (%T)", v, v)
}

// sortedRows orders rows by a canonical key for a multiset comparison:
// numbers by value (floats rounded to FloatTolerance's precision, so
// near-equal floats sort alike), then the rest by their rendering.
func sortedRows(rows [][]any) [][]any {
	keys := make([]string, len(rows))
	idx := make([]int, len(rows))
	for i, r := range rows {
		idx[i] = i
		var b strings.Builder
		for _, v := range r {
			b.WriteString(canonical(v))
			b.WriteByte(0)
		}
		keys[i] = b.String()
	}
	sort.SliceStable(idx, func(a, b int) bool { return keys[idx[a]] < keys[idx[b]] })
	out := make([][]any, len(rows))
	for i, j := range idx {
		out[i] = rows[j]
	}
	return out
}

func canonical(v any) string {
	if v == nil {
		return "\x00null"
	}
	if n, ok := asNumber(v); ok {
		return fmt.Sprintf("n%.8e", n.float())
	}
	switch x := v.(type) {
	case time.Time:
		return "t" + x.UTC().Format(time.RFC3339Nano)
	case []byte:
		return "s" + string(x)
	case string:
		return "s" + x
	}
	return fmt.Sprintf("%T%v", v, v)
}
