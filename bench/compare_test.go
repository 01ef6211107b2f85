package bench

import (
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

func TestCompareResults(t *testing.T) {
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	berlin := time.FixedZone("CET", 3600)
	num := func(i int64, exp int32) pgtype.Numeric {
		return pgtype.Numeric{Int: big.NewInt(i), Exp: exp, Valid: true}
	}
	q := Query{Name: "q", Ordered: true}
	equal := []struct {
		name   string
		strata any
		pg     any
	}{
		{"int64 vs numeric sum", int64(0), num(0, 0)},
		{"int64 vs numeric with exponent", int64(1200), num(12, 2)},
		{"int32 vs int64", int32(7), int64(7)},
		{"float vs numeric avg", 2.5, num(25, -1)},
		{"float sums in another order", 0.1 + 0.2 + 0.3, 0.3 + 0.2 + 0.1},
		{"float within 1e-9 relative", 1e6, 1e6 * (1 + 5e-10)},
		{"floats near zero", 1e-15, -1e-15},
		{"same instant, other zone", at, at.In(berlin)},
		{"strings", "host-0042", "host-0042"},
		{"NULLs", nil, nil},
	}
	for _, c := range equal {
		if err := CompareResults(q, [][]any{{c.strata}}, [][]any{{c.pg}}); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	differ := []struct {
		name   string
		strata any
		pg     any
		want   string
	}{
		{"ints", int64(1), int64(2), "strata 1 (int64), postgres 2 (int64)"},
		{"int vs numeric", int64(1), num(2, 0), "postgres 2 (numeric)"},
		{"floats beyond tolerance", 1.0, 1.0 + 1e-8, "strata 1 (float64)"},
		{"instants", at, at.Add(time.Microsecond), "2024-01-01T00:00:00.000001Z"},
		{"strings", "a", "b", `strata "a" (string), postgres "b" (string)`},
		{"string vs number", "1", int64(1), "strata"},
		{"NULL vs 0", nil, int64(0), "strata NULL, postgres 0 (int64)"},
		{"0 vs NULL", 0.0, nil, "postgres NULL"},
	}
	for _, c := range differ {
		err := CompareResults(q, [][]any{{"x", c.strata}}, [][]any{{"x", c.pg}})
		if err == nil {
			t.Errorf("%s: no difference found", c.name)
			continue
		}
		if !strings.Contains(err.Error(), "query q: row 0 column 2") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q, want it to name the row, column and %q", c.name, err, c.want)
		}
	}

	// Row counts and order.
	if err := CompareResults(q, [][]any{{int64(1)}}, nil); err == nil || !strings.Contains(err.Error(), "1 rows, postgres 0") {
		t.Errorf("row count: %v", err)
	}
	a := [][]any{{"a", int64(1)}, {"b", 2.0}}
	b := [][]any{{"b", num(2, 0)}, {"a", int64(1)}}
	if err := CompareResults(q, a, b); err == nil {
		t.Error("ordered rows in another order compared equal")
	}
	if err := CompareResults(Query{Name: "u"}, a, b); err != nil {
		t.Errorf("unordered rows: %v", err)
	}
}
