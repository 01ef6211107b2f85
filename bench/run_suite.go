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
// PostgreSQL (and optionally DuckDB) behind `strata bench`.
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
	NoSync     bool // the in-process node: no fsync of the Raft log
	// DuckDB adds DuckDB as a third engine: in this process, through its
	// Go binding, on a database file in a temporary directory; only a
	// binary built with -tags duckdb has it (else RunSuite returns
	// ErrNoDuckDB).
	DuckDB   bool
	Profiles []string // ProfileDefault and/or ProfileTuned
	OutDir   string   // the report is written here
	// UpdateResults, if set, is a file the Markdown report is copied to
	// (bench/RESULTS.md).
	UpdateResults string
	BatchRows     int
	Version       string // Strata's version, for the report
	Progress      io.Writer
	// Compare checks Strata's rows against PostgreSQL's, and against
	// DuckDB's (normalised to the Go types pgx returns: see
	// duckdbEngine.normalize) in the place of PostgreSQL's; nil compares
	// exactly (reflect.DeepEqual, multisets unless the query is Ordered).
	Compare func(q Query, strata, postgres [][]any) error
}

// ErrNoDuckDB is RunSuite's answer to SuiteConfig.DuckDB in a binary built
// without the duckdb build tag.
var ErrNoDuckDB = errors.New("bench: this binary was built without DuckDB; rebuild with -tags duckdb (see README)")

