package raftlog

import (
	"context"
	"sync"
	"time"
)

// watermark is the highest log index whose effect the FSM holds. It only
// grows. Waiters block on a channel that is closed (and replaced) each time
// it grows, so a wait costs nothing while nothing happens.
type watermark struct {
	mu      sync.Mutex    // guards both fields; never held while calling out
	index   uint64        // the watermark
	changed chan struct{} // closed and replaced when index grows
}

func newWatermark() *watermark {
	return &watermark{changed: make(chan struct{})}
}

// load returns the watermark.
func (w *watermark) load() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.index
}

// current returns the watermark and a channel closed once it grows.
func (w *watermark) current() (uint64, <-chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.index, w.changed
}

// advance raises the watermark to index; a lower index is ignored.
func (w *watermark) advance(index uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if index <= w.index {
		return
	}
	w.index = index
	close(w.changed)
	w.changed = make(chan struct{})
}

// waitFor blocks until the watermark reaches index, settled(watermark)
// reports true, ctx ends (its error) or stop closes (ErrShutdown).
//
// settled covers what never moves the watermark: raft's no-op and barrier
// entries do not reach the FSM, so an index that is one of them is
// recognised by asking raft, not by a notification. It is therefore polled
// every poll while waiting; a nil settled disables polling.
func (w *watermark) waitFor(ctx context.Context, index uint64, stop <-chan struct{},
	settled func(cur uint64) bool, poll time.Duration) error {
	var tick <-chan time.Time
	for {
		cur, changed := w.current()
		if cur >= index || (settled != nil && settled(cur)) {
			return nil
		}
		if tick == nil && settled != nil {
			t := time.NewTicker(poll)
			defer t.Stop()
			tick = t.C
		}
		select {
		case <-changed:
		case <-tick:
		case <-ctx.Done():
			return ctx.Err()
		case <-stop:
			return ErrShutdown
		}
	}
}
