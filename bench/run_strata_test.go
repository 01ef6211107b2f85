package bench

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stratadb/strata/bench/pgtest"
	"github.com/stratadb/strata/server"
)

// TestRunSuiteStrataAddr runs the suite against a node it did not start,
// given by its gRPC address: the rows go in through the Writer and the
// queries through the PostgreSQL listener the node's status names.
func TestRunSuiteStrataAddr(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	if _, err := pgtest.BinDir(); err != nil {
		t.Skip(err)
	}
	node, err := server.Open(server.Config{
		DataDir:  t.TempDir(),
		GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", RaftAddr: "127.0.0.1:0", PGAddr: "127.0.0.1:0",
		NoSync: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "external",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { node.Close(context.Background()) })
	pg := pgtest.Start(t)
	out := t.TempDir()
	results := filepath.Join(out, "RESULTS.md")
	ds := runTestDataset()
	res, err := RunSuite(context.Background(), SuiteConfig{
		Datasets: []*Dataset{ds}, Rows: 10_000, Seed: 1, Runs: 1,
		PostgresURL: pg.URL(), StrataAddr: node.GRPCAddr(),
		OutDir: out, UpdateResults: results, BatchRows: 4096,
		Version: "test", Progress: io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, res, ds, results)
	d := res.Datasets[0]
	if d.StrataLoad.Method != "Writer" || d.StrataLoad.Rows != 10_000 {
		t.Errorf("Strata load: %+v, want 10000 rows through the Writer", d.StrataLoad)
	}
	if d.StrataDataBytes <= 0 || d.StrataRSS <= 0 {
		t.Errorf("memory from the node's status: data %d, RSS %d", d.StrataDataBytes, d.StrataRSS)
	}
	if got := res.Env.StrataSource; !strings.Contains(got, "running node at") {
		t.Errorf("Strata source in the report: %q", got)
	}
}

func TestReachableAddr(t *testing.T) {
	for _, c := range []struct{ reached, listen, want string }{
		{"10.0.0.5:7600", "0.0.0.0:5433", "10.0.0.5:5433"},
		{"10.0.0.5:7600", "[::]:5433", "10.0.0.5:5433"},
		{"10.0.0.5:7600", ":5433", "10.0.0.5:5433"},
		{"10.0.0.5:7600", "127.0.0.1:5433", "127.0.0.1:5433"},
		{"db.example:7600", "db.example:5433", "db.example:5433"},
	} {
		if got := reachableAddr(c.reached, c.listen); got != c.want {
			t.Errorf("reachableAddr(%q, %q) = %q, want %q", c.reached, c.listen, got, c.want)
		}
	}
}
