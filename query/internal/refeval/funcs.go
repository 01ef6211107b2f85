package refeval

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// compileFunc evaluates a bound function call; every argument is computed
// (poison in any argument poisons the result).
func (c *compiler) compileFunc(e plan.Func, sch plan.Schema) (fn, storage.ColumnType, error) {
	fs, ts, err := c.compileAll(e.Args, sch)
	if err != nil {
		return nil, 0, err
	}
	t, f, err := c.funcBody(e, ts)
	if err != nil {
		return nil, 0, err
	}
	return func(row []cell) cell {
		args := make([]plan.Value, len(fs))
		var approx float64
		signless := false
		for i, a := range fs {
			v := a(row)
			if v.err != nil {
				return v
			}
			args[i], approx, signless = v.v, max(approx, v.approx), signless || v.signless
		}
		v, err := f(args)
		if err != nil {
			return c.poison(err)
		}
		out := retype(cell{v: v}, t)
		out.signless = signless && e.Name != plan.FnAbs && t == storage.TypeFloat64 && !v.Null && v.Float == 0
		if approx > 0 {
			out.approx = c.funcApprox(e.Name, f, args, approx, out)
		}
		return out
	}, t, nil
}

// funcApprox carries an inexact argument's error bound through a call:
// abs, greatest, least and nullif move a value at most that far; round,
// floor and ceil are exact unless the bound straddles a step (then which
// side an engine lands on is order-dependent: the run is unstable).
func (c *compiler) funcApprox(name string, f func([]plan.Value) (plan.Value, error), args []plan.Value, approx float64, out cell) float64 {
	switch name {
	case plan.FnRound, plan.FnFloor, plan.FnCeil:
		if !out.v.Null {
			c.sameAround(f, args, approx, out.v)
		}
		return 0
	case plan.FnNullIf:
		if !args[0].Null && !args[1].Null && math.Abs(asFloat(args[0])-asFloat(args[1])) <= 2*approx {
			c.unstable()
		}
	}
	return approx
}

// sameAround marks the run unstable unless f gives v for the first
// argument moved by ±approx.
func (c *compiler) sameAround(f func([]plan.Value) (plan.Value, error), args []plan.Value, approx float64, v plan.Value) {
	for _, d := range []float64{-approx, approx} {
		moved := append([]plan.Value(nil), args...)
		moved[0] = plan.Float64(args[0].Float + d)
		if w, err := f(moved); err != nil || !ValuesMatch(w, v) {
			c.unstable()
			return
		}
	}
}

// funcBody returns a function's result type and its body over argument
// values (NULLs included).
func (c *compiler) funcBody(e plan.Func, ts []storage.ColumnType) (storage.ColumnType, func([]plan.Value) (plan.Value, error), error) {
	num := ts[0]
	if num == storage.TypeInvalid {
		num = storage.TypeFloat64 // abs(NULL) is a double precision NULL
	}
	switch e.Name {
	case plan.FnAbs:
		return num, strict(func(a []plan.Value) (plan.Value, error) { return absValue(a[0]) }), nil
	case plan.FnRound:
		return num, strict(roundValue), nil
	case plan.FnFloor, plan.FnCeil:
		op := math.Floor
		if e.Name == plan.FnCeil {
			op = math.Ceil
		}
		return storage.TypeFloat64, strict(func(a []plan.Value) (plan.Value, error) { return plan.Float64(op(asFloat(a[0]))), nil }), nil
	case plan.FnLower, plan.FnUpper:
		op := strings.ToLower
		if e.Name == plan.FnUpper {
			op = strings.ToUpper
		}
		return storage.TypeString, strict(func(a []plan.Value) (plan.Value, error) { return plan.String(op(a[0].Str)), nil }), nil
	case plan.FnLength:
		return storage.TypeInt32, strict(func(a []plan.Value) (plan.Value, error) {
			if a[0].Type == storage.TypeBinary {
				return plan.Int32(int32(len(a[0].Str))), nil
			}
			return plan.Int32(int32(len([]rune(a[0].Str)))), nil
		}), nil
	case plan.FnNullIf:
		t := widest(ts...)
		return t, func(a []plan.Value) (plan.Value, error) {
			if !a[0].Null && !a[1].Null && Compare(a[0], a[1]) == 0 {
				return plan.NullOf(t), nil
			}
			return convert(cell{v: a[0]}, t).v, nil
		}, nil
	case plan.FnGreatest, plan.FnLeast:
		t, sign := widest(ts...), 1
		if e.Name == plan.FnLeast {
			sign = -1
		}
		return t, func(a []plan.Value) (plan.Value, error) { return best(a, t, sign), nil }, nil
	case plan.FnDatePart:
		part, err := plan.ParseDatePart(e.Args[0].(plan.Lit).Value.Str)
		if err != nil {
			return 0, nil, err
		}
		return storage.TypeFloat64, strict(func(a []plan.Value) (plan.Value, error) { return datePart(part, micros(a[1])), nil }), nil
	}
	return 0, nil, fmt.Errorf("BUG: refeval: function %s", e.Name)
}

