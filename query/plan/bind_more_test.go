package plan

import (
	"errors"
	"strings"
	"testing"

	"github.com/stratadb/strata/storage"
)

var testSchema = Schema{
	{"i", storage.TypeInt64}, {"i32", storage.TypeInt32}, {"f", storage.TypeFloat64}, {"s", storage.TypeString},
	{"ts", storage.TypeTimestamp}, {"d", storage.TypeDate}, {"b", storage.TypeBool}, {"bin", storage.TypeBinary},
}

func TestBindMoreTypes(t *testing.T) {
	c := func(n string) Expr { return Col{n} }
	l := func(v Value) Expr { return Lit{v} }
	when := func(then Expr, els Expr) Expr { return Case{Whens: []When{{Cond: c("b"), Then: then}}, Else: els} }
	cases := []struct {
		e    Expr
		want storage.ColumnType
	}{
		{when(c("i32"), c("i")), storage.TypeInt64},
		{when(c("i32"), l(Int32(1))), storage.TypeInt32},
		{when(c("i"), c("f")), storage.TypeFloat64},
		{when(l(Null()), c("i32")), storage.TypeInt32},
		{when(c("ts"), l(String("2024-01-01"))), storage.TypeTimestamp},
		{when(c("d"), c("ts")), storage.TypeTimestamp},
		{when(l(Null()), nil), storage.TypeString},
		{when(l(String("a")), l(Null())), storage.TypeString},
		{when(c("i32"), l(String("5"))), storage.TypeInt64}, // the literal reads as int64
		{Coalesce{[]Expr{c("i32"), l(Float64(1))}}, storage.TypeFloat64},
		{Like{X: c("s"), Pattern: l(Null())}, storage.TypeBool},
		{Cast{X: c("s"), To: storage.TypeDate}, storage.TypeDate},
		{Func{Name: "abs", Args: []Expr{c("i32")}}, storage.TypeInt32},
		{Func{Name: "round", Args: []Expr{c("i"), l(Int64(-1))}}, storage.TypeInt64},
		{Func{Name: "round", Args: []Expr{c("f")}}, storage.TypeFloat64},
		{Func{Name: "floor", Args: []Expr{c("i")}}, storage.TypeFloat64},
		{Func{Name: "Length", Args: []Expr{c("bin")}}, storage.TypeInt32},
		{Func{Name: "nullif", Args: []Expr{c("i32"), l(Float64(1.5))}}, storage.TypeFloat64},
		{Func{Name: "greatest", Args: []Expr{c("i32"), c("i"), l(Null())}}, storage.TypeInt64},
		{Func{Name: "extract", Args: []Expr{l(String("Years")), c("d")}}, storage.TypeFloat64},
		{Func{Name: "date_part", Args: []Expr{l(String("epoch")), l(String("2024-01-01"))}}, storage.TypeFloat64},
	}
	for _, tc := range cases {
		b, got, err := BindExpr(tc.e, testSchema)
		if err != nil || got != tc.want {
			t.Errorf("%v: %v, %v; want %v", tc.e, got, err, tc.want)
			continue
		}
		if _, again, err := BindExpr(b, testSchema); err != nil || again != got {
			t.Errorf("rebinding %v: %v, %v", b, again, err) // the engine rebinds bound plans
		}
	}
}

