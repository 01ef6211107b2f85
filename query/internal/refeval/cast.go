package refeval

import (
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// This file is the reference's CAST: its own parsing and printing of text
// (PostgreSQL's rules), exact range checks through math/big. Timestamp and
// date literals are read with plan's parsers, the grammar binding uses too.

func (c *compiler) compileCast(e plan.Cast, sch plan.Schema) (fn, storage.ColumnType, error) {
	x, _, err := c.compile(e.X, sch)
	if err != nil {
		return nil, 0, err
	}
	return func(row []cell) cell {
		a := x(row)
		switch {
		case a.err != nil:
			return a
		case a.v.Null:
			return nullCell(e.To)
		}
		v, err := castValue(a.v, e.To)
		if err != nil {
			return c.poison(err)
		}
		if a.signless && e.To == storage.TypeString && a.v.Float == 0 {
			c.unstable() // "-0" or "0": the engine's choice
		}
		if a.approx > 0 {
			return c.castApprox(a, v, e.To)
		}
		return cell{v: v, signless: a.signless && e.To == storage.TypeFloat64}
	}, e.To, nil
}

// sqlName is a type's PostgreSQL name, for messages.
var sqlName = map[storage.ColumnType]string{
	storage.TypeInt64: "bigint", storage.TypeInt32: "integer", storage.TypeFloat64: "double precision",
	storage.TypeBool: "boolean", storage.TypeString: "text", storage.TypeBinary: "bytea",
	storage.TypeTimestamp: "timestamp", storage.TypeDate: "date",
}

// castValue converts a non-NULL value; binding has checked the cast exists.
func castValue(v plan.Value, to storage.ColumnType) (plan.Value, error) {
	from := v.Type
	switch {
	case from == to:
		return v, nil
	case from == storage.TypeString:
		return parseText(v.Str, to)
	case to == storage.TypeString:
		return plan.String(textOf(v)), nil
	case from == storage.TypeFloat64:
		return floatToInt(v.Float, to)
	case to == storage.TypeFloat64:
		return plan.Float64(float64(v.Int)), nil
	case to == storage.TypeBool:
		return plan.Bool(v.Int != 0), nil
	case isInteger(to):
		return intOf(big.NewInt(v.Int), to)
	case to == storage.TypeTimestamp:
		return plan.TimestampMicros(v.Int * usPerDay), nil
	case to == storage.TypeDate:
		d := new(big.Int).Div(big.NewInt(v.Int), big.NewInt(usPerDay)) // Euclidean: floor for a positive divisor
		return plan.Date(int32(d.Int64())), nil
	}
	panic(fmt.Sprintf("BUG: refeval: cast %v to %v", from, to))
}

// intOf checks an exact integer fits type t (int64 or int32).
func intOf(n *big.Int, t storage.ColumnType) (plan.Value, error) {
	if !n.IsInt64() || (t == storage.TypeInt32 && (n.Int64() < math.MinInt32 || n.Int64() > math.MaxInt32)) {
		return plan.Value{}, fmt.Errorf("%w: %v does not fit %s", ErrOverflow, n, sqlName[t])
	}
	if t == storage.TypeInt32 {
		return plan.Int32(int32(n.Int64())), nil
	}
	return plan.Int64(n.Int64()), nil
}

// roundHalfEven rounds to an integer, ties to the even neighbour, as
// PostgreSQL's rint() for float8 casts and round(float8) (f - trunc(f) is
// exact for floats).
func roundHalfEven(f float64) float64 {
	r := math.Trunc(f)
	switch d := math.Abs(f - r); {
	case d > 0.5:
		r += math.Copysign(1, f)
	case d == 0.5 && math.Mod(r, 2) != 0:
		r += math.Copysign(1, f)
	}
	return r
}

func floatToInt(f float64, to storage.ColumnType) (plan.Value, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return plan.Value{}, fmt.Errorf("%w: %v does not fit %s", ErrOverflow, f, sqlName[to])
	}
	n, _ := new(big.Float).SetFloat64(roundHalfEven(f)).Int(nil)
	return intOf(n, to)
}

const pgSpace = " \t\n\r\v\f"

var (
	intSyntax   = regexp.MustCompile(`^[+-]?[0-9]+$`)
	floatSyntax = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)
	floatWords  = map[string]float64{
		"nan": math.NaN(), "infinity": math.Inf(1), "+infinity": math.Inf(1), "-infinity": math.Inf(-1),
		"inf": math.Inf(1), "+inf": math.Inf(1), "-inf": math.Inf(-1),
	}
	trueWords  = []string{"t", "tr", "tru", "true", "y", "ye", "yes", "on", "1"}
	falseWords = []string{"f", "fa", "fal", "fals", "false", "n", "no", "of", "off", "0"}
)

