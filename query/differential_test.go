package query_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stratadb/strata/query"
	"github.com/stratadb/strata/query/internal/refeval"
	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// TestDifferential runs random plans over random worlds (tables, writes,
// rollbacks, no-op versions, a small chunk size) through the engine and
// through query/internal/refeval, a naive reference that reads the test's
// own copy of every row, and fails on any difference: error class, schema,
// or rows (a multiset when unordered; with ORDER BY, the engine's order is
// checked and ties may come in any order; with LIMIT any valid choice of
// tied rows is accepted). Floats compare with a relative tolerance of 1e-9
// (absolute near zero), since the engine sums in parallel in no fixed order;
// everything else must be exact.
//
// Run and replay:
//
//	go test ./query -run 'TestDifferential$'                      # fixed budget, random seed (logged)
//	go test ./query -run 'TestDifferential$' -diff.seed=N          # replay; or STRATA_DIFF_SEED=N
//	go test ./query -run 'TestDifferential$' -diff.seed=N -diff.worlds=1 -diff.query=Q   # one query
//	go test ./query -run 'TestDifferential$' -diff.long            # long mode; or STRATA_DIFF_LONG=1
//	go test ./query -run 'TestDifferential$' -diff.long -diff.duration=30m
//
// World i of a run uses seed N+i, and a failure prints the world's seed
// and query number, so -diff.seed=<world seed> -diff.worlds=1 -diff.query=Q
// replays just it; -diff.trace prints each world and plan before running it,
// to find a query that crashes the test binary. The default budget (36
// worlds of 80 queries, 10-25 s with -race on two cores; -short runs 6)
// keeps the package's tests within a minute. Long mode runs new worlds
// until the duration passes (about 500 worlds a minute without -race).
//
// Errors: the reference models a failed computation as poison that only
// fails the query when every evaluation order must compute it (see
// refeval's package doc), so the engine may fail with any error the
// reference met, must fail when the reference's failure is definite, and
// must succeed when the reference met none.
var (
	flagDiffSeed     = flag.Uint64("diff.seed", 0, "differential test: first world's seed (0: random; env STRATA_DIFF_SEED)")
	flagDiffWorlds   = flag.Int("diff.worlds", 0, "differential test: number of worlds (0: default budget)")
	flagDiffQueries  = flag.Int("diff.queries", 0, "differential test: queries per world (0: default)")
	flagDiffQuery    = flag.Int("diff.query", -1, "differential test: run only this query number of each world")
	flagDiffLong     = flag.Bool("diff.long", false, "differential test: run worlds until -diff.duration passes (env STRATA_DIFF_LONG=1)")
	flagDiffDuration = flag.Duration("diff.duration", 10*time.Minute, "differential test: how long -diff.long runs")
	flagDiffMaxFail  = flag.Int("diff.maxfail", 8, "differential test: stop after this many mismatches")
	flagDiffTrace    = flag.Bool("diff.trace", false, "differential test: print every world and plan before running it (to find one that crashes)")
)

const (
	diffDefaultWorlds  = 36
	diffShortWorlds    = 6
	diffDefaultQueries = 80
)

type diffRun struct {
	mu       sync.Mutex // guards stats during concurrent queries
	seed     uint64
	worlds   int
	queries  int
	deadline time.Time // long mode
	stats    map[string]int
	failures int
}

func diffSettings(t *testing.T) *diffRun {
	r := &diffRun{worlds: diffDefaultWorlds, queries: diffDefaultQueries, stats: map[string]int{}}
	r.seed = *flagDiffSeed
	if s := os.Getenv("STRATA_DIFF_SEED"); s != "" && r.seed == 0 {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("STRATA_DIFF_SEED=%q: %v", s, err)
		}
		r.seed = n
	}
	if r.seed == 0 {
		r.seed = uint64(time.Now().UnixNano())
	}
	if testing.Short() {
		r.worlds = diffShortWorlds
	}
	if *flagDiffLong || os.Getenv("STRATA_DIFF_LONG") != "" {
		r.worlds = 1 << 30
		r.deadline = time.Now().Add(*flagDiffDuration)
	}
	if *flagDiffWorlds > 0 {
		r.worlds = *flagDiffWorlds
	}
	if *flagDiffQueries > 0 {
		r.queries = *flagDiffQueries
	}
	return r
}

