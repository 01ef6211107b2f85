package exec

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/stratadb/strata/storage"
)

// TestDistinctFallsBackToSet marks ids far apart so the bitsets outgrow
// their bound, and checks counts and merging survive the switch.
func TestDistinctFallsBackToSet(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	a, b := newDistinctAgg(storage.TypeInt64), newDistinctAgg(storage.TypeInt64)
	a.grow(2)
	b.grow(2)
	for _, id := range []int32{1, 5, 1, 64 * maxDistinctWords, 7} {
		a.mark(0, id)
	}
	a.mark(1, 3)
	if a.set == nil {
		t.Fatal("bitsets should have given way to the set")
	}
	// b stays on bitsets: ids map through the value dictionaries on merge.
	for i := int64(0); i < 10; i++ {
		b.dict.int(i)
	}
	for _, id := range []int32{1, 2, 9} {
		b.mark(1, id)
	}
	a.dict = newKeyDict(storage.TypeInt64)
	for i := int64(0); i <= 64*maxDistinctWords; i++ {
		if i < 10 || i == 64*maxDistinctWords {
			a.dict.int(i)
		}
	}
	a.merge(b, []int32{0, 1})
	arr, err := a.finish(mem, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer arr.Release()
	got := arr.(*array.Int64).Int64Values()
	// group 0: ids {1, 5, 7, big}; group 1: {3} plus b's {1, 2, 9}.
	if got[0] != 4 || got[1] != 4 {
		t.Fatalf("counts %v, want [4 4]", got)
	}
}