// strict makes a body NULL when any argument is.
func strict(f func([]plan.Value) (plan.Value, error)) func([]plan.Value) (plan.Value, error) {
	return func(a []plan.Value) (plan.Value, error) {
		for _, v := range a {
			if v.Null {
				return plan.Null(), nil
			}
		}
		return f(a)
	}
}

func absValue(v plan.Value) (plan.Value, error) {
	if v.Type == storage.TypeFloat64 {
		return plan.Float64(math.Abs(v.Float)), nil
	}
	return intOf(new(big.Int).Abs(big.NewInt(v.Int)), v.Type)
}

// best is greatest (sign 1) or least (-1) of the non-NULL values.
func best(vals []plan.Value, t storage.ColumnType, sign int) plan.Value {
	out := plan.NullOf(t)
	for _, v := range vals {
		if !v.Null && (out.Null || Compare(v, out)*sign > 0) {
			out = convert(cell{v: v}, t).v
		}
	}
	return out
}

// roundValue: an integer rounds to 10^-d (itself for d >= 0), a float
// without digits half away from zero (as PostgreSQL's numeric round, which
// decimal literals and avg of integers get there), a float with digits as
// round(x::numeric, d): its 15 significant digits, rounded in decimal.
func roundValue(a []plan.Value) (plan.Value, error) {
	x := a[0]
	if x.Type != storage.TypeFloat64 {
		if len(a) == 1 || a[1].Int >= 0 {
			return x, nil
		}
		return roundInt(x, a[1].Int)
	}
	if len(a) == 1 {
		return plan.Float64(roundHalfAway(x.Float)), nil
	}
	return plan.Float64(roundDecimal(x.Float, a[1].Int)), nil
}

func roundInt(x plan.Value, d int64) (plan.Value, error) {
	if d < -40 {
		return plan.Value{Type: x.Type}, nil
	}
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(-d), nil)
	return intOf(roundRat(new(big.Rat).SetFrac(big.NewInt(x.Int), p), p), x.Type)
}

// roundRat rounds r half away from zero and multiplies by scale.
func roundRat(r *big.Rat, scale *big.Int) *big.Int {
	num := new(big.Int).Abs(r.Num())
	q, m := new(big.Int).QuoRem(num, r.Denom(), new(big.Int))
	if m.Mul(m, big.NewInt(2)).Cmp(r.Denom()) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if r.Sign() < 0 {
		q.Neg(q)
	}
	return q.Mul(q, scale)
}

func roundDecimal(x float64, d int64) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) || d > 400 {
		return x
	}
	if d < -400 {
		return 0
	}
	text := fmt.Sprintf("%.14e", x) // the 15 digits float8 converts to numeric with
	_, expText, _ := strings.Cut(text, "e")
	exp, _ := strconv.Atoi(expText)
	if int64(exp)+1+d >= 15 {
		return x // nothing to round
	}
	r, _ := new(big.Rat).SetString(text)
	scale := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(abs64(d)), nil))
	if d < 0 {
		scale.Inv(scale)
	}
	q := roundRat(r.Mul(r, scale), big.NewInt(1))
	f, _ := new(big.Rat).Quo(new(big.Rat).SetInt(q), scale).Float64()
	if f == 0 {
		return 0
	}
	return f
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// datePart reads a field of µs since the epoch through package time.
func datePart(p plan.DatePart, us int64) plan.Value {
	t := time.UnixMicro(us).UTC()
	var f float64
	switch p {
	case plan.PartYear:
		f = float64(t.Year())
	case plan.PartQuarter:
		f = float64((int(t.Month()) + 2) / 3)
	case plan.PartMonth:
		f = float64(t.Month())
	case plan.PartDay:
		f = float64(t.Day())
	case plan.PartHour:
		f = float64(t.Hour())
	case plan.PartMinute:
		f = float64(t.Minute())
	case plan.PartSecond:
		f = float64(t.Second()) + float64(t.Nanosecond())/1e9
	case plan.PartDow:
		f = float64(t.Weekday())
	case plan.PartDoy:
		f = float64(t.YearDay())
	case plan.PartEpoch:
		f = float64(us) / 1e6
	case plan.PartWeek:
		_, w := t.ISOWeek()
		f = float64(w)
	default:
		panic(fmt.Sprintf("BUG: refeval: date part %v", p))
	}
	return plan.Float64(f)
}

// roundHalfAway rounds to an integer, ties away from zero (f - trunc(f)
// is exact for floats).
func roundHalfAway(f float64) float64 {
	r := math.Trunc(f)
	if math.Abs(f-r) >= 0.5 {
		r += math.Copysign(1, f)
	}
	return r
}
