package main

import (
	"fmt"
	"strings"
	"testing"

	stratapb "github.com/stratadb/strata/proto"
)

// exprString renders a predicate compactly for comparisons.
func exprString(e *stratapb.Expr) string {
	switch k := e.GetKind().(type) {
	case *stratapb.Expr_Column:
		return k.Column
	case *stratapb.Expr_Literal:
		v := k.Literal
		switch v.GetType() {
		case stratapb.ColumnType_INT64:
			return fmt.Sprintf("%d", v.GetInt())
		case stratapb.ColumnType_FLOAT64:
			return fmt.Sprintf("%gf", v.GetFloat())
		case stratapb.ColumnType_BOOL:
			return fmt.Sprintf("bool(%d)", v.GetInt())
		case stratapb.ColumnType_STRING:
			return fmt.Sprintf("'%s'", v.GetBytes())
		}
		return "?"
	case *stratapb.Expr_Binary:
		return fmt.Sprintf("(%s %s %s)", exprString(k.Binary.GetLeft()), k.Binary.GetOp(), exprString(k.Binary.GetRight()))
	case *stratapb.Expr_IsNull:
		if k.IsNull.GetNot() {
			return exprString(k.IsNull.GetX()) + " NOTNULL"
		}
		return exprString(k.IsNull.GetX()) + " ISNULL"
	}
	return fmt.Sprintf("%T", e.GetKind())
}

func TestParseWhere(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"amount > 100", "(amount GT 100)"},
		{"amount>=-1.5e2", "(amount GE -150f)"},
		{"direction = 'debit'", "(direction EQ 'debit')"},
		{"name = 'O''Brien'", "(name EQ 'O'Brien')"},
		{`"odd col" <> 3`, "(odd col NE 3)"},
		{"a != 1 and b < 2 AND c <= .5", "(((a NE 1) AND (b LT 2)) AND (c LE 0.5f))"},
		{"ok = TRUE", "(ok EQ bool(1))"},
		{"ok = false", "(ok EQ bool(0))"},
		{"x IS NULL", "x ISNULL"},
		{"x is not null AND y = 1", "(x NOTNULL AND (y EQ 1))"},
		{"100 < amount", "(amount GT 100)"},
		{"ts >= '2026-01-01 00:00:00'", "(ts GE '2026-01-01 00:00:00')"},
		{"big = 99999999999999999999", "(big EQ 1e+20f)"},
	} {
		e, err := parseWhere(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if got := exprString(e); got != tc.want {
			t.Errorf("%q\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}

func TestParseWhereErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"amount > ", "at 10: expected a number, 'string', TRUE or FALSE, found the end"},
		{"a = 1 OR b = 2", "at 7: OR is not supported"},
		{"a = NULL", "use col IS NULL"},
		{"a IS 3", "expected NULL after IS"},
		{"a = 'open", "unterminated '"},
		{"a ~ 1", "at 3: unexpected '~'"},
		{"a = 1 b = 2", `expected AND or the end, found "b"`},
		{"1 = 2", `expected a column, found "2"`},
		{"a ! 1", "'!' must be followed by '='"},
		{"AND = 1", `expected a column, found "AND"`},
	} {
		_, err := parseWhere(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.in, err, tc.want)
		}
	}
}
