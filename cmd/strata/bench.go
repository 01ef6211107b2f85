package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/stratadb/strata/bench"
)

// benchOptions are bench's flags.
type benchOptions struct {
	Dataset       string
	Rows          int64
	Quick         bool
	Runs          int
	PostgresURL   string
	StrataAddr    string
	Profile       string
	Out           string
	Seed          int64
	UpdateResults bool
	NoSync        bool
	DuckDB        bool
}

func benchCmd() *cobra.Command {
	var o benchOptions
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Compare Strata with PostgreSQL on generated datasets and write a report",
		Long: `bench loads a deterministic dataset into Strata and PostgreSQL, runs its
queries on both through the same client (pgx over the PostgreSQL protocol),
checks that the answers agree, and writes a Markdown report and an SVG chart
of the ratios (PostgreSQL median / Strata median) to --out.

PostgreSQL: --postgres-url, or else a private server the suite starts and
stops (initdb on a free loopback port; as root it runs as the postgres user;
needs the Debian package postgresql). It is loaded with COPY, then the
dataset's indexes are created and ANALYZE runs. Profiles: "default"
(PostgreSQL's defaults) and "tuned" (jit = off, shared_buffers = 25% of RAM
up to 8GB, effective_cache_size = 50% of RAM, work_mem = 256MB,
max_parallel_workers_per_gather = 2). On the private server "tuned" is set
with ALTER SYSTEM and the server is restarted for shared_buffers; a server
given by URL is never reconfigured: the profile is applied to the session
with SET and shared_buffers is left as it is (the report says so).

Strata: --strata-addr (a running node's gRPC address; its status names its
PostgreSQL-protocol listener, which must be on), or else an in-process node
on a temporary directory and free loopback ports. Rows are loaded through
the Go client's Writer over gRPC, Strata's native ingest path.

Datasets of up to 20M rows are generated into memory once before the loads,
so load rates time the engines, not the generator.

DuckDB (--duckdb): a third engine, in this process (DuckDB's Go binding on
a database file in a temporary directory, threads = cores, rows loaded with
its Appender and checkpointed, queries through database/sql: no wire
protocol, which the report points out). The binding is cgo and large, so it is only in a binary built with
-tags duckdb (make bench-duckdb); without the tag --duckdb fails.

Each query runs once on each engine to warm up (and to compare the answers),
then --runs timed runs alternating between the engines.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.Quick && !cmd.Flags().Changed("rows") {
				o.Rows = 1_000_000
			}
			return runBench(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Dataset, "dataset", "telemetry", "telemetry, weather, transactions or all")
	f.Int64Var(&o.Rows, "rows", 10_000_000, "rows of each dataset")
	f.BoolVar(&o.Quick, "quick", false, "1,000,000 rows (unless --rows is given)")
	f.IntVar(&o.Runs, "runs", 5, "timed runs of each query on each engine, after one warm-up")
	f.StringVar(&o.PostgresURL, "postgres-url", "", "PostgreSQL server to compare with (default: start a private one); a superuser is not needed")
	f.StringVar(&o.StrataAddr, "strata-addr", "", "a running Strata node's gRPC address, host:port (default: start an in-process node)")
	f.StringVar(&o.Profile, "profile", "default", "PostgreSQL settings: default, tuned or both")
	f.StringVar(&o.Out, "out", "", "results directory (default bench/results/<timestamp>)")
	f.Int64Var(&o.Seed, "seed", 1, "the datasets' random seed")
	f.BoolVar(&o.UpdateResults, "update-results", false, "also copy the Markdown report to bench/RESULTS.md")
	f.BoolVar(&o.NoSync, "unsafe-no-fsync", false, "the in-process node does not fsync its Raft log (PostgreSQL keeps fsync on)")
	duckdbUsage := "also run DuckDB in-process (needs a binary built with -tags duckdb)"
	if !bench.DuckDBBuilt {
		duckdbUsage += "; this binary was built without it"
	}
	f.BoolVar(&o.DuckDB, "duckdb", false, duckdbUsage)
	return cmd
}

func runBench(ctx context.Context, o benchOptions) error {
	if o.Rows < 1 {
		return fmt.Errorf("--rows must be positive, got %d", o.Rows)
	}
	if o.Runs < 1 {
		return fmt.Errorf("--runs must be at least 1, got %d", o.Runs)
	}
	if o.DuckDB && !bench.DuckDBBuilt {
		return fmt.Errorf("--duckdb: %w", bench.ErrNoDuckDB)
	}
	cfg := bench.SuiteConfig{
		Rows: o.Rows, Seed: o.Seed, Runs: o.Runs,
		PostgresURL: o.PostgresURL, StrataAddr: o.StrataAddr, NoSync: o.NoSync, DuckDB: o.DuckDB,
		OutDir: o.Out, Version: version, Progress: os.Stderr,
		Compare: bench.CompareResults,
	}
	switch o.Profile {
	case "default", "tuned":
		cfg.Profiles = []string{o.Profile}
	case "both":
		cfg.Profiles = []string{bench.ProfileDefault, bench.ProfileTuned}
	default:
		return fmt.Errorf("--profile: %q is not default, tuned or both", o.Profile)
	}
	if o.Dataset == "all" {
		for _, d := range bench.Datasets() {
			cfg.Datasets = append(cfg.Datasets, &d)
		}
	} else {
		for _, name := range strings.Split(o.Dataset, ",") {
			d, ok := bench.DatasetByName(strings.TrimSpace(name))
			if !ok {
				var names []string
				for _, d := range bench.Datasets() {
					names = append(names, d.Name)
				}
				return fmt.Errorf("--dataset: no dataset %q (%s or all)", name, strings.Join(names, ", "))
			}
			cfg.Datasets = append(cfg.Datasets, &d)
		}
	}
	if cfg.OutDir == "" {
		cfg.OutDir = filepath.Join("bench", "results", time.Now().Format("20060102-150405"))
	}
	if o.UpdateResults {
		cfg.UpdateResults = filepath.Join("bench", "RESULTS.md")
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := bench.RunSuite(ctx, cfg)
	if err != nil {
		return err
	}
	for _, d := range res.Datasets {
		for _, p := range d.Profiles {
			fmt.Printf("%s (%d rows), PostgreSQL %s: geometric mean of PostgreSQL/Strata = %.2fx\n", d.Name, d.Rows, p.Profile, p.GeoMean)
			if cfg.DuckDB {
				fmt.Printf("%s (%d rows): geometric mean of DuckDB/Strata = %.2fx (DuckDB in-process, no wire protocol)\n", d.Name, d.Rows, p.DuckDBGeoMean)
			}
		}
	}
	fmt.Printf("report: %s\nchart:  %s\n", res.Markdown, res.SVG)
	if cfg.UpdateResults != "" {
		fmt.Printf("copied to %s\n", cfg.UpdateResults)
	}
	return nil
}
