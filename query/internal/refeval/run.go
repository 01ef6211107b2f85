package refeval

import (
	"fmt"
	"math"
	"slices"

	"github.com/stratadb/strata/query/plan"
)

// Result is the reference's verdict on a plan.
type Result struct {
	// Schema is the plan's output schema (from plan.Bind).
	Schema plan.Schema
	// Version is the version the first scan read.
	Version uint64
	// Err, when set, is an error every correct evaluation must raise (of
	// one of the classes in Possible, not necessarily Err's own).
	Err error
	// Possible holds one error per class that some correct evaluation may
	// raise: every error met while evaluating everything. Empty: the query
	// must succeed.
	Possible []error
	// Rows is one correct answer when Err is nil, in order when the plan
	// sorts. Check judges an engine's answer; there may be many.
	Rows [][]plan.Value
	// Unstable: a float sum or average is ill-conditioned (large values
	// cancel), so adding in another order, as a parallel engine does, may
	// change it beyond any sane tolerance, and every value computed from
	// it. The rows cannot be judged; errors and the schema still can.
	Unstable bool

	need    int            // rows an answer has
	keyFns  []fn           // root sort keys over Schema; nil: unordered
	keys    []plan.SortKey // root sort keys
	winKeys [][]plan.Value // sorted: key values of Rows, position by position
	pool    []keyedRow     // rows an answer may draw from (clean ones)
}

type keyedRow struct {
	vals []plan.Value
	key  []plan.Value
}

// AllowsError reports whether a correct engine may fail with err. classOf
// maps the engine's error to refeval's sentinels (or plan's).
func (res *Result) AllowsError(class error) bool {
	for _, e := range res.Possible {
		if Class(e) == class {
			return true
		}
	}
	return false
}

// Run evaluates p against db at version (0 or Latest: the latest applied),
// as query.Execute would with Options.Version = version.
func Run(db *DB, p plan.Node, version uint64) *Result {
	r := newRun(db, version)
	res := &Result{}
	fail := func(err error) *Result {
		r.note(err)
		res.Err, res.Possible, res.Version, res.Unstable = err, r.possible, r.scanVersion, r.unstable
		return res
	}
	bound, schema, err := plan.Bind(p, r.cat)
	if err != nil {
		return fail(err)
	}
	res.Schema = schema
	body := bound
	lim := &plan.Limit{Count: -1}
	if l, ok := body.(*plan.Limit); ok {
		lim, body = l, l.Input
	}
	var keys []plan.SortKey
	if s, ok := body.(*plan.Sort); ok {
		keys, body = s.Keys, s.Input
	}
	in, err := r.node(body)
	if err != nil {
		return fail(err)
	}
	if !slices.Equal(in.schema, schema) {
		panic(fmt.Sprintf("BUG: refeval: schema %v, plan.Bind says %v", in.schema, schema))
	}
	res.Version = r.scanVersion
	r.checkOutputApprox(in)
	if keys != nil {
		err = r.finishSorted(res, in, keys, lim)
	} else {
		err = finishUnsorted(res, in, lim)
	}
	if err != nil {
		return fail(err)
	}
	res.Possible = r.possible
	res.Unstable = r.unstable
	return res
}

// finishUnsorted: the answer is any need rows whose existence and values
// are known. An engine that skips poisoned rows (LIMIT lets it stop early)
// succeeds only if enough clean rows exist.
func finishUnsorted(res *Result, in *rel, lim *plan.Limit) error {
	var known, clean int
	var firstErr error
	for _, t := range in.rows {
		err := t.err
		if err == nil {
			known++
			err = t.cellErr()
		}
		if err == nil {
			clean++
			res.pool = append(res.pool, keyedRow{vals: values(t)})
		} else if firstErr == nil {
			firstErr = err
		}
	}
	lo, hi := window(len(in.rows), lim.Count, lim.Offset)
	res.need = hi - lo
	if known < len(in.rows) {
		// How many rows exist is unknown: only a LIMIT the engine can
		// fill from known rows lets it succeed.
		res.need = int(lim.Count)
		if lim.Count < 0 || int64(known) < lim.Offset+lim.Count {
			return firstErr
		}
	}
	if clean < res.need {
		return firstErr
	}
	for _, p := range res.pool[:res.need] {
		res.Rows = append(res.Rows, p.vals)
	}
	return nil
}

// finishSorted: the answer is the window of the sorted rows, where rows
// tied on the sort key at the window's edges may be swapped for others
// with the same key.
func (r *run) finishSorted(res *Result, in *rel, keys []plan.SortKey, lim *plan.Limit) error {
	rows, ks, err := r.sortRows(in, keys)
	if err != nil {
		return err
	}
	res.keys = keys
	if res.keyFns, err = r.keyFns(keys, in.schema); err != nil {
		return err
	}
	lo, hi := window(len(rows), lim.Count, lim.Offset)
	res.need = hi - lo
	if res.need == 0 {
		return nil
	}
	for _, t := range rows {
		if t.err != nil {
			return t.err // a row whose place or existence is unknown
		}
	}
	for i, t := range rows {
		if t.cellErr() == nil {
			res.pool = append(res.pool, keyedRow{vals: values(t), key: ks[i]})
		}
	}
	for i := lo; i < hi; {
		j := i
		for j < hi && compareKeys(ks[i], ks[j], keys) == 0 {
			j++
		}
		if err := res.fillTie(rows, ks, i, j-i); err != nil {
			return err
		}
		i = j
	}
	return nil
}

// fillTie takes n rows with the key of ks[at] into the answer, preferring
// clean ones; too few clean rows with that key is a definite error. Rows
// are sorted, so the tied rows are a run around at.
func (res *Result) fillTie(rows []tuple, ks [][]plan.Value, at, n int) error {
	s, e := at, at
	for s > 0 && compareKeys(ks[s-1], ks[at], res.keys) == 0 {
		s--
	}
	for e < len(rows) && compareKeys(ks[e], ks[at], res.keys) == 0 {
		e++
	}
	var firstErr error
	for i := s; i < e; i++ {
		if err := rows[i].cellErr(); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if n > 0 {
			res.Rows = append(res.Rows, values(rows[i]))
			res.winKeys = append(res.winKeys, ks[i])
			n--
		}
	}
	if n > 0 {
		return firstErr
	}
	return nil
}

func (r *run) keyFns(keys []plan.SortKey, sch plan.Schema) ([]fn, error) {
	c := compiler{poison: func(err error) cell { return cell{err: err} }}
	fns := make([]fn, len(keys))
	for i, k := range keys {
		f, _, err := c.compile(k.Expr, sch)
		if err != nil {
			return nil, err
		}
		fns[i] = f
	}
	return fns, nil
}

func values(t tuple) []plan.Value {
	out := make([]plan.Value, len(t.cells))
	for i, c := range t.cells {
		out[i] = c.v
	}
	return out
}

// checkOutputApprox marks the run unstable when an output value's error
// bound exceeds the tolerance answers are compared with (1e-9 relative).
func (r *run) checkOutputApprox(in *rel) {
	for _, t := range in.rows {
		for _, c := range t.cells {
			if c.approx > 0 && c.err == nil && !c.v.Null && c.approx > 1e-9*math.Max(math.Abs(c.v.Float), 1) {
				r.unstable = true
				return
			}
		}
	}
}