func TestDifferential(t *testing.T) {
	r := diffSettings(t)
	t.Logf("seed %d (replay: go test ./query -run 'TestDifferential$' -diff.seed=%d)", r.seed, r.seed)
	start := time.Now()
	worlds := 0
	for i := range r.worlds {
		if !r.deadline.IsZero() && time.Now().After(r.deadline) {
			break
		}
		r.world(t, r.seed+uint64(i))
		worlds++
		if r.failures >= *flagDiffMaxFail {
			t.Fatalf("stopping after %d mismatches", r.failures)
		}
	}
	keys := make([]string, 0, len(r.stats))
	for k := range r.stats {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%d", k, r.stats[k])
	}
	t.Logf("%d worlds in %v; outcomes:%s", worlds, time.Since(start).Round(time.Millisecond), b.String())
}

func (r *diffRun) world(t *testing.T, seed uint64) {
	if *flagDiffTrace {
		fmt.Fprintf(os.Stderr, "world seed %d\n", seed)
	}
	w := newDiffWorld(t, seed)
	defer w.close(t)
	if *flagDiffTrace {
		fmt.Fprintf(os.Stderr, "ChunkRows=%d history:\n  %s\n", w.chunkRows, strings.Join(w.log, "\n  "))
	}
	g := &diffGen{rng: w.rng, w: w}
	r.sequential(t, w, g, 0, r.queries)
	if w.rng.IntN(3) == 0 && r.failures < *flagDiffMaxFail {
		r.concurrent(t, w, g, r.queries)
		r.sequential(t, w, g, r.queries+diffConcurrentQueries, 10)
	}
}

// sequential runs n queries numbered from first, one at a time, checking
// after each that its result was released in full.
func (r *diffRun) sequential(t *testing.T, w *diffWorld, g *diffGen, first, n int) {
	base := w.mem.CurrentAlloc()
	for qi := first; qi < first+n; qi++ {
		q := g.query()
		if *flagDiffQuery >= 0 && qi != *flagDiffQuery {
			continue
		}
		if *flagDiffTrace {
			fmt.Fprintf(os.Stderr, "world seed %d query %d, version %d:\n%s", w.seed, qi, q.version, plan.Format(q.plan))
		}
		msg := r.runQuery(w, w.db, q)
		if msg == "" {
			if leaked := w.mem.CurrentAlloc() - base; leaked != 0 {
				msg = fmt.Sprintf("\n%d bytes still allocated after releasing the result (leak)", leaked)
			}
		}
		if r.report(t, w, qi, q, msg, "") {
			return
		}
	}
}

// report fails the test with a mismatch description, if any, and says
// whether to stop.
func (r *diffRun) report(t *testing.T, w *diffWorld, qi int, q diffQuery, msg, note string) bool {
	if msg == "" {
		return false
	}
	r.failures++
	r.stats["MISMATCH"]++
	t.Errorf("MISMATCH world seed %d, query %d%s (replay: go test ./query -run 'TestDifferential$' -diff.seed=%d -diff.worlds=1 -diff.query=%d)\n"+
		"Options.Version=%d Parallelism=%d, applied %d, ChunkRows=%d\nplan:\n%s%s\nhistory:\n  %s",
		w.seed, qi, note, w.seed, qi, q.version, q.par, w.db.Applied, w.chunkRows, plan.Format(q.plan), msg, strings.Join(w.log, "\n  "))
	return r.failures >= *flagDiffMaxFail
}

const diffConcurrentQueries = 24

// concurrent runs queries on three goroutines while a fourth keeps
// mutating the store: reads at versions applied before it started must
// still see exactly what they saw (readers never wait for writers and never
// see later writes), and the engine must be safe for concurrent queries.
// The reference reads a frozen copy of the model.
func (r *diffRun) concurrent(t *testing.T, w *diffWorld, g *diffGen, first int) {
	frozen := w.freeze()
	qs := make([]diffQuery, diffConcurrentQueries)
	for i := range qs {
		qs[i] = g.query()
		diffPinVersions(&qs[i], frozen.Applied)
	}
	steps := 4 + w.rng.IntN(8)
	var wg sync.WaitGroup
	var writeErr error
	wg.Go(func() {
		for range steps {
			if writeErr = w.step(false); writeErr != nil {
				return
			}
		}
	})
	msgs := make([]string, len(qs))
	const workers = 3
	for k := range workers {
		wg.Go(func() {
			for i := k; i < len(qs); i += workers {
				if *flagDiffQuery < 0 || first+i == *flagDiffQuery {
					msgs[i] = r.runQuery(w, frozen, qs[i])
				}
			}
		})
	}
	wg.Wait()
	if writeErr != nil {
		t.Fatal(writeErr)
	}
	for i, msg := range msgs {
		if r.report(t, w, first+i, qs[i], msg, fmt.Sprintf(" (concurrent with writes after version %d)", frozen.Applied)) {
			return
		}
	}
}

