package sql

import (
	"math"
	"time"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree/treebin"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/types"
	"github.com/cockroachdb/cockroachdb-parser/pkg/util/duration"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// The statement clock and constant date/time arithmetic.
//
// now(), current_timestamp [(p)], localtimestamp [(p)],
// transaction_timestamp() and statement_timestamp() are a timestamp, and
// current_date a date, all in UTC (Strata's timestamps have no zone). The
// time is taken once per statement, at Bind: every clock function of a
// statement sees the same instant, and a prepared statement executed
// later sees the time of its execution, not of its Prepare. Until Bind a
// clock value is a plan.Param numbered above the protocol's parameters
// (clockParamBase + k); the client never sees it in Prepared.Params.
//
// Arithmetic on constants is folded while planning (for the clock, at
// Bind): timestamp ± interval, date ± interval (a timestamp), date ±
// integer (days), interval + timestamp, integer + date, chained left to
// right, and a cast of such a constant to date or timestamp. An interval
// is INTERVAL '1 day 2 hours', '1 hour'::interval, CAST('...' AS
// interval) or INTERVAL '1' DAY, possibly negated; its months (and years)
// are calendar months, added first with the day clamped to the month's
// end as PostgreSQL does, then its days (24 hours: UTC has no DST), then
// the rest. Interval arithmetic on anything else (a column, a parameter)
// is 0A000: the engine has no timestamp arithmetic.

// clockNow is the statement clock (a hook for tests).
var clockNow = time.Now

// clockParamBase numbers the clock values of a plan before Bind.
const clockParamBase = maxParams + 1

const usPerDay = 86_400_000_000

type clockKind uint8

const (
	clockNone  clockKind = iota // a fixed value
	clockNow_                   // now() and the like
	clockToday                  // current_date
)

// tconst is a constant timestamp or date: a base and the steps of
// arithmetic applied to it in order.
type tconst struct {
	kind      clockKind
	fixed     plan.Value // the base when kind is clockNone
	precision int        // current_timestamp(p): rounding of the base; -1: none
	steps     []tstep
	typ       storage.ColumnType
}

// tstep is one operation: add an interval (sign applied), add days to a
// date, or cast to date or timestamp.
type tstep struct {
	iv     duration.Duration
	days   int64
	isDays bool
	cast   storage.ColumnType // TypeInvalid: no cast
}

// eval computes the value at now.
func (k tconst) eval(now time.Time) (plan.Value, error) {
	var v plan.Value
	switch k.kind {
	case clockNow_:
		us := now.UnixMicro()
		if k.precision >= 0 && k.precision < 6 {
			unit := int64(math.Pow10(6 - k.precision))
			us = floorDiv(us+unit/2, unit) * unit
		}
		v = plan.TimestampMicros(us)
	case clockToday:
		v = plan.Value{Type: storage.TypeDate, Int: floorDiv(now.UnixMicro(), usPerDay)}
	default:
		v = k.fixed
	}
	for _, s := range k.steps {
		var err error
		switch {
		case s.cast == storage.TypeDate:
			if v.Type == storage.TypeTimestamp {
				v = plan.Value{Type: storage.TypeDate, Int: floorDiv(v.Int, usPerDay)}
			}
		case s.cast == storage.TypeTimestamp:
			if v.Type == storage.TypeDate {
				v, err = dateToTimestamp(v.Int)
			}
		case s.isDays:
			d := v.Int + s.days
			if (s.days > 0 && d < v.Int) || (s.days < 0 && d > v.Int) || d < minDate || d > maxDate {
				return v, errorf("22008", "date out of range") // datetime_field_overflow
			}
			v.Int = d
		default:
			if v.Type == storage.TypeDate {
				if v, err = dateToTimestamp(v.Int); err != nil {
					return v, err
				}
			}
			var us int64
			us, err = addInterval(v.Int, s.iv)
			v = plan.TimestampMicros(us)
		}
		if err != nil {
			return v, err
		}
	}
	return v, nil
}

// PostgreSQL's ranges: dates 4713-11-24 BC .. 5874897-12-31 AD,
// timestamps 4713-11-24 BC .. 294276-12-31 AD (microseconds since 1970).
const (
	minDate = -2_440_588
	maxDate = 2_145_031_948
	minTS   = -210_866_803_200_000_000
	maxTS   = math.MaxInt64 // PostgreSQL's end, 294277 AD, lies beyond int64
)

func dateToTimestamp(days int64) (plan.Value, error) {
	if days < minTS/usPerDay || days > maxTS/usPerDay {
		return plan.Value{}, errorf("22008", "date out of range for timestamp")
	}
	return plan.TimestampMicros(days * usPerDay), nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// addInterval adds an interval to a timestamp as PostgreSQL's timestamp +
// interval does: months (the day clamped to the month's end), then days,
// then the rest.
func addInterval(us int64, iv duration.Duration) (int64, error) {
	overflow := errorf("22008", "timestamp out of range")
	if iv.Months != 0 {
		day := floorDiv(us, usPerDay)
		rest := us - day*usPerDay
		y, m, d := time.UnixMicro(day * usPerDay).UTC().Date()
		total := int64(y)*12 + int64(m-1) + iv.Months
		if total/12 > 294277 || total/12 < -4714 {
			return 0, overflow
		}
		ny, nm := int(floorDiv(total, 12)), time.Month(total-floorDiv(total, 12)*12+1)
		if last := time.Date(ny, nm+1, 0, 0, 0, 0, 0, time.UTC).Day(); d > last {
			d = last
		}
		us = time.Date(ny, nm, d, 0, 0, 0, 0, time.UTC).UnixMicro() + rest
	}
	if iv.Days > math.MaxInt64/usPerDay || iv.Days < math.MinInt64/usPerDay {
		return 0, overflow
	}
	for _, add := range []int64{iv.Days * usPerDay, iv.Nanos() / 1000} {
		s := us + add
		if (add > 0 && s < us) || (add < 0 && s > us) {
			return 0, overflow
		}
		us = s
	}
	if us < minTS || us > maxTS {
		return 0, overflow
	}
	return us, nil
}

// isClockFunc reports the functions of the statement clock.
func isClockFunc(name string) bool {
	switch name {
	case "now", "current_timestamp", "localtimestamp", "transaction_timestamp", "statement_timestamp", "current_date":
		return true
	}
	return false
}

// temporal reads e as a constant timestamp or date (false: it is not one).
func (c *exprConv) temporal(e tree.Expr) (*tconst, bool, error) {
	switch e := e.(type) {
	case *tree.ParenExpr:
		return c.temporal(e.Expr)
	case *tree.FuncExpr:
		name := funcName(e)
		if !isClockFunc(name) || e.WindowDef != nil || e.Type != 0 || e.Filter != nil || len(e.OrderBy) > 0 {
			return nil, false, nil
		}
		k := &tconst{kind: clockNow_, typ: storage.TypeTimestamp, precision: -1}
		switch name {
		case "current_date":
			k.kind, k.typ = clockToday, storage.TypeDate
			if len(e.Exprs) != 0 {
				return nil, false, noFunction(name, len(e.Exprs))
			}
		case "current_timestamp", "localtimestamp":
			if len(e.Exprs) > 1 {
				return nil, false, noFunction(name, len(e.Exprs))
			}
			if len(e.Exprs) == 1 {
				n, ok := e.Exprs[0].(*tree.NumVal)
				p, err := int32(0), error(nil)
				if ok {
					p, err = n.AsInt32()
				}
				if !ok || err != nil || p < 0 {
					return nil, false, unsupported("the precision of %s must be a constant from 0 to 6", name)
				}
				k.precision = min(int(p), 6)
			}
		default:
			if len(e.Exprs) != 0 {
				return nil, false, noFunction(name, len(e.Exprs))
			}
		}
		return k, true, nil
	case *tree.CastExpr:
		t, ok := tree.GetStaticallyKnownType(e.Type)
		if !ok {
			return nil, false, nil
		}
		to, ok := storageType(t)
		if !ok || !plan.IsTemporal(to) {
			return nil, false, nil
		}
		if s, ok := e.Expr.(*tree.StrVal); ok {
			v, err := plan.ParseAs(s.RawString(), to)
			if err != nil {
				return nil, false, valueError(err)
			}
			return &tconst{fixed: v, typ: to, precision: -1}, true, nil
		}
		k, ok, err := c.temporal(e.Expr)
		if !ok || err != nil {
			return nil, ok, err
		}
		k.steps = append(k.steps, tstep{cast: to})
		k.typ = to
		return k, true, nil
	case *tree.BinaryExpr:
		sym := e.Operator.Symbol
		if sym != treebin.Plus && sym != treebin.Minus {
			return nil, false, nil
		}
		k, ok, err := c.temporal(e.Left)
		other := e.Right
		if err != nil {
			return nil, false, err
		}
		if !ok && sym == treebin.Plus {
			if k, ok, err = c.temporal(e.Right); err != nil {
				return nil, false, err
			}
			other = e.Left
		}
		if !ok {
			return nil, false, nil
		}
		sign := int64(1)
		if sym == treebin.Minus {
			sign = -1
		}
		if iv, ok, err := intervalConst(other); err != nil {
			return nil, false, err
		} else if ok {
			k.steps = append(k.steps, tstep{iv: duration.MakeDuration(sign*iv.Nanos(), sign*iv.Days, sign*iv.Months)})
			k.typ = storage.TypeTimestamp
			return k, true, nil
		}
		if n, ok := other.(*tree.NumVal); ok && k.typ == storage.TypeDate {
			d, err := n.AsInt64()
			if err != nil {
				return nil, false, errorf(codeUndefinedFunction, "operator does not exist: date %s %s", e.Operator.String(), n.String())
			}
			k.steps = append(k.steps, tstep{days: sign * d, isDays: true})
			return k, true, nil
		}
	}
	return nil, false, nil
}

// intervalConst reads a constant interval (false: e is not one).
func intervalConst(e tree.Expr) (duration.Duration, bool, error) {
	switch x := e.(type) {
	case *tree.ParenExpr:
		return intervalConst(x.Expr)
	case *tree.UnaryExpr:
		if x.Operator.Symbol == tree.UnaryMinus {
			d, ok, err := intervalConst(x.Expr)
			return duration.MakeDuration(-d.Nanos(), -d.Days, -d.Months), ok, err
		}
	case *tree.CastExpr:
		t, ok := tree.GetStaticallyKnownType(x.Type)
		s, isStr := x.Expr.(*tree.StrVal)
		if !ok || !isStr || t.Family() != types.IntervalFamily {
			return duration.Duration{}, false, nil
		}
		d, err := parseInterval(s.RawString(), t)
		return d, err == nil, err
	}
	return duration.Duration{}, false, nil
}

// parseInterval reads interval text as PostgreSQL does ('1 day 2 hours',
// '1 mon', '01:30:00', 'P1D'), with the type's field (INTERVAL '1' DAY).
func parseInterval(text string, t *types.T) (duration.Duration, error) {
	md := types.DefaultIntervalTypeMetadata
	if t != nil {
		if m, err := t.IntervalTypeMetadata(); err == nil {
			md = m
		}
	}
	d, err := duration.ParseInterval(duration.IntervalStyle_POSTGRES, text, md)
	if err != nil {
		return d, errorf("22007", "invalid input syntax for type interval: %q", text) // invalid_datetime_format
	}
	return d, nil
}

// hasInterval reports an interval constant among an operator's operands.
func hasInterval(es ...tree.Expr) bool {
	for _, e := range es {
		if _, ok, err := intervalConst(e); ok || err != nil {
			return true
		}
	}
	return false
}

func errIntervalOnColumn() *Error {
	return unsupported("interval arithmetic on a column is not supported; compare the column with a shifted constant instead (ts > now() - interval '1 hour')")
}

// temporalExpr is a constant's plan expression: a literal, or for the
// clock a clock parameter that Bind replaces.
func (c *exprConv) temporalExpr(k *tconst) (plan.Expr, error) {
	if k.kind == clockNone {
		v, err := k.eval(time.Time{})
		return plan.Lit{Value: v}, err
	}
	if c.clause == "VALUES" {
		return nil, unsupported("now() and current_date are not supported in INSERT values")
	}
	c.p.clock = append(c.p.clock, *k)
	return plan.Param{Index: clockParamBase + len(c.p.clock) - 1}, nil
}

// clockValues evaluates a statement's clock values at now.
func clockValues(ks []tconst, now time.Time) ([]plan.Value, error) {
	out := make([]plan.Value, len(ks))
	for i, k := range ks {
		v, err := k.eval(now)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}
