package sql

import (
	"strings"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/types"
	"github.com/cockroachdb/cockroachdb-parser/pkg/util/duration"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// Scalar functions: the engine's (plan.Func: abs, round, floor, ceil,
// lower, upper, length, nullif, greatest, least, date_part/extract) and
// the time functions the planner maps to their own expressions:
//
//	date_trunc('unit', ts)                 -> plan.DateTrunc
//	date_bin(interval, ts, origin)         -> plan.TimeBucket{Origin: origin}
//	time_bucket(interval, ts [, origin])   -> plan.TimeBucket (TimescaleDB's
//	                                          origin, Monday 2000-01-03, by default;
//	                                          an interval third argument offsets it)
//
// The unit, the interval and the origin must be constants. An interval is
// '5 minutes', INTERVAL '1 hour', '00:00:10' and the like; a day is 24
// hours (UTC); months and years are refused, as date_bin refuses them.

// scalarFuncs maps the names the engine knows (and their aliases) to its
// names, with their least and most argument counts (-1: any).
var scalarFuncs = map[string]struct {
	name     string
	min, max int
}{
	"abs": {plan.FnAbs, 1, 1}, "round": {plan.FnRound, 1, 2},
	"floor": {plan.FnFloor, 1, 1}, "ceil": {plan.FnCeil, 1, 1}, "ceiling": {plan.FnCeil, 1, 1},
	"lower": {plan.FnLower, 1, 1}, "upper": {plan.FnUpper, 1, 1},
	"length": {plan.FnLength, 1, 1}, "char_length": {plan.FnLength, 1, 1},
	"character_length": {plan.FnLength, 1, 1},
	"nullif":           {plan.FnNullIf, 2, 2},
	"greatest":         {plan.FnGreatest, 1, -1}, "least": {plan.FnLeast, 1, -1},
}

// aggregateFuncs are the aggregates PostgreSQL has; true for Strata's.
var aggregateFuncs = map[string]bool{
	"count": true, "sum": true, "min": true, "max": true, "avg": true,
	"array_agg": false, "string_agg": false, "bool_and": false, "bool_or": false,
	"every": false, "stddev": false, "stddev_pop": false, "stddev_samp": false,
	"variance": false, "var_pop": false, "var_samp": false, "json_agg": false,
	"jsonb_agg": false, "json_object_agg": false, "jsonb_object_agg": false,
	"bit_and": false, "bit_or": false, "bit_xor": false, "corr": false,
	"covar_pop": false, "covar_samp": false, "percentile_cont": false,
	"percentile_disc": false, "mode": false, "xmlagg": false,
	"regr_avgx": false, "regr_avgy": false, "regr_count": false,
	"regr_intercept": false, "regr_r2": false, "regr_slope": false,
	"regr_sxx": false, "regr_sxy": false, "regr_syy": false,
}

// knownFuncs are PostgreSQL functions Strata lacks: 0A000 rather than
// "does not exist".
var knownFuncs = map[string]bool{
	"current_time": true, "localtime": true, "clock_timestamp": true, "timezone": true,
	"to_char": true, "to_date": true, "to_timestamp": true, "to_number": true, "age": true,
	"make_date": true, "make_timestamp": true, "concat": true, "concat_ws": true,
	"substring": true, "substr": true, "replace": true, "trim": true, "btrim": true,
	"ltrim": true, "rtrim": true, "split_part": true, "strpos": true, "position": true,
	"left": true, "right": true, "lpad": true, "rpad": true, "reverse": true,
	"repeat": true, "md5": true, "sqrt": true, "power": true, "pow": true, "exp": true,
	"ln": true, "log": true, "log10": true, "mod": true, "sign": true, "trunc": true,
	"random": true, "generate_series": true, "regexp_replace": true,
	"regexp_match": true, "octet_length": true, "initcap": true, "like_escape": true,
	"not_like_escape": true, "ilike_escape": true, "not_ilike_escape": true,
	"similar_to_escape": true, "gen_random_uuid": true, "row_number": true,
	"rank": true, "dense_rank": true, "lag": true, "lead": true,
}

func isAggregate(f *tree.FuncExpr) bool {
	_, ok := aggregateFuncs[funcName(f)]
	return ok
}

// funcCall plans a scalar function call.
func (c *exprConv) funcCall(f *tree.FuncExpr) (plan.Expr, error) {
	name := funcName(f)
	if f.WindowDef != nil {
		return nil, unsupported("window functions are not supported")
	}
	if isAggregate(f) {
		if c.clause == "" {
			return nil, errorf(codeGrouping, "aggregate function calls cannot be nested")
		}
		return nil, errorf(codeGrouping, "aggregate functions are not allowed in %s", c.clause)
	}
	if f.Type != 0 || f.Filter != nil || len(f.OrderBy) > 0 {
		return nil, errorf("42809", "DISTINCT, ALL, FILTER or ORDER BY specified, but %s is not an aggregate function", name)
	}
	if strings.Contains(f.Func.String(), ".") {
		return nil, errorf(codeUndefinedFunction, "function %s does not exist", tree.AsString(&f.Func))
	}
	if isClockFunc(name) {
		k, _, err := c.temporal(f)
		if err != nil {
			return nil, err
		}
		return c.temporalExpr(k)
	}
	switch name {
	case "date_trunc":
		return c.dateTrunc(f)
	case "date_bin":
		return c.timeBucket(f, name, 3, 3)
	case "time_bucket":
		return c.timeBucket(f, name, 2, 3)
	case "extract", "date_part":
		return c.datePart(f, name)
	case "like_escape", "not_like_escape", "ilike_escape", "not_ilike_escape":
		return c.likeEscape(f, name)
	}
	if sf, ok := scalarFuncs[name]; ok {
		if len(f.Exprs) < sf.min || sf.max >= 0 && len(f.Exprs) > sf.max {
			return nil, noFunction(name, len(f.Exprs))
		}
		args, err := c.convList(f.Exprs)
		return plan.Func{Name: sf.name, Args: args}, err
	}
	if knownFuncs[name] {
		return nil, unsupported("function %s is not supported", name)
	}
	return nil, noFunction(name, len(f.Exprs))
}

func noFunction(name string, args int) *Error {
	return errorf(codeUndefinedFunction, "function %s does not exist with %d argument%s", name, args, plural(args))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// stringArg reads a function's string-constant argument.
func stringArg(e tree.Expr, fn, what string) (string, error) {
	if s, ok := e.(*tree.StrVal); ok {
		return s.RawString(), nil
	}
	return "", unsupported("the %s of %s must be a string constant", what, fn)
}

func (c *exprConv) dateTrunc(f *tree.FuncExpr) (plan.Expr, error) {
	if len(f.Exprs) == 3 {
		return nil, unsupported("date_trunc with a time zone is not supported (Strata's timestamps are UTC)")
	}
	if len(f.Exprs) != 2 {
		return nil, noFunction("date_trunc", len(f.Exprs))
	}
	unit, err := stringArg(f.Exprs[0], "date_trunc", "unit")
	if err != nil {
		return nil, err
	}
	u, err := plan.ParseTruncUnit(strings.TrimSpace(unit))
	if err != nil {
		return nil, errorf(codeBadParamValue, "unit %q not recognized for type timestamp", unit)
	}
	x, err := c.conv(f.Exprs[1])
	return plan.DateTrunc{Unit: u, X: x}, err
}

func (c *exprConv) datePart(f *tree.FuncExpr, name string) (plan.Expr, error) {
	if len(f.Exprs) != 2 {
		return nil, noFunction(name, len(f.Exprs))
	}
	field, err := stringArg(f.Exprs[0], name, "field")
	if err != nil {
		return nil, err
	}
	part, err := plan.ParseDatePart(field)
	if err != nil {
		return nil, errorf(codeBadParamValue, "unit %q not recognized for type timestamp", field)
	}
	x, err := c.conv(f.Exprs[1])
	// extract keeps its name: PostgreSQL types it numeric, date_part
	// double precision (numeric.go); the engine knows both.
	return plan.Func{Name: name, Args: []plan.Expr{plan.Lit{Value: plan.String(part.String())}, x}}, err
}

// likeEscape plans LIKE ... ESCAPE 'c'. The engine's patterns escape with
// a backslash, so a constant pattern is rewritten to that convention; a
// pattern that is not a constant takes only the default, ESCAPE '\'.
func (c *exprConv) likeEscape(f *tree.FuncExpr, name string) (plan.Expr, error) {
	if len(f.Exprs) != 3 {
		return nil, noFunction(name, len(f.Exprs))
	}
	not, ci := strings.HasPrefix(name, "not_"), strings.Contains(name, "ilike")
	esc, ok := f.Exprs[2].(*tree.StrVal)
	if !ok || len([]rune(esc.RawString())) > 1 {
		return nil, errorf("22025", "invalid escape string: ESCAPE must be a constant of one character or empty") // invalid_escape_sequence
	}
	if esc.RawString() == `\` {
		return c.like(f.Exprs[0], f.Exprs[1], not, ci)
	}
	pat, ok := f.Exprs[1].(*tree.StrVal)
	if !ok {
		return nil, unsupported(`LIKE ... ESCAPE with a pattern that is not a constant takes only the default escape '\'`)
	}
	x, err := c.conv(f.Exprs[0])
	if err != nil {
		return nil, err
	}
	p := plan.Lit{Value: plan.String(reescape(pat.RawString(), esc.RawString()))}
	return plan.Like{X: x, Pattern: p, Not: not, CaseInsensitive: ci}, nil
}

// reescape rewrites a LIKE pattern escaped with esc ("" for none) to one
// escaped with a backslash.
func reescape(pat, esc string) string {
	var b strings.Builder
	rs := []rune(pat)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case esc != "" && string(r) == esc && i+1 < len(rs):
			i++
			b.WriteRune('\\')
			b.WriteRune(rs[i])
		case r == '\\':
			b.WriteString(`\\`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// timeBucket plans date_bin(width, ts, origin) and time_bucket(width, ts
// [, origin | offset]).
func (c *exprConv) timeBucket(f *tree.FuncExpr, name string, minArgs, maxArgs int) (plan.Expr, error) {
	if len(f.Exprs) < minArgs || len(f.Exprs) > maxArgs {
		return nil, noFunction(name, len(f.Exprs))
	}
	width, err := intervalArg(f.Exprs[0], name)
	if err != nil {
		return nil, err
	}
	if width <= 0 {
		return nil, errorf("22008", "stride must be greater than zero")
	}
	origin := plan.DefaultBucketOrigin
	if len(f.Exprs) == 3 {
		if origin, err = originArg(f.Exprs[2], name); err != nil {
			return nil, err
		}
	}
	x, err := c.conv(f.Exprs[1])
	return plan.TimeBucket{Width: width, Origin: origin, X: x}, err
}

// intervalArg reads a constant interval: 'text' or INTERVAL 'text'.
func intervalArg(e tree.Expr, fn string) (int64, error) {
	text, ok := intervalText(e)
	if !ok {
		return 0, unsupported("the interval of %s must be a constant, like '5 minutes'", fn)
	}
	d, err := duration.ParseInterval(duration.IntervalStyle_POSTGRES, text, types.DefaultIntervalTypeMetadata)
	if err != nil {
		return 0, errorf("22007", "invalid input syntax for type interval: %q", text) // invalid_datetime_format
	}
	if d.Months != 0 {
		return 0, unsupported("timestamps cannot be binned into intervals containing months or years")
	}
	return d.Days*86_400_000_000 + d.Nanos()/1000, nil
}

func intervalText(e tree.Expr) (string, bool) {
	switch e := e.(type) {
	case *tree.StrVal:
		return e.RawString(), true
	case *tree.ParenExpr:
		return intervalText(e.Expr)
	case *tree.CastExpr:
		if t, ok := tree.GetStaticallyKnownType(e.Type); ok && t.Family() == types.IntervalFamily {
			if s, ok := e.Expr.(*tree.StrVal); ok {
				return s.RawString(), true
			}
		}
	}
	return "", false
}

// originArg reads a bucket origin: a constant timestamp, or for
// time_bucket an interval that offsets the default origin.
func originArg(e tree.Expr, fn string) (int64, error) {
	if fn == "time_bucket" {
		if _, isInterval := e.(*tree.CastExpr); isInterval {
			if _, ok := intervalText(e); ok {
				off, err := intervalArg(e, fn)
				return plan.DefaultBucketOrigin + off, err
			}
		}
	}
	var text string
	switch e := e.(type) {
	case *tree.StrVal:
		text = e.RawString()
	case *tree.CastExpr:
		t, ok := tree.GetStaticallyKnownType(e.Type)
		s, isStr := e.Expr.(*tree.StrVal)
		if !ok || !isStr {
			return 0, unsupported("the origin of %s must be a constant timestamp", fn)
		}
		to, ok := storageType(t)
		if !ok || !plan.IsTemporal(to) {
			return 0, errorf(codeUndefinedFunction, "function %s(interval, timestamp, %s) does not exist", fn, sqlTypeName(t))
		}
		text = s.RawString()
	default:
		return 0, unsupported("the origin of %s must be a constant timestamp", fn)
	}
	v, err := plan.ParseAs(text, storage.TypeTimestamp)
	if err != nil {
		return 0, valueError(err)
	}
	return v.Int, nil
}

// aggName is an aggregate's output name.
func aggName(f plan.AggFunc) string {
	if f == plan.AggCountStar || f == plan.AggCountDistinct {
		return "count"
	}
	return f.String()
}
