package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/jackc/pgx/v5"

	"github.com/stratadb/strata/bench/pgtest"
	"github.com/stratadb/strata/server"
)

// datasetRowsForTest collects a dataset's generated rows as pgx values.
func datasetRowsForTest(t testing.TB, d Dataset, rows, seed int64, batch int) [][]any {
	t.Helper()
	var out [][]any
	err := d.Generate(rows, seed, batch, func(rec arrow.RecordBatch) error {
		for i := 0; i < int(rec.NumRows()); i++ {
			row := make([]any, rec.NumCols())
			for j, col := range rec.Columns() {
				if col.IsNull(i) {
					continue
				}
				switch c := col.(type) {
				case *array.String:
					row[j] = c.Value(i)
				case *array.Int64:
					row[j] = c.Value(i)
				case *array.Int32:
					row[j] = c.Value(i)
				case *array.Float64:
					row[j] = c.Value(i)
				case *array.Timestamp:
					row[j] = time.UnixMicro(int64(c.Value(i))).UTC()
				default:
					return fmt.Errorf("column %d: unexpected %T", j, col)
				}
			}
			out = append(out, row)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDatasetGeneratorsAreDeterministic(t *testing.T) {
	for _, d := range Datasets() {
		a := datasetRowsForTest(t, d, 3001, 7, 1000)
		b := datasetRowsForTest(t, d, 3001, 7, 333)
		c := datasetRowsForTest(t, d, 3001, 8, 1000)
		if len(a) != 3001 {
			t.Fatalf("%s: %d rows", d.Name, len(a))
		}
		if err := CompareResults(Query{Name: d.Name, Ordered: true}, a, b); err != nil {
			t.Errorf("%s: batch size changes the rows: %v", d.Name, err)
		}
		if CompareResults(Query{Name: d.Name, Ordered: true}, a, c) == nil {
			t.Errorf("%s: the seed changes nothing", d.Name)
		}
		var err error
		var schemaCols int
		err = d.Generate(10, 1, 4, func(rec arrow.RecordBatch) error {
			if rec.NumRows() > 4 {
				return fmt.Errorf("batch of %d rows", rec.NumRows())
			}
			schemaCols = int(rec.NumCols())
			return nil
		})
		if err != nil {
			t.Errorf("%s: %v", d.Name, err)
		}
		if got := strings.Count(d.PostgresDDL, ",") + 1; got != schemaCols {
			t.Errorf("%s: DDL has %d columns, records %d", d.Name, got, schemaCols)
		}
	}
}

func TestTransactionsSumToZero(t *testing.T) {
	var sum int64
	ids := map[int64]bool{}
	for _, r := range datasetRowsForTest(t, Transactions(), 10000, 3, 999) {
		sum += r[3].(int64)
		ids[r[0].(int64)] = true
	}
	if sum != 0 || len(ids) != 10000 {
		t.Fatalf("sum %d, %d distinct ids", sum, len(ids))
	}
}

// TestDatasetsAgreeOnBothEngines is the suite's correctness check: each
// dataset's sample loaded into a private PostgreSQL and an in-process
// Strata node, every query run on both, the answers compared.
func TestDatasetsAgreeOnBothEngines(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL and a Strata node")
	}
	const rows, seed = 5000, 1
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	pg := pgtest.Start(t)
	pgCfg, err := pgx.ParseConfig(pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	// date_trunc and date_bin on timestamptz follow the session TimeZone.
	pgCfg.RuntimeParams["timezone"] = "UTC"
	pgConn, err := pgx.ConnectConfig(ctx, pgCfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pgConn.Close(context.Background())

	node, err := server.Open(server.Config{DataDir: t.TempDir(), GRPCAddr: "127.0.0.1:0", HTTPAddr: "off",
		RaftAddr: "127.0.0.1:0", PGAddr: "127.0.0.1:0", NoSync: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer node.Close(context.Background())
	var stConn *pgx.Conn
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		stConn, err = pgx.Connect(ctx, fmt.Sprintf("postgres://bench@%s/strata?sslmode=disable", node.PGAddr()))
		if err == nil {
			if _, err = stConn.Exec(ctx, "SELECT 1"); err == nil {
				break
			}
			stConn.Close(ctx)
		}
		if time.Now().After(deadline) {
			t.Fatalf("strata node not ready: %v", err)
		}
	}
	defer stConn.Close(context.Background())

	for _, d := range Datasets() {
		t.Run(d.Name, func(t *testing.T) {
			data := datasetRowsForTest(t, d, rows, seed, 1024)
			var names []string
			for _, f := range schemaOfDDLForTest(d) {
				names = append(names, f)
			}
			load := func(conn *pgx.Conn, engine, ddl string, after []string) {
				if _, err := conn.Exec(ctx, ddl); err != nil {
					t.Fatalf("%s: %s: %v", engine, ddl, err)
				}
				n, err := conn.CopyFrom(ctx, pgx.Identifier{d.Table}, names, pgx.CopyFromRows(data))
				if err != nil || n != rows {
					t.Fatalf("%s: COPY %d rows: %v", engine, n, err)
				}
				for _, s := range after {
					if _, err := conn.Exec(ctx, s); err != nil {
						t.Fatalf("%s: %s: %v", engine, s, err)
					}
				}
			}
			load(pgConn, "postgres", d.PostgresDDL, append(d.PostgresIndexes, "ANALYZE "+d.Table))
			load(stConn, "strata", d.StrataDDL, nil)
			for _, q := range d.Queries {
				if !q.Ordered {
					t.Errorf("%s: not Ordered", q.Name)
				}
				st, err := queryRowsForTest(ctx, stConn, q.TextFor("strata"))
				if err != nil {
					t.Errorf("%s on strata: %v\n%s", q.Name, err, q.TextFor("strata"))
					continue
				}
				pgRows, err := queryRowsForTest(ctx, pgConn, q.TextFor("postgres"))
				if err != nil {
					t.Errorf("%s on postgres: %v\n%s", q.Name, err, q.TextFor("postgres"))
					continue
				}
				if len(pgRows) == 0 {
					t.Errorf("%s: no rows on the %d-row sample; the query tests nothing", q.Name, rows)
				}
				if err := CompareResults(q, st, pgRows); err != nil {
					t.Error(err)
				} else if len(st) > 0 {
					t.Logf("%s: %d rows agree, first %v", q.Name, len(st), st[0])
				}
			}
		})
	}
}

// schemaOfDDLForTest returns a dataset's column names from a generated batch.
func schemaOfDDLForTest(d Dataset) []string {
	var names []string
	_ = d.Generate(1, 0, 1, func(rec arrow.RecordBatch) error {
		for _, f := range rec.Schema().Fields() {
			names = append(names, f.Name)
		}
		return nil
	})
	return names
}

func queryRowsForTest(ctx context.Context, conn *pgx.Conn, sql string) ([][]any, error) {
	rows, err := conn.Query(ctx, sql)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		v, err := rows.Values()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
