package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// SuiteConfig configures RunSuite, the comparison of Strata with
// PostgreSQL behind `strata bench`.
type SuiteConfig struct {
	Datasets []*Dataset
	Rows     int64
	Seed     int64
	Runs     int // timed runs of each query, after one warm-up
	// PostgresURL is a server to use; empty starts a private one
	// (bench/pgtest: initdb on a free loopback port, as the postgres user
	// when root) and stops it at the end.
	PostgresURL string
	// StrataAddr is a running node's PostgreSQL-protocol address; empty
	// starts an in-process node on a temporary directory.
	StrataAddr string
	NoSync     bool     // the in-process node: no fsync of the Raft log
	Profiles   []string // ProfileDefault and/or ProfileTuned
	OutDir     string   // the report is written here
	// UpdateResults, if set, is a file the Markdown report is copied to
	// (bench/RESULTS.md).
	UpdateResults string
	BatchRows     int
	Version       string // Strata's version, for the report
	Progress      io.Writer
	// Compare checks Strata's rows against PostgreSQL's; nil compares
	// exactly (reflect.DeepEqual, multisets unless the query is Ordered).
	Compare func(q Query, strata, postgres [][]any) error
}

// LoadResult is one engine's load of a dataset.
type LoadResult struct {
	Rows                 int64
	Method               string        // COPY, Writer
	Copy, Index, Analyze time.Duration // Index and Analyze: PostgreSQL only
}

// RowsPerSecond is the rate of the data load (COPY or Writer, not indexes).
func (l LoadResult) RowsPerSecond() float64 {
	if l.Copy <= 0 {
		return 0
	}
	return float64(l.Rows) / l.Copy.Seconds()
}

// Timing is one query's timed runs on one engine.
type Timing struct {
	Runs        []time.Duration
	Median, P95 time.Duration
}

func newTiming(runs []time.Duration) Timing {
	s := slices.Clone(runs)
	slices.Sort(s)
	t := Timing{Runs: runs}
	if n := len(s); n > 0 {
		if n%2 == 1 {
			t.Median = s[n/2]
		} else {
			t.Median = (s[n/2-1] + s[n/2]) / 2
		}
		t.P95 = s[min(n-1, int(math.Ceil(0.95*float64(n)))-1)]
	}
	return t
}

// QueryResult is one query on both engines under one profile.
type QueryResult struct {
	Name, SQL        string
	Rows             int
	Strata, Postgres Timing
	Ratio            float64 // PostgreSQL median / Strata median
}

// ProfileResult is the queries under one PostgreSQL profile.
type ProfileResult struct {
	Profile  string
	Note     string
	Settings map[string]string
	Queries  []QueryResult
	GeoMean  float64 // geometric mean of the ratios
}

// DatasetResult is one dataset's loads, memory and queries.
type DatasetResult struct {
	Name, Table                string
	Rows                       int64
	StrataLoad, PostgresLoad   LoadResult
	StrataDataBytes, StrataRSS int64
	PGTableBytes, PGIndexBytes int64
	Profiles                   []ProfileResult
}

// SuiteResult is a whole run.
type SuiteResult struct {
	Env      Environment
	Config   SuiteConfig
	Datasets []DatasetResult
	// Markdown and SVG are the report files written.
	Markdown, SVG string
}

// RunSuite loads every dataset into both engines, runs the queries and
// writes the report (report.md, ratios.svg) into cfg.OutDir. A query whose
// results differ fails the run.
func RunSuite(ctx context.Context, cfg SuiteConfig) (res *SuiteResult, err error) {
	if len(cfg.Datasets) == 0 {
		return nil, errors.New("bench: no datasets")
	}
	if cfg.Rows <= 0 {
		return nil, fmt.Errorf("bench: rows must be positive, got %d", cfg.Rows)
	}
	cfg.Runs = max(cfg.Runs, 1)
	if cfg.BatchRows <= 0 {
		cfg.BatchRows = 64 << 10
	}
	if len(cfg.Profiles) == 0 {
		cfg.Profiles = []string{ProfileDefault}
	}
	for _, p := range cfg.Profiles {
		if p != ProfileDefault && p != ProfileTuned {
			return nil, fmt.Errorf("bench: unknown profile %q (default, tuned or both)", p)
		}
	}
	if cfg.Compare == nil {
		cfg.Compare = exactCompare
	}
	if cfg.OutDir == "" {
		cfg.OutDir = filepath.Join("bench", "results", time.Now().Format("20060102-150405"))
	}
	if err := os.MkdirAll(cfg.OutDir, 0o755); err != nil {
		return nil, err
	}
	log := newProgress(cfg.Progress)

	pg, err := startPostgres(ctx, cfg.PostgresURL, log)
	if err != nil {
		return nil, err
	}
	defer pg.close()
	st, err := startStrata(ctx, cfg.StrataAddr, cfg.Version, cfg.NoSync, log)
	if err != nil {
		return nil, err
	}
	defer st.close()

	res = &SuiteResult{Config: cfg, Env: environment(cfg.Version, pg.version, st)}
	res.Env.StrataLoadPath = "Go client Writer (gRPC, Arrow IPC)"
	if st.c == nil {
		res.Env.StrataLoadPath = "COPY FROM STDIN (binary) over pgx"
	}
	for _, ds := range cfg.Datasets {
		dr, err := runDataset(ctx, cfg, ds, pg, st, log)
		if err != nil {
			return nil, fmt.Errorf("dataset %s: %w", ds.Name, err)
		}
		res.Datasets = append(res.Datasets, dr)
	}
	if err := writeReport(res); err != nil {
		return nil, err
	}
	log.Printf("report: %s, %s", res.Markdown, res.SVG)
	return res, nil
}