// diffPinVersions makes q read only versions applied by now (v0) or far
// beyond what a concurrent writer reaches, so its answer does not depend on
// the writer's progress.
func diffPinVersions(q *diffQuery, v0 uint64) {
	pin := func(v uint64) uint64 {
		switch {
		case v == 0 || v == storage.Latest:
			return v0
		case v > v0:
			return v0 + 1000 + v - v0
		}
		return v
	}
	q.version = pin(q.version)
	var walk func(n plan.Node)
	walk = func(n plan.Node) {
		if s, ok := n.(*plan.Scan); ok && s.AsOf != 0 {
			s.AsOf = pin(s.AsOf)
		}
		for _, c := range n.Children() {
			walk(c)
		}
	}
	walk(q.plan)
}

// runQuery runs q on the engine and on the reference reading db, and
// returns a description of any difference, or "". It is safe to call
// concurrently.
func (r *diffRun) runQuery(w *diffWorld, db *refeval.DB, q diffQuery) string {
	ref := refeval.Run(db, q.plan, q.version)
	res, err := query.Execute(context.Background(), w.store, q.plan, query.Options{
		Version: q.version, Parallelism: q.par, Allocator: w.mem,
	})
	r.mu.Lock()
	msg := r.judge(ref, res, err, q)
	r.mu.Unlock()
	if res != nil {
		res.Release()
	}
	return msg
}

func (r *diffRun) judge(ref *refeval.Result, res *query.Result, err error, q diffQuery) string {
	if err != nil {
		class := diffEngineClass(err)
		r.stats["err:"+diffClassName(class)]++
		if class == nil || !ref.AllowsError(class) {
			return fmt.Sprintf("\nengine error: %v\nreference: %s", err, diffDescribe(ref))
		}
		return ""
	}
	if ref.Err != nil && ref.Unstable {
		// The reference picked one of several valid answers (a DISTINCT
		// ON row among equals, say) and its pick failed; another pick, the
		// engine's, may not.
		r.stats["ok:unstable-error"]++
		return ""
	}
	if ref.Err != nil {
		return fmt.Sprintf("\nengine succeeded with %d rows, but every correct evaluation fails: %v", res.NumRows(), ref.Err)
	}
	rows, cerr := diffRows(res, ref.Schema)
	switch {
	case cerr == nil && ref.Unstable:
		r.stats["ok:unstable-float-sum"]++ // rows depend on the order of addition
	case cerr == nil:
		cerr = ref.Check(rows)
	}
	if cerr == nil && res.Stats.Version != ref.Version {
		cerr = fmt.Errorf("Stats.Version = %d, want %d (the version the scan read)", res.Stats.Version, ref.Version)
	}
	if cerr != nil {
		return "\n" + cerr.Error()
	}
	r.stats["ok"]++
	if len(ref.Possible) > 0 {
		r.stats["ok:skipped-error"]++
	}
	for _, part := range strings.Split(q.shape, "+") {
		r.stats["shape:"+part]++
	}
	return ""
}

func diffClassName(class error) string {
	if class == nil {
		return "unknown"
	}
	return strings.TrimPrefix(class.Error(), "refeval: ")
}

func diffDescribe(ref *refeval.Result) string {
	if ref.Err != nil {
		return fmt.Sprintf("must fail: %v (may fail with: %v)", ref.Err, ref.Possible)
	}
	if len(ref.Possible) > 0 {
		return fmt.Sprintf("may fail with %v, else %d rows", ref.Possible, len(ref.Rows))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "succeeds with %d rows, schema %v", len(ref.Rows), ref.Schema)
	for i, row := range ref.Rows {
		if i == 8 {
			b.WriteString("\n  ...")
			break
		}
		b.WriteString("\n  " + refeval.FormatRow(row))
	}
	return b.String()
}
