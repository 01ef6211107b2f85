package query

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/stratadb/strata/query/exec"
	"github.com/stratadb/strata/query/plan"
)

// Explanation is how a query runs: its bound plan and, for every scan,
// what the run reads, computed by the engine's own pruning without reading
// a row. ExplainAnalyze also runs the query and records its Stats.
type Explanation struct {
	Plan    plan.Node // bound: constants coerced, functions named canonically
	Schema  plan.Schema
	Version uint64     // the version read (see Stats.Version)
	Scans   []ScanInfo // one per Scan, depth-first
	// Workers is the most any scan uses (1 without scans). A pipeline over
	// a large intermediate result (cut into 64K-row morsels) may use more;
	// only a run tells (Stats.Workers).
	Workers int

	Analyzed bool  // set by ExplainAnalyze, with the fields below
	Rows     int64 // rows returned
	Stats    Stats
}

// ScanInfo is what one Scan reads: partitions and chunks of the table's
// snapshot, those its filters rule out by partition key and by min/max
// statistics (Chunks = ChunksScanned + PrunedByKey + PrunedByStats), and
// the workers that scan the rest.
type ScanInfo struct {
	Table                      string
	AsOf                       uint64
	Partitions, PartitionsRead int
	Chunks, ChunksScanned      int
	PrunedByKey, PrunedByStats int
	Workers                    int

	node *plan.Scan
}

// ChunksPruned is PrunedByKey + PrunedByStats, what Stats.ChunksPruned
// counts for this scan.
func (s ScanInfo) ChunksPruned() int { return s.PrunedByKey + s.PrunedByStats }

// Explain binds p, takes the snapshots Execute would, and reports how a
// run would read them, without running it. Errors are Execute's planning
// errors (unknown tables and columns, type mismatches, versions).
func Explain(ctx context.Context, src Source, p plan.Node, opts Options) (*Explanation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	q, err := prepare(src, p, opts)
	if err != nil {
		return nil, err
	}
	defer q.snaps.release()
	return q.explain()
}

// ExplainAnalyze explains p and runs it on the same snapshots, so the
// counts of the plan and of the run agree. The caller releases the Result.
func ExplainAnalyze(ctx context.Context, src Source, p plan.Node, opts Options) (*Explanation, *Result, error) {
	start := time.Now()
	q, err := prepare(src, p, opts)
	if err != nil {
		return nil, nil, err
	}
	defer q.snaps.release()
	e, err := q.explain()
	if err != nil {
		return nil, nil, err
	}
	res, err := q.execute(ctx, start)
	if err != nil {
		return nil, nil, err
	}
	e.Analyzed, e.Rows, e.Stats = true, res.NumRows(), res.Stats
	return e, res, nil
}

func (q *prepared) explain() (*Explanation, error) {
	scans, err := exec.PlanScans(q.bound, q.snaps, q.config())
	if err != nil {
		return nil, err
	}
	e := &Explanation{Plan: q.bound, Schema: q.schema, Version: q.snaps.defaultVersion(), Workers: 1}
	for _, s := range scans {
		e.Scans = append(e.Scans, ScanInfo{
			Table: s.Scan.Table, AsOf: s.Scan.AsOf,
			Partitions: s.Partitions, PartitionsRead: s.PartitionsRead,
			Chunks: s.Chunks, ChunksScanned: s.ChunksScanned,
			PrunedByKey: s.PrunedByKey, PrunedByStats: s.PrunedByStats,
			Workers: s.Workers, node: s.Scan,
		})
		e.Workers = max(e.Workers, s.Workers)
	}
	return e, nil
}

// Lines renders the explanation as PostgreSQL's EXPLAIN does: one line per
// plan node, children indented under "-> ", a scan's line followed by what
// it reads; after an analyzed run, a footer with what the run did:
//
//	Aggregate sum(v) AS s GROUP BY host AS host
//	  -> Filter (ts >= '2024-01-01 00:00:00')
//	    -> Scan telemetry  partitions: 1 of 16  chunks: 3 of 48 (45 pruned by stats)  workers: 2
func (e *Explanation) Lines() []string {
	byNode := map[*plan.Scan]ScanInfo{}
	for _, s := range e.Scans {
		byNode[s.node] = s
	}
	var out []string
	var walk func(n plan.Node, depth int)
	walk = func(n plan.Node, depth int) {
		line := n.Describe()
		if depth > 0 {
			line = strings.Repeat("  ", depth) + "-> " + line
		}
		if s, ok := n.(*plan.Scan); ok {
			line += "  " + byNode[s].String()
		}
		out = append(out, line)
		for _, c := range n.Children() {
			walk(c, depth+1)
		}
	}
	walk(e.Plan, 0)
	if e.Analyzed {
		st := e.Stats
		out = append(out,
			fmt.Sprintf("Rows returned: %d", e.Rows),
			fmt.Sprintf("Chunks: %d scanned, %d pruned", st.ChunksScanned, st.ChunksPruned),
			fmt.Sprintf("Rows scanned: %d", st.RowsScanned),
			fmt.Sprintf("Workers: %d", st.Workers),
			fmt.Sprintf("Version: %d", st.Version),
			fmt.Sprintf("Elapsed: %v", st.Elapsed.Round(time.Microsecond)),
		)
	}
	return out
}

// String is Lines joined with newlines.
func (e *Explanation) String() string { return strings.Join(e.Lines(), "\n") }

// String describes the scan as Lines shows it.
func (s ScanInfo) String() string {
	pruned := ""
	switch {
	case s.PrunedByKey > 0 && s.PrunedByStats > 0:
		pruned = fmt.Sprintf(" (%d pruned by partition key, %d by stats)", s.PrunedByKey, s.PrunedByStats)
	case s.PrunedByKey > 0:
		pruned = fmt.Sprintf(" (%d pruned by partition key)", s.PrunedByKey)
	case s.PrunedByStats > 0:
		pruned = fmt.Sprintf(" (%d pruned by stats)", s.PrunedByStats)
	}
	return fmt.Sprintf("partitions: %d of %d  chunks: %d of %d%s  workers: %d",
		s.PartitionsRead, s.Partitions, s.ChunksScanned, s.Chunks, pruned, s.Workers)
}
