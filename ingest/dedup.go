package ingest

import (
	"container/list"
	"slices"
	"unicode/utf8"
)

// What the dedup table remembers, per producer:
//
//	last            the last sequence decided (applied or failed)
//	recent          the outcomes of the last recentSequences sequences, with
//	                their versions: a retry of one gets the same answer
//	failures        failed sequences older than recent (at most
//	                maxRememberedFailures): a retry of one gets its error
//	forgotBelow     failures below it may have been dropped
//
// A retry of an older sequence that is not a remembered failure was
// applied: it is answered as a duplicate, without its version. One below
// forgotBelow is answered ErrOutcomeForgotten, never as a success.
const (
	recentSequences       = 16
	maxRememberedFailures = 256
	maxErrorMessage       = 256
)

// DefaultProducerExpiry is how many log entries a producer may stay idle
// before the dedup table forgets it (about 16M entries).
const DefaultProducerExpiry = 1 << 24

// DefaultMaxProducers bounds the producers remembered: past it, the one
// idle longest (by log index) is forgotten. Every replica forgets the same
// one. A client that writes once per producer id (client.Ingest) cycles
// through it.
const DefaultMaxProducers = 1 << 16

// dedupTable is the FSM's memory of producers. It changes only in Apply and
// Restore, which raft calls from one goroutine, so it has no lock. Expiry
// and eviction go by log index, never the wall clock, so replicas agree.
type dedupTable struct {
	expiry       uint64
	maxProducers int
	producers    map[string]*list.Element // of *producer
	byIdle       *list.List               // least recently active first
}

type producer struct {
	id          string
	last        uint64
	lastIndex   uint64
	forgotBelow uint64
	recent      []outcome
	failures    []outcome
}

// outcome is how one sequence was decided.
type outcome struct {
	seq     uint64
	version uint64
	rows    int64
	err     *appliedError
}

func newDedupTable(expiry uint64, maxProducers int) *dedupTable {
	if expiry == 0 {
		expiry = DefaultProducerExpiry
	}
	if maxProducers <= 0 {
		maxProducers = DefaultMaxProducers
	}
	return &dedupTable{expiry: expiry, maxProducers: maxProducers, producers: map[string]*list.Element{}, byIdle: list.New()}
}

func (d *dedupTable) get(id string) *producer {
	if e, ok := d.producers[id]; ok {
		return e.Value.(*producer)
	}
	return nil
}

// verdict is how a batch's sequence stands.
type verdict uint8

const (
	verdictNext       verdict = iota // apply it
	verdictDuplicate                 // decided before: answer with the outcome
	verdictForgotten                 // decided too long ago to know how
	verdictOutOfOrder                // skips ahead
)

// check classifies a sequence (> 0) of a producer.
func (d *dedupTable) check(id string, seq uint64) (verdict, *outcome, uint64) {
	p := d.get(id)
	if p == nil {
		if seq == 1 {
			return verdictNext, nil, 1
		}
		return verdictOutOfOrder, nil, 1
	}
	switch {
	case seq == p.last+1:
		return verdictNext, nil, seq
	case seq > p.last+1:
		return verdictOutOfOrder, nil, p.last + 1
	}
	if o := findOutcome(p.recent, seq); o != nil {
		return verdictDuplicate, o, 0
	}
	if o := findOutcome(p.failures, seq); o != nil {
		return verdictDuplicate, o, 0
	}
	if seq < p.forgotBelow {
		return verdictForgotten, nil, 0
	}
	return verdictDuplicate, &outcome{seq: seq}, 0 // applied, version not kept
}

// findOutcome searches outcomes sorted by sequence.
func findOutcome(os []outcome, seq uint64) *outcome {
	i, ok := slices.BinarySearchFunc(os, seq, func(o outcome, s uint64) int {
		switch {
		case o.seq < s:
			return -1
		case o.seq > s:
			return 1
		}
		return 0
	})
	if !ok {
		return nil
	}
	return &os[i]
}

// record notes a decided sequence at log index, then expires producers idle
// too long and evicts the idlest beyond the bound.
func (d *dedupTable) record(id string, o outcome, index uint64) {
	e, ok := d.producers[id]
	if !ok {
		e = d.byIdle.PushBack(&producer{id: id})
		d.producers[id] = e
	} else {
		d.byIdle.MoveToBack(e)
	}
	if o.err != nil && len(o.err.msg) > maxErrorMessage {
		o.err = &appliedError{kind: o.err.kind, msg: truncateUTF8(o.err.msg, maxErrorMessage)}
	}
	p := e.Value.(*producer)
	p.last, p.lastIndex = o.seq, index
	p.recent = append(p.recent, o)
	if len(p.recent) > recentSequences {
		if old := p.recent[0]; old.err != nil {
			p.failures = append(p.failures, old)
		}
		p.recent = slices.Delete(p.recent, 0, 1)
	}
	if len(p.failures) > maxRememberedFailures {
		p.forgotBelow = p.failures[0].seq + 1
		p.failures = slices.Delete(p.failures, 0, 1)
	}
	d.expire(index)
}

func (d *dedupTable) expire(index uint64) {
	for f := d.byIdle.Front(); f != nil; f = d.byIdle.Front() {
		p := f.Value.(*producer)
		if index-p.lastIndex <= d.expiry && d.byIdle.Len() <= d.maxProducers {
			return
		}
		d.byIdle.Remove(f)
		delete(d.producers, p.id)
	}
}

func truncateUTF8(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// clone copies the table for a snapshot, in idle order.
func (d *dedupTable) clone() []producer {
	out := make([]producer, 0, d.byIdle.Len())
	for e := d.byIdle.Front(); e != nil; e = e.Next() {
		p := *e.Value.(*producer)
		p.recent = slices.Clone(p.recent)
		p.failures = slices.Clone(p.failures)
		out = append(out, p)
	}
	return out
}

// fromList rebuilds a table from producers in idle order.
func fromList(expiry uint64, maxProducers int, ps []producer) *dedupTable {
	d := newDedupTable(expiry, maxProducers)
	for i := range ps {
		p := ps[i]
		d.producers[p.id] = d.byIdle.PushBack(&p)
	}
	return d
}
