package raftlog

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// wait runs waitFor on its own goroutine.
func wait(w *watermark, ctx context.Context, index uint64, stop chan struct{},
	settled func(uint64) bool) <-chan error {
	done := make(chan error, 1)
	go func() { done <- w.waitFor(ctx, index, stop, settled, settlePoll) }()
	return done
}

func blocked(done <-chan error) bool {
	synctest.Wait()
	select {
	case <-done:
		return false
	default:
		return true
	}
}

func TestWatermarkWaitsForIndex(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWatermark()
		done := wait(w, context.Background(), 5, nil, nil)
		if !blocked(done) {
			t.Fatal("returned before any advance")
		}
		w.advance(3)
		if !blocked(done) {
			t.Fatal("returned at 3")
		}
		w.advance(2) // lower: ignored
		if w.load() != 3 {
			t.Fatalf("watermark went back to %d", w.load())
		}
		w.advance(7)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if err := w.waitFor(context.Background(), 7, nil, nil, 0); err != nil {
			t.Fatalf("already reached: %v", err)
		}
	})
}

func TestWatermarkWaitEndsWithContextOrStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWatermark()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		if err := <-wait(w, ctx, 1, nil, nil); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("ctx: %v", err)
		}
		if d := time.Since(start); d != time.Second { // fake time: exact
			t.Errorf("returned after %s", d)
		}
		stop := make(chan struct{})
		done := wait(w, context.Background(), 1, stop, nil)
		close(stop)
		if err := <-done; !errors.Is(err, ErrShutdown) {
			t.Fatalf("stop: %v", err)
		}
	})
}

func TestWatermarkPollsSettled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWatermark()
		w.advance(4)
		start := time.Now()
		settled := func(cur uint64) bool {
			if cur != 4 {
				t.Errorf("settled asked from %d", cur)
			}
			return time.Since(start) >= 120*time.Millisecond
		}
		if err := <-wait(w, context.Background(), 6, nil, settled); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 3*settlePoll {
			t.Errorf("settled after %s, want the third poll (%s)", d, 3*settlePoll)
		}
	})
}
