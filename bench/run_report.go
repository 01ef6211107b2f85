package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"time"
)

// Environment is the machine and software a run measured.
type Environment struct {
	Time                      time.Time
	Host, OS, CPU             string
	Cores                     int
	MemoryBytes               int64
	GoVersion                 string
	StrataVersion, Commit     string
	PostgresVersion           string
	PostgresSource            string // private server or URL
	StrataSource              string // in-process or address
	StrataLoadPath, QueryPath string
	// The DuckDB fields are empty unless the run had DuckDB.
	DuckDBVersion, DuckDBSource     string
	DuckDBLoadPath, DuckDBQueryPath string
}

func environment(version, pgVersion string, st *strataSide) Environment {
	e := Environment{
		Time: time.Now().UTC(), OS: runtime.GOOS + "/" + runtime.GOARCH, Cores: runtime.NumCPU(),
		MemoryBytes: totalMemory(), GoVersion: runtime.Version(), StrataVersion: version,
		PostgresVersion: pgVersion,
		QueryPath:       "pgx v5 over the PostgreSQL wire protocol (extended protocol), the same client for both engines; every row read as Go values",
	}
	e.Host, _ = os.Hostname()
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				e.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "PRETTY_NAME="); ok {
				e.OS += ", " + strings.Trim(v, `"`)
			}
		}
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				e.Commit = s.Value
			}
		}
	}
	if e.Commit == "" {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if out, err := exec.CommandContext(ctx, "git", "rev-parse", "--short", "HEAD").Output(); err == nil {
			e.Commit = strings.TrimSpace(string(out))
		}
	}
	if st.node != nil {
		e.StrataSource = "in-process node (server.Open, temporary directory, loopback)"
	} else {
		e.StrataSource = "running node at " + st.pgURL
	}
	return e
}

