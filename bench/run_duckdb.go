//go:build duckdb

package bench

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// DuckDBBuilt reports whether this binary has the DuckDB engine (build tag
// duckdb).
const DuckDBBuilt = true

// duckdbModule is the Go binding, for the report.
const duckdbModule = "github.com/duckdb/duckdb-go/v2"

// duckdbSide is DuckDB in this process through its Go binding: a database
// file in a temporary directory, one connection for the load and every
// query, threads = the machine's cores.
//
// A file rather than an in-memory database, because DuckDB compresses
// only what it checkpoints to a file: an in-memory database keeps its
// columns uncompressed, and at 10M telemetry rows on the development
// machine it ran the string GROUP BYs 2-3x slower (telemetry_by_region
// 500 ms against 196 ms checkpointed) in 1.7 GB of RAM against 230 MB.
// The checkpoint is part of the load, which makes the load durable like
// PostgreSQL's COPY and Strata's fsynced Raft log. The file's blocks stay
// in DuckDB's buffer pool after the checkpoint (the default memory_limit,
// 80% of RAM, holds every dataset), so queries read memory as on the other
// engines once warmed up.
//
// Queries go through database/sql in the same process: no wire protocol,
// no serialisation, no loopback socket, unlike Strata and PostgreSQL,
// which answer through pgx over the PostgreSQL protocol.
type duckdbSide struct {
	dir       string // the temporary directory holding the database file
	connector *duckdb.Connector
	db        *sql.DB
	conn      *sql.Conn
	threads   int
	version   string // SELECT version(), and the source id
}

// duckdbSession are the settings every connection starts with: threads as
// many as cores; UTC like the PostgreSQL sessions and Strata, so that
// timestamptz values and date_trunc/time_bucket agree; and PostgreSQL's
// order of NULLs (last ascending, first descending; DuckDB's default is
// last in both), so that ORDER BY means the same on every engine.
func duckdbSession(threads int) []string {
	return []string{
		fmt.Sprintf("SET threads = %d", threads),
		"SET TimeZone = 'UTC'",
		"SET default_null_order = 'nulls_last_on_asc_first_on_desc'",
	}
}

func openDuckDB(ctx context.Context, log *progress) (duckdbEngine, error) {
	d := &duckdbSide{threads: runtime.NumCPU()}
	var err error
	if d.dir, err = os.MkdirTemp("", "strata-bench-duckdb-"); err != nil {
		return nil, err
	}
	d.connector, err = duckdb.NewConnector(filepath.Join(d.dir, "bench.duckdb"), func(ex driver.ExecerContext) error {
		for _, s := range duckdbSession(d.threads) {
			if _, err := ex.ExecContext(context.Background(), s, nil); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	})
	if err != nil {
		d.close()
		return nil, fmt.Errorf("duckdb: open: %w", err)
	}
	d.db = sql.OpenDB(d.connector)
	if d.conn, err = d.db.Conn(ctx); err != nil {
		d.close()
		return nil, fmt.Errorf("duckdb: connect: %w", err)
	}
	var version, source string
	if err := d.conn.QueryRowContext(ctx, "SELECT version(), (SELECT source_id FROM pragma_version())").Scan(&version, &source); err != nil {
		d.close()
		return nil, fmt.Errorf("duckdb: SELECT version(): %w", err)
	}
	d.version = fmt.Sprintf("DuckDB %s (source %s)", version, source)
	log.Printf("duckdb: %s in-process, database file in %s, threads = %d", d.version, d.dir, d.threads)
	return d, nil
}

func (d *duckdbSide) close() {
	if d.conn != nil {
		d.conn.Close()
	}
	if d.db != nil {
		d.db.Close()
	}
	if d.connector != nil {
		d.connector.Close()
	}
	if d.dir != "" {
		os.RemoveAll(d.dir)
	}
}

func (d *duckdbSide) describe(e *Environment) {
	e.DuckDBVersion = d.version
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == duckdbModule {
				e.DuckDBVersion += ", Go binding " + duckdbModule + " " + m.Version
			}
		}
	}
	e.DuckDBSource = fmt.Sprintf("in-process (this process), a database file in a temporary directory, checkpointed after the load "+
		"(compressed; an in-memory database is not, and ran string GROUP BYs 2-3× slower in a separate check), threads = %d", d.threads)
	e.DuckDBLoadPath = "Appender API of the Go binding (AppendRow per row, flushed in data chunks), then CHECKPOINT (in the load time); no indexes"
	e.DuckDBQueryPath = "database/sql of the Go binding in the same process: no wire protocol and no socket (an advantage over Strata and PostgreSQL, which answer through pgx); every row read as Go values"
}

func (d *duckdbSide) drop(ctx context.Context, table string) error {
	_, err := d.conn.ExecContext(ctx, "DROP TABLE IF EXISTS "+pgx.Identifier{table}.Sanitize())
	return err
}

