package exec

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// castKernel converts a vector to another type; only non-NULL slots are
// converted, so a NULL never fails.
type castKernel func(v *vector) (*vector, error)

func compileCast(e plan.Cast, in plan.Schema) (expr, error) {
	x, err := compileExpr(e.X, in)
	if err != nil {
		return expr{}, err
	}
	if !plan.CanCast(x.typ, e.To) {
		return expr{}, fmt.Errorf("%w: cannot cast type %s to %s", plan.ErrTypeMismatch, plan.SQLTypeName(x.typ), plan.SQLTypeName(e.To))
	}
	k := castKernelFor(x.typ, e.To)
	return expr{e.To, func(b *batch) (*vector, error) {
		v, err := x.eval(b)
		if err != nil {
			return nil, err
		}
		return k(v)
	}}, nil
}

// castKernelFor picks the typed loop for a conversion CanCast allows.
func castKernelFor(from, to storage.ColumnType) castKernel {
	switch {
	case from == storage.TypeInvalid:
		return func(v *vector) (*vector, error) { return constVector(to, v.n, true, 0, 0, ""), nil }
	case from == to,
		from == storage.TypeInt32 && to == storage.TypeInt64,
		from == storage.TypeString && to == storage.TypeBinary:
		return func(v *vector) (*vector, error) { return retyped(v, to), nil }
	case from == storage.TypeString:
		return func(v *vector) (*vector, error) { return parseKernel(v, to) }
	case to == storage.TypeString:
		return func(v *vector) (*vector, error) { return formatKernel(v), nil }
	case plan.IsInteger(from) && to == storage.TypeFloat64:
		return func(v *vector) (*vector, error) { return intsToFloats(v), nil }
	case from == storage.TypeInt64 && to == storage.TypeInt32:
		return narrowKernel
	case from == storage.TypeFloat64:
		return func(v *vector) (*vector, error) { return floatsToInts(v, to) }
	case to == storage.TypeBool:
		return func(v *vector) (*vector, error) {
			return mapInts(v, to, func(x int64) int64 { return b2i(x != 0) }), nil
		}
	case from == storage.TypeBool:
		return func(v *vector) (*vector, error) { return boolsToInts(v, to), nil }
	case from == storage.TypeDate && to == storage.TypeTimestamp:
		return func(v *vector) (*vector, error) { return datesToTimestamps(v), nil }
	case from == storage.TypeTimestamp && to == storage.TypeDate:
		return func(v *vector) (*vector, error) {
			return mapInts(v, to, func(us int64) int64 { return floorDiv(us, usPerDay) }), nil
		}
	}
	panic(fmt.Sprintf("BUG: no cast kernel from %v to %v", from, to))
}

// retyped shares v's storage under another type of the same kind.
func retyped(v *vector, t storage.ColumnType) *vector {
	out := *v
	out.typ = t
	return &out
}

// mapInts applies f to every slot of an integer-like vector (NULL slots
// too: f must not fail). A bool result is stored as bools.
func mapInts(v *vector, t storage.ColumnType, f func(int64) int64) *vector {
	out := &vector{typ: t, n: v.n, cnst: v.cnst, nulls: v.nulls}
	if t == storage.TypeBool {
		out.bools = make([]bool, len(v.ints))
		for i, x := range v.ints {
			out.bools[i] = f(x) != 0
		}
		return out
	}
	out.ints = make([]int64, len(v.ints))
	for i, x := range v.ints {
		out.ints[i] = f(x)
	}
	return out
}

func boolsToInts(v *vector, t storage.ColumnType) *vector {
	out := &vector{typ: t, n: v.n, cnst: v.cnst, nulls: v.nulls, ints: make([]int64, len(v.bools))}
	for i, b := range v.bools {
		out.ints[i] = b2i(b)
	}
	return out
}