func TestBindMoreErrors(t *testing.T) {
	c := func(n string) Expr { return Col{n} }
	cases := []struct {
		e    Expr
		want error
		msg  string
	}{
		{Param{Index: 2}, ErrInvalidPlan, "parameter $2 has no value"},
		{Case{Whens: []When{{Cond: c("b"), Then: c("i")}}, Else: c("s")}, ErrTypeMismatch, "CASE types bigint and text cannot be matched"},
		{Case{Whens: []When{{Cond: c("i"), Then: c("i")}}}, ErrTypeMismatch, ""},
		{Case{}, ErrInvalidPlan, ""},
		{Coalesce{}, ErrInvalidPlan, ""},
		{Like{X: c("i"), Pattern: Lit{String("a")}}, ErrTypeMismatch, ""},
		{Cast{X: c("b"), To: storage.TypeFloat64}, ErrTypeMismatch, "cannot cast type boolean to double precision"},
		{Cast{X: Lit{String("abc")}, To: storage.TypeInt64}, ErrBadValue, `invalid input syntax for type bigint: "abc"`},
		{Func{Name: "sqrt", Args: []Expr{c("f")}}, ErrInvalidPlan, "function sqrt does not exist"},
		{Func{Name: "round", Args: []Expr{c("f"), c("f")}}, ErrTypeMismatch, ""},
		{Func{Name: "lower", Args: []Expr{c("i")}}, ErrTypeMismatch, ""},
		{Func{Name: "date_part", Args: []Expr{c("s"), c("ts")}}, ErrInvalidPlan, ""},
		{Func{Name: "date_part", Args: []Expr{Lit{String("fortnight")}, c("ts")}}, ErrBadValue, ""},
		{Func{Name: "abs"}, ErrInvalidPlan, "abs takes 1 argument"},
	}
	for _, tc := range cases {
		_, _, err := BindExpr(tc.e, testSchema)
		if !errors.Is(err, tc.want) || !strings.Contains(fmtErr(err), tc.msg) {
			t.Errorf("%v: %v, want %v containing %q", tc.e, err, tc.want, tc.msg)
		}
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// A cast of a constant folds, except to text (a string literal would be
// read as untyped) and when out of range (the engine raises it per row).
func TestBindCastFolds(t *testing.T) {
	for _, tc := range []struct {
		e    Expr
		fold bool
	}{
		{Cast{X: Lit{String(" 41 ")}, To: storage.TypeInt32}, true},
		{Cast{X: Lit{Int64(41)}, To: storage.TypeString}, false},
		{Cast{X: Lit{Int64(1 << 40)}, To: storage.TypeInt32}, false},
		{Cast{X: Lit{Null()}, To: storage.TypeDate}, true},
	} {
		b, _, err := BindExpr(tc.e, nil)
		if _, isLit := b.(Lit); err != nil || isLit != tc.fold {
			t.Errorf("%v bound to %v, %v; want folded %v", tc.e, b, err, tc.fold)
		}
	}
}

func TestBindNodes(t *testing.T) {
	v := &Values{Names: []string{"a", "b"}, Rows: [][]Expr{{Lit{Int32(1)}, Lit{Null()}}, {Lit{Int64(2)}, Lit{String("x")}}}}
	_, s, err := Bind(v, nil)
	if err != nil || s[0].Type != storage.TypeInt64 || s[1].Type != storage.TypeString {
		t.Errorf("values: %v, %v", s, err)
	}
	for _, bad := range []Node{
		&Values{Names: []string{"a"}},
		&Values{Names: []string{"a"}, Rows: [][]Expr{{Lit{Int64(1)}, Lit{Int64(2)}}}},
		&DistinctOn{Input: v},
		&Aggregate{Input: v},
	} {
		if _, _, err := Bind(bad, nil); !errors.Is(err, ErrInvalidPlan) {
			t.Errorf("%s: %v, want invalid plan", bad.Describe(), err)
		}
	}
	d := &DistinctOn{Input: v, On: []Expr{Col{"b"}}}
	if _, s2, err := Bind(d, nil); err != nil || len(s2) != 2 {
		t.Errorf("distinct on: %v, %v", s2, err)
	}
	agg := &Aggregate{Input: v, GroupBy: []Named{{"a", Col{"a"}}}}
	if _, s3, err := Bind(agg, nil); err != nil || len(s3) != 1 || agg.Describe() != `Aggregate GROUP BY a AS a` {
		t.Errorf("distinct as an aggregate: %v, %v, %q", s3, err, agg.Describe())
	}
}