func runDataset(ctx context.Context, cfg SuiteConfig, ds *Dataset, pg *postgresSide, st *strataSide, log *progress) (DatasetResult, error) {
	dr := DatasetResult{Name: ds.Name, Table: ds.Table, Rows: cfg.Rows}
	var err error
	// Start from PostgreSQL's defaults for the load.
	if _, _, err = pg.applyProfile(ctx, ProfileDefault, log); err != nil {
		return dr, err
	}
	if dr.PostgresLoad, err = pg.load(ctx, ds, cfg.Rows, cfg.Seed, cfg.BatchRows, log); err != nil {
		return dr, err
	}
	if dr.PGTableBytes, dr.PGIndexBytes, err = pg.sizes(ctx, ds.Table); err != nil {
		return dr, fmt.Errorf("postgres: table size: %w", err)
	}
	if dr.StrataLoad, err = st.load(ctx, ds, cfg.Rows, cfg.Seed, cfg.BatchRows, log); err != nil {
		return dr, err
	}
	dr.StrataDataBytes, dr.StrataRSS = st.memory(ctx)
	for _, profile := range cfg.Profiles {
		settings, note, err := pg.applyProfile(ctx, profile, log)
		if err != nil {
			return dr, err
		}
		pr := ProfileResult{Profile: profile, Note: note, Settings: settings}
		logRatios := 0.0
		for _, q := range ds.Queries {
			qr, err := compareQuery(ctx, cfg, q, pg.conn, st.conn)
			if err != nil {
				return dr, fmt.Errorf("query %s (%s profile): %w", q.Name, profile, err)
			}
			log.Printf("%s/%s [%s]: strata %v, postgres %v, ratio %.2f", ds.Name, q.Name, profile,
				qr.Strata.Median.Round(time.Microsecond), qr.Postgres.Median.Round(time.Microsecond), qr.Ratio)
			logRatios += math.Log(qr.Ratio)
			pr.Queries = append(pr.Queries, qr)
		}
		if len(pr.Queries) > 0 {
			pr.GeoMean = math.Exp(logRatios / float64(len(pr.Queries)))
		}
		dr.Profiles = append(dr.Profiles, pr)
	}
	// Leave a private server as initdb made it; a server by URL was only
	// changed per session.
	if _, _, err := pg.applyProfile(ctx, ProfileDefault, log); err != nil {
		return dr, err
	}
	return dr, nil
}

// compareQuery runs q once on each engine to warm up, compares the answers,
// then times cfg.Runs runs on each, alternating engines.
func compareQuery(ctx context.Context, cfg SuiteConfig, q Query, pg, st *pgx.Conn) (QueryResult, error) {
	qr := QueryResult{Name: q.Name, SQL: q.TextFor("strata")}
	sRows, _, err := timeQuery(ctx, st, q.TextFor("strata"))
	if err != nil {
		return qr, fmt.Errorf("on Strata: %w", err)
	}
	pRows, _, err := timeQuery(ctx, pg, q.TextFor("postgres"))
	if err != nil {
		return qr, fmt.Errorf("on PostgreSQL: %w", err)
	}
	if err := cfg.Compare(q, sRows, pRows); err != nil {
		return qr, fmt.Errorf("Strata's and PostgreSQL's results differ: %w", err)
	}
	qr.Rows = len(sRows)
	var sRuns, pRuns []time.Duration
	for range cfg.Runs {
		_, d, err := timeQuery(ctx, st, q.TextFor("strata"))
		if err != nil {
			return qr, fmt.Errorf("on Strata: %w", err)
		}
		sRuns = append(sRuns, d)
		_, d, err = timeQuery(ctx, pg, q.TextFor("postgres"))
		if err != nil {
			return qr, fmt.Errorf("on PostgreSQL: %w", err)
		}
		pRuns = append(pRuns, d)
	}
	qr.Strata, qr.Postgres = newTiming(sRuns), newTiming(pRuns)
	qr.Ratio = float64(qr.Postgres.Median) / float64(max(qr.Strata.Median, time.Nanosecond))
	return qr, nil
}

// timeQuery runs text (simple protocol off: pgx's extended protocol, the
// same on both engines) and reads every row as Go values.
func timeQuery(ctx context.Context, conn *pgx.Conn, text string) ([][]any, time.Duration, error) {
	start := time.Now()
	rows, err := conn.Query(ctx, text)
	if err != nil {
		return nil, 0, err
	}
	var out [][]any
	for rows.Next() {
		v, err := rows.Values()
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		out = append(out, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	return out, time.Since(start), nil
}

// exactCompare is the fallback comparison: equal values, in order when the
// query is Ordered, as multisets otherwise.
func exactCompare(q Query, strata, postgres [][]any) error {
	if len(strata) != len(postgres) {
		return fmt.Errorf("%d rows on Strata, %d on PostgreSQL", len(strata), len(postgres))
	}
	key := func(r []any) string { return fmt.Sprintf("%#v", r) }
	if !q.Ordered {
		strata, postgres = slices.Clone(strata), slices.Clone(postgres)
		slices.SortFunc(strata, func(a, b []any) int { return strings.Compare(key(a), key(b)) })
		slices.SortFunc(postgres, func(a, b []any) int { return strings.Compare(key(a), key(b)) })
	}
	for i := range strata {
		if !reflect.DeepEqual(strata[i], postgres[i]) {
			return fmt.Errorf("row %d: Strata %v, PostgreSQL %v", i, strata[i], postgres[i])
		}
	}
	return nil
}