// parseText reads text as type t the way PostgreSQL's input functions do.
func parseText(s string, t storage.ColumnType) (plan.Value, error) {
	bad := fmt.Errorf("%w: invalid input syntax for type %s: %q", plan.ErrBadValue, sqlName[t], s)
	tr := strings.Trim(s, pgSpace)
	switch t {
	case storage.TypeBinary:
		return plan.Binary([]byte(s)), nil
	case storage.TypeInt64, storage.TypeInt32:
		n, ok := new(big.Int).SetString(tr, 10)
		if !intSyntax.MatchString(tr) || !ok {
			return plan.Value{}, bad
		}
		return intOf(n, t)
	case storage.TypeFloat64:
		return parseFloat(s, tr, bad)
	case storage.TypeBool:
		l := strings.ToLower(tr)
		for _, w := range trueWords {
			if l == w {
				return plan.Bool(true), nil
			}
		}
		for _, w := range falseWords {
			if l == w {
				return plan.Bool(false), nil
			}
		}
		return plan.Value{}, bad
	case storage.TypeTimestamp:
		us, err := plan.ParseTimestamp(tr)
		if err != nil {
			return plan.Value{}, bad
		}
		return plan.TimestampMicros(us), nil
	case storage.TypeDate:
		if d, err := plan.ParseDate(tr); err == nil {
			return plan.Date(int32(d)), nil
		}
		us, err := plan.ParseTimestamp(tr)
		if err != nil {
			return plan.Value{}, bad
		}
		return castValue(plan.TimestampMicros(us), storage.TypeDate)
	}
	panic(fmt.Sprintf("BUG: refeval: parse text as %v", t))
}

func parseFloat(s, tr string, bad error) (plan.Value, error) {
	if f, ok := floatWords[strings.ToLower(tr)]; ok {
		return plan.Float64(f), nil
	}
	if !floatSyntax.MatchString(tr) {
		return plan.Value{}, bad
	}
	f, err := strconv.ParseFloat(tr, 64)
	mant, _, _ := strings.Cut(strings.ToLower(tr), "e")
	if err != nil || (f == 0 && strings.Trim(mant, "+-.0") != "") {
		return plan.Value{}, fmt.Errorf("%w: %q is out of range for type double precision", ErrOverflow, s)
	}
	return plan.Float64(f), nil
}

// textOf prints a non-NULL value as PostgreSQL's output functions do.
func textOf(v plan.Value) string {
	switch v.Type {
	case storage.TypeInt64, storage.TypeInt32:
		return strconv.FormatInt(v.Int, 10)
	case storage.TypeFloat64:
		return float8Text(v.Float)
	case storage.TypeBool:
		if v.Int != 0 {
			return "true"
		}
		return "false"
	case storage.TypeBinary:
		return `\x` + hex.EncodeToString([]byte(v.Str))
	case storage.TypeTimestamp:
		return time.UnixMicro(v.Int).UTC().Format("2006-01-02 15:04:05.999999")
	case storage.TypeDate:
		return time.Unix(v.Int*86400, 0).UTC().Format("2006-01-02")
	}
	panic(fmt.Sprintf("BUG: refeval: text of %v", v.Type))
}

// float8Text: the shortest round-tripping digits, in exponent form when
// the exponent is below -4 or at least 15, else positional.
func float8Text(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 0):
		if f > 0 {
			return "Infinity"
		}
		return "-Infinity"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // [-]d[.ddd]e±XX
	neg := strings.HasPrefix(e, "-")
	e = strings.TrimPrefix(e, "-")
	mant, expText, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expText)
	if exp < -4 || exp >= 15 {
		if neg {
			return "-" + e
		}
		return e
	}
	digits := strings.Replace(mant, ".", "", 1)
	var out string
	switch {
	case exp < 0:
		out = "0." + strings.Repeat("0", -exp-1) + digits
	case len(digits) <= exp+1:
		out = digits + strings.Repeat("0", exp+1-len(digits))
	default:
		out = digits[:exp+1] + "." + digits[exp+1:]
	}
	if neg {
		return "-" + out
	}
	return out
}

// castApprox judges the cast of an inexact float (a sum in no fixed
// order): to float it stays as inexact; to an integer it is exact unless
// the bound straddles a rounding step; its text is never reliable.
func (c *compiler) castApprox(a cell, v plan.Value, to storage.ColumnType) cell {
	switch {
	case to == storage.TypeFloat64:
		return cell{v: v, approx: a.approx, signless: a.signless}
	case isInteger(to):
		for _, d := range []float64{-a.approx, a.approx} {
			if w, err := floatToInt(a.v.Float+d, to); err != nil || w.Int != v.Int {
				c.unstable()
			}
		}
	default:
		c.unstable()
	}
	return cell{v: v}
}
