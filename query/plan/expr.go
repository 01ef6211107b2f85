package plan

import (
	"fmt"
	"strings"
)

// Expr is a scalar expression over the columns of a node's input.
type Expr interface {
	fmt.Stringer
	isExpr()
}

// Col references an input column by name.
type Col struct{ Name string }

// ColAt references an input column by position (0-based); Name is for
// display. Planners use it where output names may repeat (SELECT a, a).
type ColAt struct {
	Index int
	Name  string
}

// Lit is a constant.
type Lit struct{ Value Value }

// BinOp is a binary operator.
type BinOp uint8

const (
	OpAdd BinOp = iota + 1
	OpSub
	OpMul
	OpDiv // integer division truncates toward zero, as in PostgreSQL
	OpMod
	OpEq
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe
	OpAnd
	OpOr
)

var opNames = map[BinOp]string{
	OpAdd: "+", OpSub: "-", OpMul: "*", OpDiv: "/", OpMod: "%",
	OpEq: "=", OpNe: "<>", OpLt: "<", OpLe: "<=", OpGt: ">", OpGe: ">=",
	OpAnd: "AND", OpOr: "OR",
}

func (o BinOp) String() string { return opNames[o] }

// IsArithmetic, IsComparison and IsLogical classify operators.
func (o BinOp) IsArithmetic() bool { return o >= OpAdd && o <= OpMod }
func (o BinOp) IsComparison() bool { return o >= OpEq && o <= OpGe }
func (o BinOp) IsLogical() bool    { return o == OpAnd || o == OpOr }

// Flip returns the comparison with its operands swapped (a < b == b > a).
func (o BinOp) Flip() BinOp {
	switch o {
	case OpLt:
		return OpGt
	case OpLe:
		return OpGe
	case OpGt:
		return OpLt
	case OpGe:
		return OpLe
	}
	return o
}

// Bin applies a binary operator. Comparisons and arithmetic with a NULL
// operand are NULL; AND and OR follow SQL's three-valued logic.
type Bin struct {
	Op   BinOp
	L, R Expr
}

// Not is logical negation (NOT NULL is NULL).
type Not struct{ X Expr }

// Neg is arithmetic negation.
type Neg struct{ X Expr }

// IsNull tests for NULL (IS NULL, or IS NOT NULL when Not is set).
type IsNull struct {
	X   Expr
	Not bool
}

// In tests membership in a list (NOT IN when Not is set). As in SQL, a
// non-matching value is NULL rather than false when the list holds a NULL.
type In struct {
	X    Expr
	List []Expr
	Not  bool
}

// Between is Lo <= X AND X <= Hi (NOT BETWEEN when Not is set).
type Between struct {
	X, Lo, Hi Expr
	Not       bool
}

// TruncUnit is a date_trunc unit.
type TruncUnit uint8

const (
	TruncMicrosecond TruncUnit = iota + 1
	TruncMillisecond
	TruncSecond
	TruncMinute
	TruncHour
	TruncDay
	TruncWeek // weeks start on Monday, as ISO and PostgreSQL have it
	TruncMonth
	TruncQuarter
	TruncYear
)

var truncNames = []string{"", "microseconds", "milliseconds", "second", "minute", "hour", "day", "week", "month", "quarter", "year"}

func (u TruncUnit) String() string {
	if int(u) < len(truncNames) {
		return truncNames[u]
	}
	return "unit?"
}

// ParseTruncUnit accepts PostgreSQL's date_trunc unit names.
func ParseTruncUnit(s string) (TruncUnit, error) {
	switch strings.ToLower(s) {
	case "microsecond", "microseconds":
		return TruncMicrosecond, nil
	case "millisecond", "milliseconds":
		return TruncMillisecond, nil
	case "second", "seconds":
		return TruncSecond, nil
	case "minute", "minutes":
		return TruncMinute, nil
	case "hour", "hours":
		return TruncHour, nil
	case "day", "days":
		return TruncDay, nil
	case "week", "weeks":
		return TruncWeek, nil
	case "month", "months":
		return TruncMonth, nil
	case "quarter", "quarters":
		return TruncQuarter, nil
	case "year", "years":
		return TruncYear, nil
	}
	return 0, fmt.Errorf("%w: date_trunc unit %q is not recognized", ErrBadValue, s)
}