// writeReport writes report.md and ratios.svg into the output directory,
// and copies the Markdown to cfg.UpdateResults if set, with the chart
// beside it.
func writeReport(res *SuiteResult) error {
	md := renderMarkdown(res)
	res.Markdown = filepath.Join(res.Config.OutDir, "report.md")
	res.SVG = filepath.Join(res.Config.OutDir, "ratios.svg")
	if err := os.WriteFile(res.Markdown, []byte(md), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(res.SVG, []byte(renderChart(res)), 0o644); err != nil {
		return err
	}
	if res.Config.UpdateResults != "" {
		// The Markdown shows the chart as ratios.svg, beside it.
		if err := os.WriteFile(res.Config.UpdateResults, []byte(md), 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(filepath.Dir(res.Config.UpdateResults), "ratios.svg"), []byte(renderChart(res)), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func renderMarkdown(res *SuiteResult) string {
	var b strings.Builder
	e, c := res.Env, res.Config
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	if c.DuckDB {
		p("# Strata vs PostgreSQL and DuckDB\n\n")
		p("Run %s. Ratio = PostgreSQL median / Strata median, DuckDB ratio = DuckDB median / Strata median (above 1: Strata is faster).\n\n", e.Time.Format(time.RFC3339))
		p("DuckDB runs inside the benchmark's process and is queried through database/sql, with no wire protocol and no socket; " +
			"Strata and PostgreSQL answer through pgx over the PostgreSQL protocol on loopback. " +
			"DuckDB's timings therefore leave out the network and wire path the other two pay for.\n\n")
	} else {
		p("# Strata vs PostgreSQL\n\n")
		p("Run %s. Ratio = PostgreSQL median / Strata median (above 1: Strata is faster).\n\n", e.Time.Format(time.RFC3339))
	}
	p("## Setup\n\n")
	p("| | |\n|---|---|\n")
	p("| Machine | %s, %d cores, %s RAM |\n", orDash(e.CPU), e.Cores, bytesStr(e.MemoryBytes))
	p("| OS | %s |\n", e.OS)
	p("| Go | %s |\n", e.GoVersion)
	p("| Strata | %s (commit %s), %s |\n", e.StrataVersion, orDash(e.Commit), e.StrataSource)
	p("| PostgreSQL | %s |\n", e.PostgresVersion)
	p("| PostgreSQL server | %s |\n", orDash(e.PostgresSource))
	p("| Datasets | %s |\n", datasetNames(res))
	p("| Rows | %d per dataset |\n", c.Rows)
	p("| Seed | %d |\n", c.Seed)
	p("| Runs | 1 warm-up, then %d timed runs per query and engine (alternating) |\n", c.Runs)
	p("| Profiles | %s |\n", strings.Join(c.Profiles, ", "))
	p("| Strata durability | %s |\n", map[bool]string{false: "Raft log fsynced", true: "no fsync (--unsafe-no-fsync)"}[c.NoSync])
	p("| Strata load path | %s |\n", e.StrataLoadPath)
	p("| PostgreSQL load path | COPY FROM STDIN (binary, pgx CopyFrom), then the indexes, then ANALYZE |\n")
	p("| Query path | %s |\n", e.QueryPath)
	p("| Answers | every query's rows compared between the engines before timing: numbers as numbers, floats within %g relative (sums in a different order round differently), timestamps as instants; a mismatch fails the run |\n", FloatTolerance)
	if c.DuckDB {
		p("| DuckDB | %s |\n", e.DuckDBVersion)
		p("| DuckDB database | %s |\n", e.DuckDBSource)
		p("| DuckDB session | %s |\n", strings.Join(duckdbSettingsDoc, "; "))
		p("| DuckDB load path | %s |\n", e.DuckDBLoadPath)
		p("| DuckDB query path | %s |\n", e.DuckDBQueryPath)
	}
	p("\n")
	if c.DuckDB {
		p("Timings are wall-clock in the client: send the query, read every row. All three engines run on this machine, DuckDB in the client's own process.\n\n")
	} else {
		p("Timings are wall-clock in the client: send the query, read every row. Both engines run on this machine.\n\n")
	}

	p("![ratios](ratios.svg)\n\n")
	if c.DuckDB {
		renderDuckDBDialect(p, res)
	}
	for _, d := range res.Datasets {
		p("## %s (%d rows)\n\n", d.Name, d.Rows)
		if ds := datasetNamed(c.Datasets, d.Name); ds != nil {
			p("Strata: `%s`\n\n", ds.StrataDDL)
			p("PostgreSQL: `%s`, then:\n\n", ds.PostgresDDL)
			for _, ix := range ds.PostgresIndexes {
				p("- `%s`\n", ix)
			}
			p("\n")
		}
		p("### Load\n\n| Engine | Method | Load | rows/s | Indexes | ANALYZE |\n|---|---|---:|---:|---:|---:|\n")
		p("| Strata | %s | %s | %s | — | — |\n", d.StrataLoad.Method, dur(d.StrataLoad.Copy), rate(d.StrataLoad.RowsPerSecond()))
		p("| PostgreSQL | COPY | %s | %s | %s | %s |\n", dur(d.PostgresLoad.Copy), rate(d.PostgresLoad.RowsPerSecond()), dur(d.PostgresLoad.Index), dur(d.PostgresLoad.Analyze))
		if c.DuckDB {
			p("| DuckDB | %s | %s | %s | — | — |\n", d.DuckDBLoad.Method, dur(d.DuckDBLoad.Copy), rate(d.DuckDBLoad.RowsPerSecond()))
		}
		p("\n")
		if pr := d.PostgresLoad.RowsPerSecond(); pr > 0 {
			p("Strata loads %.2f× PostgreSQL's COPY rate. ", d.StrataLoad.RowsPerSecond()/pr)
		}
		if Pregenerated(d.Rows) {
			p("The rows were generated into memory before the loads, which time only the engines.\n\n")
		} else {
			p("The rows were generated while loading (above %d rows they are not held in memory), so the times include the generator.\n\n", pregenerateMaxRows)
		}
		p("### Memory and size\n\n| | Bytes |\n|---|---:|\n")
		p("| Strata table in memory (node status data_bytes) | %s |\n", bytesOrNA(d.StrataDataBytes))
		if c.DuckDB {
			p("| Strata process RSS (node and the suite's client, in-process only; before DuckDB loads this dataset, but the process also holds what DuckDB kept of earlier ones) | %s |\n", bytesOrNA(d.StrataRSS))
		} else {
			p("| Strata process RSS (node and the suite's client, in-process only) | %s |\n", bytesOrNA(d.StrataRSS))
		}
		p("| PostgreSQL table (pg_table_size) | %s |\n", bytesStr(d.PGTableBytes))
		p("| PostgreSQL indexes (pg_indexes_size) | %s |\n", bytesStr(d.PGIndexBytes))
		p("| PostgreSQL table + indexes (pg_total_relation_size) | %s |\n", bytesStr(d.PGTableBytes+d.PGIndexBytes))
		if c.DuckDB {
			p("| DuckDB table in its database file after CHECKPOINT (used blocks, pragma_database_size) | %s |\n", bytesStr(d.DuckDBFileBytes))
			p("| DuckDB memory after the load (sum of duckdb_memory()) | %s |\n", bytesStr(d.DuckDBMemBytes))
		}
		p("\n")
		for _, pr := range d.Profiles {
			p("### Queries, PostgreSQL profile %q\n\n", pr.Profile)
			if pr.Note != "" {
				p("Applied: %s.\n\n", pr.Note)
			}
			if len(pr.Settings) > 0 {
				keys := make([]string, 0, len(pr.Settings))
				for k := range pr.Settings {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				var kv []string
				for _, k := range keys {
					kv = append(kv, fmt.Sprintf("`%s = %s`", k, pr.Settings[k]))
				}
				p("Settings: %s.\n\n", strings.Join(kv, ", "))
			}
			if c.DuckDB {
				renderDuckDBQueries(p, pr)
				continue
			}
			p("| Query | Rows | Strata median | Strata p95 | PostgreSQL median | PostgreSQL p95 | Ratio |\n|---|---:|---:|---:|---:|---:|---:|\n")
			for _, q := range pr.Queries {
				p("| %s | %d | %s | %s | %s | %s | %.2f× |\n", q.Name, q.Rows, dur(q.Strata.Median), dur(q.Strata.P95), dur(q.Postgres.Median), dur(q.Postgres.P95), q.Ratio)
			}
			p("\n**Geometric mean of the ratios: %.2f×**\n\n", pr.GeoMean)
		}
		p("<details><summary>Query texts</summary>\n\n")
		for _, q := range res.queriesOf(d.Name) {
			p("**%s**", q.Name)
			if q.Why != "" {
				p(" (%s)", q.Why)
			}
			p("\n\n```sql\n%s\n```\n\n", strings.TrimSpace(q.TextFor("strata")))
			if pq := q.TextFor("postgres"); pq != q.TextFor("strata") {
				p("PostgreSQL:\n\n```sql\n%s\n```\n\n", strings.TrimSpace(pq))
			}
			if dq := q.TextFor("duckdb"); c.DuckDB && dq != q.TextFor("strata") {
				p("DuckDB:\n\n```sql\n%s\n```\n\n", strings.TrimSpace(dq))
			}
		}
		p("</details>\n\n")
	}
	return b.String()
}

// duckdbSettingsDoc describes the DuckDB session settings (set by
// run_duckdb.go) for the report.
var duckdbSettingsDoc = []string{
	"`threads` = the machine's cores",
	"`TimeZone = 'UTC'` (as the PostgreSQL sessions and Strata)",
	"`default_null_order = 'nulls_last_on_asc_first_on_desc'` (PostgreSQL's order of NULLs)",
}

// renderDuckDBQueries is a profile's query table with DuckDB's columns.
func renderDuckDBQueries(p func(string, ...any), pr ProfileResult) {
	p("| Query | Rows | Strata median | Strata p95 | PostgreSQL median | PostgreSQL p95 | Ratio | DuckDB median | DuckDB p95 | DuckDB ratio |\n")
	p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, q := range pr.Queries {
		p("| %s | %d | %s | %s | %s | %s | %.2f× | %s | %s | %.2f× |\n", q.Name, q.Rows,
			dur(q.Strata.Median), dur(q.Strata.P95), dur(q.Postgres.Median), dur(q.Postgres.P95), q.Ratio,
			dur(q.DuckDB.Median), dur(q.DuckDB.P95), q.DuckDBRatio)
	}
	p("\n**Geometric mean of the ratios: %.2f× (PostgreSQL / Strata), %.2f× (DuckDB / Strata)**\n\n", pr.GeoMean, pr.DuckDBGeoMean)
}

// renderDuckDBDialect lists the queries whose DuckDB text differs, and
// how DuckDB's answers are made comparable.
func renderDuckDBDialect(p func(string, ...any), res *SuiteResult) {
	p("## DuckDB's SQL and answers\n\n")
	p("Every query runs with the same text on DuckDB as on Strata, except:\n\n")
	var notes []string
	n := 0
	for _, d := range res.Datasets {
		for _, q := range res.queriesOf(d.Name) {
			switch {
			case q.TextFor("duckdb") != q.TextFor("strata"):
				p("- **%s**: %s.\n", q.Name, orDash(q.DuckDBWhy))
				n++
			case q.DuckDBWhy != "":
				notes = append(notes, fmt.Sprintf("- **%s** (same text): %s.\n", q.Name, q.DuckDBWhy))
			}
		}
	}
	if n == 0 {
		p("- none in these datasets.\n")
	}
	if len(notes) > 0 {
		p("\nDialect differences that do not change these queries' answers:\n\n%s", strings.Join(notes, ""))
	}
	p("\nThe tables have the same column types on every engine: the timestamptz columns are TIMESTAMPTZ in DuckDB too. " +
		"DuckDB computes date_trunc and time_bucket on a TIMESTAMPTZ through ICU's time-zone calendar, which costs it more than the same truncation of a plain TIMESTAMP " +
		"(about 10× for date_trunc('hour') over 1M rows in a separate check on the development machine); a DuckDB user storing UTC instants might choose TIMESTAMP.\n")
	p("\nDuckDB's answers are compared with Strata's by the same CompareResults as PostgreSQL's, after converting DuckDB's Go types to pgx's: " +
		"HUGEINT (DuckDB's sum of integers, a *big.Int) to int64 or an integral numeric, DECIMAL to numeric, INTEGER (int32) to int64, timestamps to UTC. " +
		"A difference fails the run.\n\n")
}

func (res *SuiteResult) queriesOf(name string) []Query {
	for _, d := range res.Config.Datasets {
		if d.Name == name {
			return d.Queries
		}
	}
	return nil
}

func datasetNames(res *SuiteResult) string {
	var n []string
	for _, d := range res.Datasets {
		n = append(n, d.Name)
	}
	return strings.Join(n, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func dur(d time.Duration) string {
	switch {
	case d == 0:
		return "—"
	case d < time.Millisecond:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

func rate(r float64) string {
	switch {
	case r >= 1e6:
		return fmt.Sprintf("%.2fM", r/1e6)
	case r >= 1e3:
		return fmt.Sprintf("%.0fk", r/1e3)
	}
	return fmt.Sprintf("%.0f", r)
}

func bytesStr(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func bytesOrNA(n int64) string {
	if n == 0 {
		return "n/a (not measured: node given by --strata-addr)"
	}
	return bytesStr(n)
}

func datasetNamed(ds []*Dataset, name string) *Dataset {
	for _, d := range ds {
		if d.Name == name {
			return d
		}
	}
	return nil
}
