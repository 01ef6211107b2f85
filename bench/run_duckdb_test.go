//go:build duckdb

package bench

import (
	"context"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/stratadb/strata/bench/pgtest"
)

// TestRunSuiteDuckDB runs the suite with DuckDB on every dataset at 20,000
// rows (and the tiny pipeline dataset): each DuckDB answer must agree
// with Strata's under CompareResults, and the report and chart must carry
// DuckDB's columns and series.
//
//	go test -tags duckdb ./bench -run TestRunSuiteDuckDB -v
func TestRunSuiteDuckDB(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	if _, err := pgtest.BinDir(); err != nil {
		t.Skip(err)
	}
	var datasets []*Dataset
	for _, d := range Datasets() {
		datasets = append(datasets, &d)
	}
	datasets = append(datasets, runTestDataset())
	out := t.TempDir()
	results := filepath.Join(out, "RESULTS.md")
	res, err := RunSuite(context.Background(), SuiteConfig{
		Datasets: datasets, Rows: 20_000, Seed: 1, Runs: 1, BatchRows: 4096,
		NoSync: true, DuckDB: true, OutDir: out, UpdateResults: results,
		Version: "test", Progress: io.Discard, Compare: CompareResults,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range datasets {
		checkReport(t, res, d, results)
	}
	md, err := os.ReadFile(res.Markdown)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Strata vs PostgreSQL and DuckDB", "DuckDB median", "DuckDB ratio", "| DuckDB | Appender |",
		"no wire protocol", "DuckDB v", "time_bucket", "(DuckDB / Strata)"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	svg, err := os.ReadFile(res.SVG)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(svg), ">DuckDB ") {
		t.Errorf("ratios.svg has no DuckDB series")
	}
	for _, d := range res.Datasets {
		if d.DuckDBLoad.Rows != 20_000 || d.DuckDBLoad.Copy <= 0 {
			t.Errorf("%s: DuckDB load %+v", d.Name, d.DuckDBLoad)
		}
		for _, q := range d.Profiles[0].Queries {
			if q.DuckDB.Median <= 0 || q.DuckDBRatio <= 0 {
				t.Errorf("%s/%s: no DuckDB timing: %+v", d.Name, q.Name, q.DuckDB)
			}
		}
	}

	// The same result rendered without DuckDB looks as a run without it.
	res.Config.DuckDB = false
	if plain := renderMarkdown(res) + renderChart(res); strings.Contains(plain, "DuckDB") {
		t.Errorf("the report without --duckdb mentions DuckDB")
	}
}

func TestNormalizeDuckDB(t *testing.T) {
	huge, _ := new(big.Int).SetString("170141183460469231731687303715884105727", 10)
	at := time.Date(2024, 1, 1, 12, 0, 0, 0, time.FixedZone("x", 3600))
	cases := []struct {
		in, want any
	}{
		{big.NewInt(-42), int64(-42)},
		{huge, pgtype.Numeric{Int: huge, Valid: true}},
		{duckdb.Decimal{Width: 18, Scale: 2, Value: big.NewInt(12345)}, pgtype.Numeric{Int: big.NewInt(12345), Exp: -2, Valid: true}},
		{int32(7), int64(7)},
		{float32(0.5), float64(0.5)},
		{at, at.UTC()},
		{"s", "s"},
		{nil, nil},
	}
	for _, c := range cases {
		got := normalizeDuckDB(c.in)
		if !valuesEqual(got, c.want) || describe(got) != describe(c.want) {
			t.Errorf("normalizeDuckDB(%v) = %s, want %s", c.in, describe(got), describe(c.want))
		}
	}
}

// TestRunSuiteDuckDBMismatch: a DuckDB answer that differs from Strata's
// fails the run, as a PostgreSQL one does.
func TestRunSuiteDuckDBMismatch(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	if _, err := pgtest.BinDir(); err != nil {
		t.Skip(err)
	}
	ds := runTestDataset()
	ds.Queries = []Query{{Name: "count", SQL: "SELECT count(*) FROM runtest", DuckDBSQL: "SELECT count(*) + 1 FROM runtest", Ordered: true}}
	_, err := RunSuite(context.Background(), SuiteConfig{
		Datasets: []*Dataset{ds}, Rows: 1000, Seed: 1, Runs: 1, NoSync: true, DuckDB: true,
		OutDir: t.TempDir(), Version: "test", Progress: io.Discard, Compare: CompareResults,
	})
	if err == nil || !strings.Contains(err.Error(), "DuckDB's results differ") {
		t.Fatalf("RunSuite = %v, want DuckDB's results differ", err)
	}
}