// DateTrunc truncates a timestamp (or date) to a calendar unit in UTC, as
// PostgreSQL's date_trunc; the result is a timestamp.
type DateTrunc struct {
	Unit TruncUnit
	X    Expr
}

// DefaultBucketOrigin is TimescaleDB's time_bucket origin, Monday
// 2000-01-03 00:00 UTC, so week-wide buckets start on Mondays.
const DefaultBucketOrigin int64 = 946857600 * 1_000_000

// TimeBucket maps a timestamp (or date) to the start of its fixed-width
// bucket: Origin + floor((X-Origin)/Width)*Width, as date_bin and
// time_bucket do. Width is in microseconds.
type TimeBucket struct {
	Width  int64
	Origin int64
	X      Expr
}

func (Col) isExpr()        {}
func (ColAt) isExpr()      {}
func (Lit) isExpr()        {}
func (Bin) isExpr()        {}
func (Not) isExpr()        {}
func (Neg) isExpr()        {}
func (IsNull) isExpr()     {}
func (In) isExpr()         {}
func (Between) isExpr()    {}
func (DateTrunc) isExpr()  {}
func (TimeBucket) isExpr() {}

func (e Col) String() string   { return quoteIdent(e.Name) }
func (e ColAt) String() string { return fmt.Sprintf("%s#%d", quoteIdent(e.Name), e.Index+1) }
func (e Lit) String() string   { return e.Value.String() }
func (e Bin) String() string   { return fmt.Sprintf("(%v %v %v)", e.L, e.Op, e.R) }
func (e Not) String() string   { return fmt.Sprintf("(NOT %v)", e.X) }
func (e Neg) String() string   { return fmt.Sprintf("(- %v)", e.X) }

func (e IsNull) String() string {
	if e.Not {
		return fmt.Sprintf("(%v IS NOT NULL)", e.X)
	}
	return fmt.Sprintf("(%v IS NULL)", e.X)
}

func (e In) String() string {
	items := make([]string, len(e.List))
	for i, x := range e.List {
		items[i] = x.String()
	}
	not := ""
	if e.Not {
		not = "NOT "
	}
	return fmt.Sprintf("(%v %sIN (%s))", e.X, not, strings.Join(items, ", "))
}

func (e Between) String() string {
	not := ""
	if e.Not {
		not = "NOT "
	}
	return fmt.Sprintf("(%v %sBETWEEN %v AND %v)", e.X, not, e.Lo, e.Hi)
}

func (e DateTrunc) String() string { return fmt.Sprintf("date_trunc('%v', %v)", e.Unit, e.X) }

func (e TimeBucket) String() string {
	return fmt.Sprintf("time_bucket(%dus, %v, origin=%s)", e.Width, e.X, FormatTimestamp(e.Origin))
}

func quoteIdent(s string) string {
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
		}
	}
	return s
}

// Conjuncts splits a predicate on its top-level ANDs.
func Conjuncts(e Expr) []Expr {
	if b, ok := e.(Bin); ok && b.Op == OpAnd {
		return append(Conjuncts(b.L), Conjuncts(b.R)...)
	}
	if e == nil {
		return nil
	}
	return []Expr{e}
}

// And joins predicates with AND; nil when there are none.
func And(preds ...Expr) Expr {
	var out Expr
	for _, p := range preds {
		if p == nil {
			continue
		}
		if out == nil {
			out = p
		} else {
			out = Bin{OpAnd, out, p}
		}
	}
	return out
}
