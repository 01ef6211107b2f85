package server

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestBudgetAdmitsWithRoomEvenWithoutWaiting(t *testing.T) {
	b := newBudget(100)
	for _, wait := range []time.Duration{0, time.Nanosecond} {
		got, err := b.acquire(60, wait)
		require.NoError(t, err, "wait %v with room", wait)
		require.EqualValues(t, 60, got)
		_, err = b.acquire(60, wait)
		require.True(t, errors.Is(err, ErrOverloaded), "no room: %v", err)
		require.Contains(t, err.Error(), "the ingest budget is 100")
		b.release(got)
	}
	require.Zero(t, b.inUse())
}

func TestBudgetOversizedBatchGoesThroughAlone(t *testing.T) {
	b := newBudget(100)
	got, err := b.acquire(1000, 0)
	require.NoError(t, err)
	require.EqualValues(t, 100, got, "takes the whole budget, not more")
	_, err = b.acquire(1, 0)
	require.Error(t, err)
	b.release(got)
	require.Zero(t, b.inUse())
}

func TestBudgetWaitsForRoom(t *testing.T) {
	b := newBudget(100)
	held, err := b.acquire(100, 0)
	require.NoError(t, err)
	go func() {
		time.Sleep(20 * time.Millisecond)
		b.release(held)
	}()
	got, err := b.acquire(50, 10*time.Second)
	require.NoError(t, err, "room freed within the wait")
	b.release(got)
}
