package exec

import (
	"errors"
	"math"
	"testing"

	"github.com/stratadb/strata/storage"
)

// Expected values are PostgreSQL 15's round(x::numeric, d).
func TestRoundFloatDigits(t *testing.T) {
	cases := []struct {
		x    float64
		d    int64
		want float64
	}{
		{2.675, 2, 2.68}, {0.125, 2, 0.13}, {-2.5, 0, -3}, {1234.5, -2, 1200}, {1e20, 2, 1e20},
		{0.0004, 3, 0}, {0.0005, 3, 0.001}, {9.995, 2, 10}, {-0.125, 2, -0.13}, {123.456, -5, 0},
		{56789, -4, 60000}, {1.5, 400, 1.5}, {1.5, math.MaxInt64, 1.5}, {1.5, math.MinInt64, 0},
	}
	for _, c := range cases {
		if got := roundFloatDigits(c.x, c.d); got != c.want {
			t.Errorf("round(%v, %d) = %v, want %v", c.x, c.d, got, c.want)
		}
	}
	for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if got := roundFloatDigits(x, 1); !(got == x || got != got && x != x) {
			t.Errorf("round(%v, 1) = %v", x, got)
		}
	}
}

func TestRoundIntDigits(t *testing.T) {
	cases := []struct {
		x, d int64
		t    storage.ColumnType
		want int64
		err  bool
	}{
		{1234, -2, storage.TypeInt64, 1200, false}, {1250, -2, storage.TypeInt64, 1300, false},
		{-1250, -2, storage.TypeInt64, -1300, false}, {-1249, -2, storage.TypeInt64, -1200, false},
		{1234, 3, storage.TypeInt64, 1234, false}, {5, -19, storage.TypeInt64, 0, false},
		{math.MaxInt64, -1, storage.TypeInt64, 0, true}, {math.MinInt64, -1, storage.TypeInt64, 0, true},
		{math.MaxInt64, -18, storage.TypeInt64, 9_000_000_000_000_000_000, false},
		{2147483647, -1, storage.TypeInt32, 0, true}, {2147483644, -1, storage.TypeInt32, 2147483640, false},
	}
	for _, c := range cases {
		got, err := roundIntDigits(c.x, c.d, c.t)
		if c.err {
			if !errors.Is(err, ErrOverflow) {
				t.Errorf("round(%d, %d) = %d, %v; want an overflow", c.x, c.d, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("round(%d, %d) = %d, %v; want %d", c.x, c.d, got, err, c.want)
		}
	}
}
