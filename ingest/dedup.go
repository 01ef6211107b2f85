package ingest

import (
	"container/list"
	"slices"
)

// recentSequences is how many of a producer's latest batches the dedup
// table remembers the outcome of (version or error). An older duplicate
// is still recognised, but answered without its version.
const recentSequences = 64

// DefaultProducerExpiry is how many log entries a producer may stay idle
// before the dedup table forgets it (about 16M entries; at one entry per
// batch, far longer than any retry).
const DefaultProducerExpiry = 1 << 24

// dedupTable is the FSM's memory of producers: the last sequence applied
// and the outcomes of the latest ones. It changes only in Apply and
// Restore, which raft calls from one goroutine, so it has no lock.
// Expiry is by log index, never the wall clock, so replicas agree.
type dedupTable struct {
	expiry    uint64
	producers map[string]*list.Element // of *producer
	byIdle    *list.List               // least recently active first
}

type producer struct {
	id        string
	last      uint64 // last sequence applied (or failed)
	lastIndex uint64 // log index of the producer's last batch
	recent    []outcome
}

// outcome is how one sequence was decided.
type outcome struct {
	seq     uint64
	version uint64
	rows    int64
	err     *appliedError
}

func newDedupTable(expiry uint64) *dedupTable {
	if expiry == 0 {
		expiry = DefaultProducerExpiry
	}
	return &dedupTable{expiry: expiry, producers: map[string]*list.Element{}, byIdle: list.New()}
}

func (d *dedupTable) get(id string) *producer {
	if e, ok := d.producers[id]; ok {
		return e.Value.(*producer)
	}
	return nil
}

// check classifies a batch: a duplicate (with its earlier outcome), out of
// order, or next in line.
func (d *dedupTable) check(id string, seq uint64) (dup *outcome, wantSeq uint64, next bool) {
	p := d.get(id)
	last := uint64(0)
	if p != nil {
		last = p.last
	}
	switch {
	case seq <= last:
		for i := range p.recent {
			if p.recent[i].seq == seq {
				return &p.recent[i], 0, false
			}
		}
		return &outcome{seq: seq}, 0, false // older than we remember
	case seq == last+1:
		return nil, seq, true
	}
	return nil, last + 1, false
}

// record notes a decided sequence at log index and expires producers idle
// for longer than the expiry.
func (d *dedupTable) record(id string, o outcome, index uint64) {
	e, ok := d.producers[id]
	if !ok {
		e = d.byIdle.PushBack(&producer{id: id})
		d.producers[id] = e
	} else {
		d.byIdle.MoveToBack(e)
	}
	p := e.Value.(*producer)
	p.last, p.lastIndex = o.seq, index
	p.recent = append(p.recent, o)
	if len(p.recent) > recentSequences {
		p.recent = slices.Delete(p.recent, 0, len(p.recent)-recentSequences)
	}
	d.expire(index)
}

func (d *dedupTable) expire(index uint64) {
	for f := d.byIdle.Front(); f != nil; f = d.byIdle.Front() {
		p := f.Value.(*producer)
		if p.lastIndex+d.expiry >= index {
			return
		}
		d.byIdle.Remove(f)
		delete(d.producers, p.id)
	}
}

// clone copies the table for a snapshot (outcomes are never mutated in
// place, so slices are copied shallowly).
func (d *dedupTable) clone() []producer {
	out := make([]producer, 0, d.byIdle.Len())
	for e := d.byIdle.Front(); e != nil; e = e.Next() {
		p := *e.Value.(*producer)
		p.recent = slices.Clone(p.recent)
		out = append(out, p)
	}
	return out
}

// fromList rebuilds a table from producers in idle order.
func fromList(expiry uint64, ps []producer) *dedupTable {
	d := newDedupTable(expiry)
	for i := range ps {
		p := ps[i]
		d.producers[p.id] = d.byIdle.PushBack(&p)
	}
	return d
}
