package exec

import (
	"fmt"
	"math"
	"strconv"

	"github.com/stratadb/strata/storage"
)

// roundFloatDigits is round(x, d) for a float as PostgreSQL computes
// round(x::numeric, d): x is read as the 15 significant digits a float8
// converts to numeric with, then rounded half away from zero at 10^-d.
// When d keeps all 15 digits, x is returned as it is.
func roundFloatDigits(x float64, d int64) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	d = min(max(d, -400), 400) // beyond these every float rounds alike
	var buf [32]byte
	s := strconv.AppendFloat(buf[:0], math.Abs(x), 'e', 14, 64) // d.ddddddddddddddde±XX
	exp, _ := strconv.Atoi(string(s[17:]))
	keep := int64(exp) + 1 + d // significant digits left of the rounding point
	switch {
	case keep >= 15:
		return x
	case keep < 0:
		return 0
	}
	digits := append(s[:1:1], s[2:16]...) // the 15 digits
	var q int64
	for _, c := range digits[:keep] {
		q = q*10 + int64(c-'0')
	}
	if digits[keep] >= '5' {
		q++
	}
	if q == 0 {
		return 0
	}
	r, _ := strconv.ParseFloat(strconv.FormatInt(q, 10)+"e"+strconv.FormatInt(-d, 10), 64)
	return math.Copysign(r, x)
}

var pow10 = func() [19]int64 {
	var p [19]int64
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// roundIntDigits is round(x, d) for an integer: x itself when d >= 0,
// else x rounded half away from zero to a multiple of 10^-d, which must
// fit type t.
func roundIntDigits(x, d int64, t storage.ColumnType) (int64, error) {
	if d >= 0 {
		return x, nil
	}
	if d < -18 {
		return 0, nil // |x| < 10^19/2
	}
	p := pow10[-d]
	q, r := x/p, x%p
	if r < 0 {
		r = -r
	}
	if r >= p-r { // 2|r| >= p, without overflowing
		if x < 0 {
			q--
		} else {
			q++
		}
	}
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if t == storage.TypeInt32 {
		lo, hi = math.MinInt32, math.MaxInt32
	}
	if q > hi/p || q < lo/p {
		return 0, fmt.Errorf("%w: round(%d, %d)", ErrOverflow, x, d)
	}
	return q * p, nil
}
