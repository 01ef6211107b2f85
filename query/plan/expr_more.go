package plan

import (
	"fmt"
	"strings"

	"github.com/stratadb/strata/storage"
)

// When is one branch of a Case.
type When struct {
	Cond, Then Expr
}

// Case is a searched CASE: the Then of the first When whose Cond is true,
// else Else (NULL when Else is nil). A simple CASE x WHEN a THEN ... is
// planned as the searched form with Cond x = a. Branch types unify as in
// PostgreSQL (integers widen, an integer and a float make a float).
type Case struct {
	Whens []When
	Else  Expr
}

// Coalesce is the first non-null argument (NULL when all are).
type Coalesce struct{ Args []Expr }

// Like matches X, a string, against Pattern, a string: % matches any run,
// _ one character, a backslash escapes the next one. CaseInsensitive is
// ILIKE. A NULL on either side gives NULL.
type Like struct {
	X, Pattern      Expr
	Not             bool
	CaseInsensitive bool
}

// Cast converts X to To as PostgreSQL's CAST does: a string that does not
// parse is ErrBadValue naming the value, a number out of the target's
// range is an overflow error, a float to an integer rounds half away from
// zero, a timestamp to a date truncates.
type Cast struct {
	X  Expr
	To storage.ColumnType
}

// Func is a scalar function call by lower-case name. The engine knows
// abs, round (1 or 2 args), floor, ceil, lower, upper, length, nullif,
// greatest, least, date_part/extract (field, timestamp|date; the field a
// string literal: year, quarter, month, day, hour, minute, second, dow,
// doy, epoch, week). Anything else is ErrInvalidPlan naming the function.
type Func struct {
	Name string
	Args []Expr
}

// Param is a query parameter ($1 has Index 1). Plans carry it between
// preparing and executing a statement; it must be replaced by a Lit
// before binding, which refuses it.
type Param struct{ Index int }

func (Case) isExpr()     {}
func (Coalesce) isExpr() {}
func (Like) isExpr()     {}
func (Cast) isExpr()     {}
func (Func) isExpr()     {}
func (Param) isExpr()    {}

func (e Case) String() string {
	var b strings.Builder
	b.WriteString("CASE")
	for _, w := range e.Whens {
		fmt.Fprintf(&b, " WHEN %v THEN %v", w.Cond, w.Then)
	}
	if e.Else != nil {
		fmt.Fprintf(&b, " ELSE %v", e.Else)
	}
	b.WriteString(" END")
	return b.String()
}

func (e Coalesce) String() string { return "coalesce(" + exprList(e.Args) + ")" }

func (e Like) String() string {
	op := "LIKE"
	if e.CaseInsensitive {
		op = "ILIKE"
	}
	if e.Not {
		op = "NOT " + op
	}
	return fmt.Sprintf("(%v %s %v)", e.X, op, e.Pattern)
}

func (e Cast) String() string  { return fmt.Sprintf("CAST(%v AS %v)", e.X, e.To) }
func (e Func) String() string  { return e.Name + "(" + exprList(e.Args) + ")" }
func (e Param) String() string { return fmt.Sprintf("$%d", e.Index) }

func exprList(es []Expr) string {
	out := make([]string, len(es))
	for i, x := range es {
		out[i] = x.String()
	}
	return strings.Join(out, ", ")
}
