package exec

import (
	"context"
	"errors"
	"testing"
)

func TestWorkerPanicBecomesError(t *testing.T) {
	err := forEachMorsel(context.Background(), 2, 10, func(w, i int) error {
		if i == 7 {
			panic("boom")
		}
		return nil
	})
	if !errors.Is(err, ErrInternal) {
		t.Fatalf("got %v", err)
	}
}