// duckdbEngine is the optional DuckDB side. run_duckdb.go (build tag
// duckdb) implements it; without the tag, openDuckDB (run_duckdb_off.go)
// returns ErrNoDuckDB, so the default build never links DuckDB.
type duckdbEngine interface {
	// load creates the dataset's table (dropping an old one) and appends
	// the generated rows.
	load(ctx context.Context, ds *Dataset, rows, seed int64, batchRows int, log *progress) (LoadResult, error)
	// drop drops a table to free its memory.
	drop(ctx context.Context, table string) error
	// sizes are the bytes the table takes in the database file and the
	// memory DuckDB holds, 0 if unknown.
	sizes(ctx context.Context) (file, memory int64)
	// query runs text and reads every row as Go values, timed like
	// timeQuery: wall clock from sending the query to the last row.
	query(ctx context.Context, text string) ([][]any, time.Duration, error)
	// normalize converts query's values to the types pgx returns for the
	// same SQL types, for CompareResults (outside the timing).
	normalize(rows [][]any) [][]any
	// describe fills the DuckDB fields of the report's environment.
	describe(e *Environment)
	close()
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

// QueryResult is one query on each engine under one profile.
type QueryResult struct {
	Name, SQL        string
	Rows             int
	Strata, Postgres Timing
	Ratio            float64 // PostgreSQL median / Strata median
	// DuckDB and DuckDBRatio (DuckDB median / Strata median) are zero
	// unless SuiteConfig.DuckDB.
	DuckDB      Timing
	DuckDBRatio float64
}

// ProfileResult is the queries under one PostgreSQL profile.
type ProfileResult struct {
	Profile  string
	Note     string
	Settings map[string]string
	Queries  []QueryResult
	GeoMean  float64 // geometric mean of the ratios
	// DuckDBGeoMean is the geometric mean of the DuckDB ratios (0 without
	// DuckDB).
	DuckDBGeoMean float64
}

// DatasetResult is one dataset's loads, memory and queries.
type DatasetResult struct {
	Name, Table                string
	Rows                       int64
	StrataLoad, PostgresLoad   LoadResult
	StrataDataBytes, StrataRSS int64
	PGTableBytes, PGIndexBytes int64
	// DuckDBLoad, DuckDBFileBytes (used blocks of the database file) and
	// DuckDBMemBytes (duckdb_memory()) after the load are zero without
	// DuckDB.
	DuckDBLoad                      LoadResult
	DuckDBFileBytes, DuckDBMemBytes int64
	Profiles                        []ProfileResult
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

	// DuckDB first: without the build tag this fails before any server
	// starts.
	var dd duckdbEngine
	if cfg.DuckDB {
		if dd, err = openDuckDB(ctx, log); err != nil {
			return nil, err
		}
		defer dd.close()
	}
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
	res.Env.StrataLoadPath = "Go client Writer (gRPC, Arrow IPC, one producer, 64Ki-row batches)"
	res.Env.PostgresSource = pg.source
	if dd != nil {
		dd.describe(&res.Env)
	}
	defer releaseGenerated()
	for _, ds := range cfg.Datasets {
		dr, err := runDataset(ctx, cfg, ds, pg, st, dd, log)
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

func runDataset(ctx context.Context, cfg SuiteConfig, ds *Dataset, pg *postgresSide, st *strataSide, dd duckdbEngine, log *progress) (DatasetResult, error) {
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
	// Each dataset's tables go when it is done, so the next dataset's sizes
	// (node data bytes, RSS) and memory are its own.
	defer pg.drop(context.WithoutCancel(ctx), ds.Table)
	defer st.drop(context.WithoutCancel(ctx), ds.Table)
	dr.StrataDataBytes, dr.StrataRSS = st.memory(ctx)
	if dd != nil {
		if dr.DuckDBLoad, err = dd.load(ctx, ds, cfg.Rows, cfg.Seed, cfg.BatchRows, log); err != nil {
			return dr, err
		}
		// The table goes when the dataset is done, freeing its blocks and
		// memory before the next one loads.
		defer dd.drop(context.WithoutCancel(ctx), ds.Table)
		dr.DuckDBFileBytes, dr.DuckDBMemBytes = dd.sizes(ctx)
	}
	for _, profile := range cfg.Profiles {
		pr, err := runProfile(ctx, cfg, ds, profile, pg, st, dd, log)
		if err != nil {
			return dr, err
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

// runProfile applies a PostgreSQL profile and runs the dataset's queries
// on every engine. DuckDB runs under each profile too, so that each table
// compares runs taken side by side.
func runProfile(ctx context.Context, cfg SuiteConfig, ds *Dataset, profile string, pg *postgresSide, st *strataSide, dd duckdbEngine, log *progress) (ProfileResult, error) {
	settings, note, err := pg.applyProfile(ctx, profile, log)
	if err != nil {
		return ProfileResult{}, err
	}
	pr := ProfileResult{Profile: profile, Note: note, Settings: settings}
	logRatios, logDuck := 0.0, 0.0
	for _, q := range ds.Queries {
		qr, err := compareQuery(ctx, cfg, q, pg.conn, st.conn, dd)
		if err != nil {
			return pr, fmt.Errorf("query %s (%s profile): %w", q.Name, profile, err)
		}
		line := fmt.Sprintf("%s/%s [%s]: strata %v, postgres %v, ratio %.2f", ds.Name, q.Name, profile,
			qr.Strata.Median.Round(time.Microsecond), qr.Postgres.Median.Round(time.Microsecond), qr.Ratio)
		if dd != nil {
			line += fmt.Sprintf("; duckdb %v, ratio %.2f", qr.DuckDB.Median.Round(time.Microsecond), qr.DuckDBRatio)
			logDuck += math.Log(qr.DuckDBRatio)
		}
		log.Printf("%s", line)
		logRatios += math.Log(qr.Ratio)
		pr.Queries = append(pr.Queries, qr)
	}
	if n := float64(len(pr.Queries)); n > 0 {
		pr.GeoMean = math.Exp(logRatios / n)
		if dd != nil {
			pr.DuckDBGeoMean = math.Exp(logDuck / n)
		}
	}
	return pr, nil
}

// engineRun is one engine's way to run a query, for compareQuery.
type engineRun struct {
	name string // as in errors: Strata, PostgreSQL, DuckDB
	text string
	run  func(ctx context.Context, text string) ([][]any, time.Duration, error)
}

// compareQuery runs q once on each engine to warm up, compares Strata's
// answer with each other engine's, then times cfg.Runs runs on each,
// alternating engines (Strata, PostgreSQL, DuckDB, Strata, ...). dd is nil
// without DuckDB.
func compareQuery(ctx context.Context, cfg SuiteConfig, q Query, pg, st *pgx.Conn, dd duckdbEngine) (QueryResult, error) {
	qr := QueryResult{Name: q.Name, SQL: q.TextFor("strata")}
	viaPgx := func(c *pgx.Conn) func(context.Context, string) ([][]any, time.Duration, error) {
		return func(ctx context.Context, text string) ([][]any, time.Duration, error) { return timeQuery(ctx, c, text) }
	}
	engines := []engineRun{{"Strata", q.TextFor("strata"), viaPgx(st)}, {"PostgreSQL", q.TextFor("postgres"), viaPgx(pg)}}
	if dd != nil {
		engines = append(engines, engineRun{"DuckDB", q.TextFor("duckdb"), dd.query})
	}
	var sRows [][]any
	for i, e := range engines {
		rows, _, err := e.run(ctx, e.text)
		if err != nil {
			return qr, fmt.Errorf("on %s: %w", e.name, err)
		}
		switch {
		case i == 0:
			sRows = rows
			continue
		case e.name == "DuckDB":
			if err = cfg.Compare(q, sRows, dd.normalize(rows)); err != nil {
				// CompareResults calls its second side "postgres".
				return qr, fmt.Errorf("Strata's and DuckDB's results differ (DuckDB's values where it says postgres): %w", err)
			}
		default:
			if err = cfg.Compare(q, sRows, rows); err != nil {
				return qr, fmt.Errorf("Strata's and %s's results differ: %w", e.name, err)
			}
		}
	}
	qr.Rows = len(sRows)
	runs := make([][]time.Duration, len(engines))
	for range cfg.Runs {
		for i, e := range engines {
			_, d, err := e.run(ctx, e.text)
			if err != nil {
				return qr, fmt.Errorf("on %s: %w", e.name, err)
			}
			runs[i] = append(runs[i], d)
		}
	}
	qr.Strata, qr.Postgres = newTiming(runs[0]), newTiming(runs[1])
	qr.Ratio = float64(qr.Postgres.Median) / float64(max(qr.Strata.Median, time.Nanosecond))
	if dd != nil {
		qr.DuckDB = newTiming(runs[2])
		qr.DuckDBRatio = float64(qr.DuckDB.Median) / float64(max(qr.Strata.Median, time.Nanosecond))
	}
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
