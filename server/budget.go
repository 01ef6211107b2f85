package server

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
)

// budget bounds the bytes of ingest batches in flight (received, not yet
// applied). A batch that does not fit within a short wait is refused with
// ErrOverloaded, so producers slow down instead of the node running out of
// memory; nothing is dropped silently. Waiters are served first come,
// first served, so a large batch is not starved by a stream of small ones.
type budget struct {
	sem   *semaphore.Weighted
	limit int64
	used  atomic.Int64
}

func newBudget(limit int64) *budget {
	return &budget{sem: semaphore.NewWeighted(limit), limit: limit}
}

// acquire reserves n bytes, waiting up to wait for room, and returns what
// it reserved (to give back with release). A batch larger than the whole
// budget takes all of it, so it goes through alone.
func (b *budget) acquire(n int64, wait time.Duration) (int64, error) {
	n = min(n, b.limit)
	// TryAcquire first: Acquire fails at once on a context that is already
	// done, even with room, and a tiny wait expires before Acquire looks.
	if !b.sem.TryAcquire(n) {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := b.sem.Acquire(ctx, n); err != nil {
			return 0, fmt.Errorf("%w: %d bytes of batches in flight, the ingest budget is %d", ErrOverloaded, b.used.Load(), b.limit)
		}
	}
	b.used.Add(n)
	return n, nil
}

func (b *budget) release(n int64) {
	b.used.Add(-n)
	b.sem.Release(n)
}

func (b *budget) inUse() int64 { return b.used.Load() }
