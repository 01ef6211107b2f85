package storage

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// floatRange's four-lane loop agrees with a plain one on lengths around
// the lane width, with NaNs, infinities and signed zeros.
func TestFloatRangeMatchesPlainLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	specials := []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0, math.MaxFloat64, -math.MaxFloat64}
	for iter := 0; iter < 2000; iter++ {
		n := 1 + rng.IntN(11)
		vals := make([]float64, n)
		for i := range vals {
			vals[i] = rng.NormFloat64() * 100
			if rng.IntN(6) == 0 {
				vals[i] = specials[rng.IntN(len(specials))]
			}
		}
		b := array.NewFloat64Builder(memory.DefaultAllocator)
		b.AppendValues(vals, nil)
		a := b.NewFloat64Array()
		lo, hi, ok := floatRange(a)
		a.Release()
		b.Release()

		wlo, whi, wok := math.Inf(1), math.Inf(-1), true
		for _, v := range vals {
			if v != v {
				wok = false
				break
			}
			wlo, whi = math.Min(wlo, v), math.Max(whi, v)
		}
		if ok != wok || (ok && (lo != wlo || hi != whi)) {
			t.Fatalf("floatRange(%v) = %v, %v, %v; want %v, %v, %v", vals, lo, hi, ok, wlo, whi, wok)
		}
	}
}
