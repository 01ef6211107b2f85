package bench

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/stratadb/strata/bench/pgtest"
)

// runTestDataset is a tiny stand-in dataset for the pipeline test.
func runTestDataset() *Dataset {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
		{Name: "host", Type: arrow.BinaryTypes.String},
		{Name: "v", Type: arrow.PrimitiveTypes.Float64},
		{Name: "n", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	return &Dataset{
		Name:            "runtest",
		Table:           "runtest",
		StrataDDL:       "CREATE TABLE runtest (ts timestamptz NOT NULL, host text NOT NULL, v double precision, n bigint) WITH (partition_by = 'host', sort_by = 'ts')",
		PostgresDDL:     "CREATE TABLE runtest (ts timestamptz NOT NULL, host text NOT NULL, v double precision, n bigint)",
		PostgresIndexes: []string{"CREATE INDEX ON runtest (host, ts)"},
		Generate: func(rows, seed int64, batchRows int, yield func(arrow.RecordBatch) error) error {
			b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
			defer b.Release()
			for from := int64(0); from < rows; from += int64(batchRows) {
				to := min(rows, from+int64(batchRows))
				for i := from; i < to; i++ {
					b.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(1_700_000_000_000_000 + i*1_000_000))
					b.Field(1).(*array.StringBuilder).Append("host-" + string(rune('a'+(i+seed)%7)))
					b.Field(2).(*array.Float64Builder).Append(float64(i%1000) / 4)
					if i%11 == 0 {
						b.Field(3).AppendNull()
					} else {
						b.Field(3).(*array.Int64Builder).Append(i % 97)
					}
				}
				rec := b.NewRecordBatch()
				err := yield(rec)
				rec.Release()
				if err != nil {
					return err
				}
			}
			return nil
		},
		Queries: []Query{
			{Name: "count", SQL: "SELECT count(*) FROM runtest", Ordered: true},
			{Name: "by_host", SQL: "SELECT host, count(*), sum(n), max(v) FROM runtest GROUP BY host ORDER BY host", Ordered: true},
			{Name: "point", SQL: "SELECT ts, v FROM runtest WHERE host = 'host-c' AND ts < '2023-11-14 22:20:00+00' ORDER BY ts", Ordered: true},
		},
	}
}

func TestRunSuiteTiny(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	if _, err := pgtest.BinDir(); err != nil {
		t.Skip(err)
	}
	pg := pgtest.Start(t)
	out := t.TempDir()
	results := filepath.Join(out, "RESULTS.md")
	ds := runTestDataset()
	res, err := RunSuite(context.Background(), SuiteConfig{
		Datasets:      []*Dataset{ds},
		Rows:          20_000,
		Seed:          1,
		Runs:          1,
		PostgresURL:   pg.URL(),
		NoSync:        true,
		Profiles:      []string{ProfileDefault, ProfileTuned},
		OutDir:        out,
		UpdateResults: results,
		BatchRows:     4096,
		Version:       "test",
		Progress:      io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, res, ds, results)
}

func checkReport(t *testing.T, res *SuiteResult, ds *Dataset, results string) {
	t.Helper()
	md, err := os.ReadFile(res.Markdown)
	if err != nil {
		t.Fatal(err)
	}
	if copied, err := os.ReadFile(results); err != nil || string(copied) != string(md) {
		t.Fatalf("--update-results copy: %v", err)
	}
	for _, q := range ds.Queries {
		if !strings.Contains(string(md), "| "+q.Name+" |") {
			t.Errorf("report.md lacks query %s", q.Name)
		}
	}
	for _, want := range []string{"Geometric mean", "PostgreSQL 1", "rows/s", "pg_total_relation_size"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	svg, err := os.ReadFile(res.SVG)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(strings.NewReader(string(svg)))
	for {
		if _, err := dec.Token(); err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatalf("ratios.svg is not XML: %v", err)
			}
			break
		}
	}
	for _, q := range ds.Queries {
		if !strings.Contains(string(svg), ">"+q.Name+"<") {
			t.Errorf("ratios.svg lacks query %s", q.Name)
		}
	}
	if t.Failed() {
		t.Logf("report:\n%s", md)
	}
}

// TestRunSuiteTelemetry runs the whole pipeline on the real telemetry
// dataset at 20,000 rows with the suite's own PostgreSQL server and
// CompareResults.
func TestRunSuiteTelemetry(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	if _, err := pgtest.BinDir(); err != nil {
		t.Skip(err)
	}
	d, ok := DatasetByName("telemetry")
	if !ok {
		t.Fatal("no telemetry dataset")
	}
	out := t.TempDir()
	results := filepath.Join(out, "RESULTS.md")
	res, err := RunSuite(context.Background(), SuiteConfig{
		Datasets: []*Dataset{&d}, Rows: 20_000, Seed: 1, Runs: 1,
		NoSync: true, OutDir: out, UpdateResults: results,
		Version: "test", Progress: io.Discard, Compare: CompareResults,
	})
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, res, &d, results)
}