// load creates the table from ds.DuckDBTable() and appends the generated
// records (the ones the other engines loaded, when Pregenerated) through
// the binding's Appender, the bulk path its documentation recommends over
// INSERT. The time includes the final flush (Close) and the CHECKPOINT
// that writes the table compressed to the file.
func (d *duckdbSide) load(ctx context.Context, ds *Dataset, rows, seed int64, batchRows int, log *progress) (LoadResult, error) {
	res := LoadResult{Rows: rows, Method: "Appender"}
	if err := d.drop(ctx, ds.Table); err != nil {
		return res, fmt.Errorf("duckdb: drop %s: %w", ds.Table, err)
	}
	if _, err := d.conn.ExecContext(ctx, ds.DuckDBTable()); err != nil {
		return res, fmt.Errorf("duckdb: %s: %w", ds.DuckDBTable(), err)
	}
	if Pregenerated(rows) {
		// Generated before the timer starts, shared with the other loads.
		if _, err := pregenerate(ds, rows, seed, batchRows, log); err != nil {
			return res, err
		}
	}
	bar := log.Bar("duckdb: Appender "+ds.Table, rows)
	start := time.Now()
	err := d.conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", ds.Table)
		if err != nil {
			return err
		}
		err = eachRecord(ds, rows, seed, batchRows, log, func(rec arrow.RecordBatch) error {
			if err := appendRecord(app, rec); err != nil {
				return err
			}
			bar.Add(rec.NumRows())
			return ctx.Err()
		})
		if cerr := app.Close(); err == nil {
			err = cerr
		}
		return err
	})
	bar.Finish()
	if err != nil {
		return res, fmt.Errorf("duckdb: append into %s: %w", ds.Table, err)
	}
	if _, err := d.conn.ExecContext(ctx, "CHECKPOINT"); err != nil {
		return res, fmt.Errorf("duckdb: CHECKPOINT: %w", err)
	}
	res.Copy = time.Since(start)
	return res, nil
}

// appendRecord appends rec's rows, converting each column with the same
// getters as PostgreSQL's COPY (run_arrow.go).
func appendRecord(app *duckdb.Appender, rec arrow.RecordBatch) error {
	nc := int(rec.NumCols())
	getters := make([]func(int) any, nc)
	for c := range nc {
		get, err := columnGetter(rec.Column(c))
		if err != nil {
			return fmt.Errorf("column %s: %w", rec.ColumnName(c), err)
		}
		getters[c] = get
	}
	row := make([]driver.Value, nc)
	for i := range int(rec.NumRows()) {
		for c, get := range getters {
			if rec.Column(c).IsNull(i) {
				row[c] = nil
			} else {
				row[c] = get(i)
			}
		}
		if err := app.AppendRow(row...); err != nil {
			return err
		}
	}
	return nil
}

// sizes are the bytes in use in the database file (used blocks: the
// current table, earlier ones being dropped) and in DuckDB's memory.
func (d *duckdbSide) sizes(ctx context.Context) (file, memory int64) {
	var f, m sql.NullInt64
	if err := d.conn.QueryRowContext(ctx, "SELECT used_blocks * block_size FROM pragma_database_size()").Scan(&f); err != nil {
		f.Int64 = 0
	}
	if err := d.conn.QueryRowContext(ctx, "SELECT sum(memory_usage_bytes)::BIGINT FROM duckdb_memory()").Scan(&m); err != nil {
		m.Int64 = 0
	}
	return f.Int64, m.Int64
}

// query runs text and scans every row into Go values, timed like
// timeQuery: from sending the query until the last row is read.
func (d *duckdbSide) query(ctx context.Context, text string) ([][]any, time.Duration, error) {
	start := time.Now()
	rows, err := d.conn.QueryContext(ctx, text)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, 0, err
	}
	ptrs := make([]any, len(cols))
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, 0, err
		}
		out = append(out, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	rows.Close()
	return out, time.Since(start), nil
}

func (d *duckdbSide) normalize(rows [][]any) [][]any {
	out := make([][]any, len(rows))
	for i, r := range rows {
		out[i] = make([]any, len(r))
		for j, v := range r {
			out[i][j] = normalizeDuckDB(v)
		}
	}
	return out
}

// normalizeDuckDB converts one of the binding's values to the type pgx
// returns for the same SQL type, so that CompareResults compares values,
// not Go types: HUGEINT (sum of integers; *big.Int) as int64 when it fits
// and else as an integral numeric; DECIMAL as numeric; smaller integers as
// int64; float32 as float64; timestamps in UTC. Nothing is rounded: the
// comparison keeps its rules.
func normalizeDuckDB(v any) any {
	switch x := v.(type) {
	case *big.Int:
		if x == nil {
			return nil
		}
		if x.IsInt64() {
			return x.Int64()
		}
		return pgtype.Numeric{Int: new(big.Int).Set(x), Valid: true}
	case duckdb.Decimal:
		if x.Value == nil {
			return nil
		}
		return pgtype.Numeric{Int: new(big.Int).Set(x.Value), Exp: -int32(x.Scale), Valid: true}
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case float32:
		return float64(x)
	case time.Time:
		return x.UTC()
	}
	return v
}
