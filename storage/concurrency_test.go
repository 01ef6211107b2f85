package storage

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestConcurrentApplyAndSnapshots runs one writer and several readers.
// Every Apply writes the same number of rows to two tables, each row
// carrying its version; a reader at any version must see, in both tables,
// exactly the rows of every version up to it: never part of a batch, never
// one table without the other.
func TestConcurrentApplyAndSnapshots(t *testing.T) {
	s, mem := newTestStore(t, 64)
	a := eventsDef
	b := TableDef{Name: "pairs", Columns: []Column{{Name: "v", Type: TypeInt64}, {Name: "k", Type: TypeString}}, SortKey: []string{"k"}}
	require.NoError(t, s.CreateTable(1, a))
	require.NoError(t, s.CreateTable(2, b))

	const versions = 200
	rowsAt := func(v uint64) int { return 1 + int(v*7)%23 } // 1..23 rows per version
	var done atomic.Bool
	var wg sync.WaitGroup
	check := func(v uint64) error {
		snap, err := s.Snapshot(v, "events", "pairs")
		if err != nil {
			return err
		}
		defer snap.Release()
		v = snap.Version()
		want := map[int64]int{}
		for w := uint64(3); w <= v; w++ {
			want[int64(w)] = rowsAt(w)
		}
		for _, name := range []string{"events", "pairs"} {
			ts, err := snap.Table(name)
			if err != nil {
				return err
			}
			got := map[int64]int{}
			col := 3
			if name == "pairs" {
				col = 0
			}
			for _, row := range visibleRows(ts) {
				got[row[col].(int64)]++
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				return fmt.Errorf("%s at version %d: rows per version %v, want %v", name, v, got, want)
			}
		}
		return nil
	}
	errs := make(chan error, 8)
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, 1))
			for !done.Load() {
				v := Latest
				if applied := s.Applied(); applied > 3 && rng.IntN(2) == 0 {
					v = 2 + rng.Uint64N(applied-1)
				}
				if err := check(v); err != nil {
					errs <- err
					return
				}
			}
		}(uint64(r))
	}
	for v := uint64(3); v < 3+versions; v++ {
		n := rowsAt(v)
		rows := eventRows(int(v)*100, int(v)*100+n, v)
		var pairs [][]any
		for i := 0; i < n; i++ {
			pairs = append(pairs, []any{int64(v), fmt.Sprintf("k%d", (int(v)+i)%11)})
		}
		ra, rb := buildRecord(t, mem, &a, rows), buildRecord(t, mem, &b, pairs)
		err := s.Apply(v, []TableBatch{{"events", ra}, {"pairs", rb}})
		ra.Release()
		rb.Release()
		require.NoError(t, err)
	}
	done.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	require.NoError(t, check(Latest))
}