func narrowKernel(v *vector) (*vector, error) {
	for i, x := range v.ints {
		if (x < math.MinInt32 || x > math.MaxInt32) && (v.nulls == nil || !v.nulls[i]) {
			return nil, fmt.Errorf("%w: %d does not fit integer", ErrOverflow, x)
		}
	}
	return retyped(v, storage.TypeInt32), nil
}

// floatsToInts rounds ties to even, as PostgreSQL; NaN, infinities and values
// outside the target are overflows.
func floatsToInts(v *vector, t storage.ColumnType) (*vector, error) {
	out := &vector{typ: t, n: v.n, cnst: v.cnst, nulls: v.nulls, ints: make([]int64, len(v.flts))}
	for i, f := range v.flts {
		if v.nulls != nil && v.nulls[i] {
			continue
		}
		n, err := plan.FloatToInt(f, t)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrOverflow, err)
		}
		out.ints[i] = n
	}
	return out, nil
}

// formatKernel renders every non-NULL slot as text. A string vector with
// a dictionary keeps it (only binary is formatted, and it has none).
func formatKernel(v *vector) *vector {
	out := &vector{typ: storage.TypeString, n: v.n, cnst: v.cnst, nulls: v.nulls}
	n := len(v.ints) + len(v.flts) + len(v.bools) + len(v.strs)
	out.strs = make([]string, n)
	for i := range out.strs {
		if v.nulls != nil && v.nulls[i] {
			continue
		}
		out.strs[i] = formatSlot(v, i)
	}
	return out
}

func formatSlot(v *vector, i int) string {
	switch v.typ {
	case storage.TypeInt64, storage.TypeInt32:
		return strconv.FormatInt(v.ints[i], 10)
	case storage.TypeFloat64:
		return plan.FormatFloat8(v.flts[i])
	case storage.TypeBool:
		return strconv.FormatBool(v.bools[i])
	case storage.TypeBinary:
		return plan.FormatBytea(v.strs[i])
	case storage.TypeTimestamp:
		return plan.FormatTimestamp(v.ints[i])
	case storage.TypeDate:
		return plan.FormatDate(v.ints[i])
	}
	panic("BUG: formatSlot on " + v.typ.String())
}

// parseKernel reads text as type t, once per dictionary entry the view's
// non-NULL rows use (an entry only filtered-out rows hold must not fail).
// The first value that does not parse fails the batch.
func parseKernel(v *vector, t storage.ColumnType) (*vector, error) {
	out := &vector{typ: t, n: v.n, cnst: v.cnst, nulls: v.nulls}
	allocFor(out, len(v.strs))
	if v.codes != nil && !v.cnst {
		parsed := make([]*plan.Value, len(v.dict))
		for k, c := range v.codes {
			if v.nulls != nil && v.nulls[k] {
				continue
			}
			if parsed[c] == nil {
				val, err := parseText(v.dict[c], t)
				if err != nil {
					return nil, err
				}
				parsed[c] = &val
			}
			setSlot(out, k, *parsed[c])
		}
		return out, nil
	}
	for i, s := range v.strs {
		if v.nulls != nil && v.nulls[i] {
			continue
		}
		val, err := parseText(s, t)
		if err != nil {
			return nil, err
		}
		setSlot(out, i, val)
	}
	return out, nil
}

// parseText is plan.ParseAs with an out-of-range value reported as the
// engine's overflow.
func parseText(s string, t storage.ColumnType) (plan.Value, error) {
	val, err := plan.ParseAs(s, t)
	if errors.Is(err, plan.ErrOutOfRange) {
		return val, fmt.Errorf("%w: %v", ErrOverflow, err)
	}
	return val, err
}

func setSlot(v *vector, k int, val plan.Value) {
	switch {
	case v.ints != nil:
		v.ints[k] = val.Int
	case v.flts != nil:
		v.flts[k] = val.Float
	case v.bools != nil:
		v.bools[k] = val.Int != 0
	default:
		v.strs[k] = val.Str
	}
}
