package server

import (
	"fmt"
	"sync"
	"time"
)

// budget bounds the bytes of ingest batches in flight (received, not yet
// applied). A batch that does not fit within a short wait is refused with
// ErrOverloaded, so producers slow down instead of the node running out of
// memory; nothing is dropped silently.
type budget struct {
	mu    sync.Mutex
	cond  *sync.Cond
	limit int64
	used  int64
}

func newBudget(limit int64) *budget {
	b := &budget{limit: limit}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// acquire reserves n bytes, waiting up to wait for room. A batch larger
// than the whole budget is admitted alone, so it can still go through.
func (b *budget) acquire(n int64, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.used > 0 && b.used+n > b.limit {
		left := time.Until(deadline)
		if left <= 0 {
			return fmt.Errorf("%w: %d bytes of batches in flight, the ingest budget is %d", ErrOverloaded, b.used, b.limit)
		}
		t := time.AfterFunc(left, b.cond.Broadcast)
		b.cond.Wait()
		t.Stop()
	}
	b.used += n
	return nil
}

func (b *budget) release(n int64) {
	b.mu.Lock()
	b.used -= n
	b.mu.Unlock()
	b.cond.Broadcast()
}

func (b *budget) inUse() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}
