package plan

import (
	"testing"

	"github.com/stratadb/strata/storage"
)

func TestExactIntComparison(t *testing.T) {
	in := Schema{{Name: "x", Type: storage.TypeInt64}, {Name: "i", Type: storage.TypeInt32}}
	for _, c := range []struct {
		e    Expr
		want string
	}{
		{Bin{OpEq, Col{"x"}, Lit{Float64(9007199254740992)}}, `(x = 9007199254740992)`},
		{Bin{OpLt, Col{"x"}, Lit{Float64(2.5)}}, `(x < 3)`},
		{Bin{OpLe, Col{"x"}, Lit{Float64(2.5)}}, `(x <= 2)`},
		{Bin{OpGt, Col{"x"}, Lit{Float64(-2.5)}}, `(x > -3)`},
		{Bin{OpGe, Col{"x"}, Lit{Float64(-2.5)}}, `(x >= -2)`},
		{Bin{OpEq, Col{"x"}, Lit{Float64(2.5)}}, `(x <> x)`},
		{Bin{OpNe, Col{"x"}, Lit{Float64(2.5)}}, `(x = x)`},
		{Bin{OpLt, Lit{Float64(2.5)}, Col{"x"}}, `(x > 2)`},
		{Bin{OpLt, Col{"x"}, Lit{Float64(1e30)}}, `(x = x)`},
		{Bin{OpGt, Col{"x"}, Lit{Float64(1e30)}}, `(x <> x)`},
		{Bin{OpGt, Col{"x"}, Lit{Float64(-1e30)}}, `(x = x)`},
		{Bin{OpLt, Col{"i"}, Lit{Float64(7.5)}}, `(i < 8)`},
		{Bin{OpLt, Col{"i"}, Lit{Float64(3e9)}}, `(i = i)`},
	} {
		got, _, err := BindExpr(c.e, in)
		if err != nil {
			t.Fatalf("%v: %v", c.e, err)
		}
		if got.String() != c.want {
			t.Errorf("%v: got %v, want %s", c.e, got, c.want)
		}
	}
}
