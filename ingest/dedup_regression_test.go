package ingest

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stratadb/strata/storage"
)

// Review findings for the FSM and its dedup table. Each test states the
// behaviour the requirements ask for; a failure demonstrates the bug.

// TestSequenceZeroForNewProducerDoesNotPanic: dedupTable.check
// dereferences a nil *producer when a producer it has never seen sends
// sequence 0 (seq <= last with last = 0). The panic is on raft's FSM
// goroutine, so every replica crashes on that entry and crashes again on
// replay after restart. The server's admit refuses sequence 0 today, but
// the FSM is the last line of defence for whatever proposes writes
// (Kafka pipelines, future callers).
func TestSequenceZeroForNewProducerDoesNotPanic(t *testing.T) {
	h := newHarness(t, Options{})
	require.NoError(t, h.apply(CreateTableCommand(kvDef, false)).Err)
	require.NotPanics(t, func() {
		r := h.apply(WriteCommand("kv", "fresh-producer", 0, payload(t, 0, 1)))
		require.Error(t, r.Err, "sequence 0 with a producer id must be refused, not applied")
	})
}

// TestForgottenFailureIsNotReportedAsSuccess: a duplicate of a
// sequence older than the 64 remembered outcomes is answered as a
// successful duplicate (Err nil, Duplicate true), even when that sequence
// failed. The client then counts the batch as applied: its rows are lost
// while the caller is told they landed. The requirement: "seq <= last
// duplicate answered with the first outcome".
func TestForgottenFailureIsNotReportedAsSuccess(t *testing.T) {
	h := newHarness(t, Options{})
	require.NoError(t, h.apply(CreateTableCommand(kvDef, false)).Err)
	bad := h.apply(WriteCommand("no-such-table", "p", 1, payload(t, 0, 3)))
	require.ErrorIs(t, bad.Err, storage.ErrNoTable)
	for seq := uint64(2); seq <= recentSequences+2; seq++ {
		require.NoError(t, h.apply(WriteCommand("kv", "p", seq, payload(t, 0, 1))).Err)
	}
	again := h.apply(WriteCommand("no-such-table", "p", 1, payload(t, 0, 3)))
	if again.Err == nil && again.Duplicate {
		t.Fatalf("sequence 1 failed (%v) but its retry is answered as an applied duplicate (version %d, rows %d)",
			bad.Err, again.Version, again.Rows)
	}
}

// TestHugeProducerExpiryOverflows: expire computes
// p.lastIndex+d.expiry, which wraps for a large ProducerExpiry, so a
// producer is forgotten the moment it is recorded and its next batch is
// refused as out of order.
func TestHugeProducerExpiryOverflows(t *testing.T) {
	h := newHarness(t, Options{ProducerExpiry: math.MaxUint64})
	require.NoError(t, h.apply(CreateTableCommand(kvDef, false)).Err)
	require.NoError(t, h.apply(WriteCommand("kv", "p", 1, payload(t, 0, 1))).Err)
	require.NoError(t, h.apply(WriteCommand("kv", "p", 2, payload(t, 1, 2))).Err,
		"a producer must not expire right after its first batch")
}

// TestDedupTableIsBounded: one-batch producers (a fresh id per
// client.Ingest call) cycle through a bounded table; every replica forgets
// the same, idlest ones, and the snapshot stays small.
func TestDedupTableIsBounded(t *testing.T) {
	h := newHarness(t, Options{MaxProducers: 100})
	require.NoError(t, h.apply(CreateTableCommand(kvDef, false)).Err)
	p := payload(t, 0, 1)
	for i := 0; i < 500; i++ {
		require.NoError(t, h.apply(WriteCommand("kv", fmt.Sprintf("p-%024x", i), 1, p)).Err)
	}
	require.Equal(t, 100, h.fsm.dedup.byIdle.Len())
	require.Nil(t, h.fsm.dedup.get(fmt.Sprintf("p-%024x", 399)), "the idlest are forgotten")
	require.NotNil(t, h.fsm.dedup.get(fmt.Sprintf("p-%024x", 400)))
	body := appendDedup(nil, h.fsm.dedup.clone())
	require.Less(t, len(body), 100*80, "about 60 bytes per one-batch producer")
	back, err := decodeDedup(body)
	require.NoError(t, err)
	require.Equal(t, h.fsm.dedup.clone(), back)
}

// TestOldFailuresAreRemembered: failures older than the recent window
// keep their error; beyond maxRememberedFailures the answer is
// ErrOutcomeForgotten, never an applied duplicate.
func TestOldFailuresAreRemembered(t *testing.T) {
	h := newHarness(t, Options{})
	require.NoError(t, h.apply(CreateTableCommand(kvDef, false)).Err)
	seq := uint64(0)
	for i := 0; i < maxRememberedFailures+recentSequences+1; i++ {
		seq++
		require.Error(t, h.apply(WriteCommand("nope", "p", seq, payload(t, 0, 1))).Err)
	}
	for i := 0; i < recentSequences; i++ {
		seq++
		require.NoError(t, h.apply(WriteCommand("kv", "p", seq, payload(t, 0, 1))).Err)
	}
	r := h.apply(WriteCommand("nope", "p", 1, payload(t, 0, 1)))
	require.ErrorIs(t, r.Err, ErrOutcomeForgotten, "the oldest failure was dropped")
	// 273 failures, 256 remembered: sequences 18..273 keep their error.
	r = h.apply(WriteCommand("nope", "p", 18, payload(t, 0, 1)))
	require.ErrorIs(t, r.Err, storage.ErrNoTable, "a remembered old failure keeps its error")
	r = h.apply(WriteCommand("nope", "p", 17, payload(t, 0, 1)))
	require.ErrorIs(t, r.Err, ErrOutcomeForgotten)
	r = h.apply(WriteCommand("kv", "p", seq-recentSequences+1, payload(t, 0, 1)))
	require.True(t, r.Duplicate)
}
