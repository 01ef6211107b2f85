package bench

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5"

	"github.com/stratadb/strata/bench/pgtest"
)

// Profiles of the PostgreSQL side.
const (
	ProfileDefault = "default" // PostgreSQL's defaults
	ProfileTuned   = "tuned"   // see TunedSettings
)

// TunedSettings are the "tuned" profile's settings for a machine with
// memBytes of RAM: what an analytics user would set first. jit is off
// (compiling expressions costs more than it saves on queries this short),
// shared_buffers is 25% of RAM capped at 8GB (it needs a restart),
// effective_cache_size 50% of RAM, work_mem 256MB (hash aggregates and
// sorts stay in memory), max_parallel_workers_per_gather 2 (the default,
// spelled out). Every setting but shared_buffers takes effect on
// pg_reload_conf().
func TunedSettings(memBytes int64) map[string]string {
	sb := min(memBytes/4, 8<<30)
	if sb <= 0 {
		sb = 128 << 20
	}
	ecs := max(memBytes/2, 4<<30)
	return map[string]string{
		"jit":                             "off",
		"shared_buffers":                  fmt.Sprintf("%dMB", sb>>20),
		"effective_cache_size":            fmt.Sprintf("%dMB", ecs>>20),
		"work_mem":                        "256MB",
		"max_parallel_workers_per_gather": "2",
	}
}

// restartSettings are the settings that take effect only at server start.
var restartSettings = map[string]bool{"shared_buffers": true}

// reportedSettings are the settings the report records for each profile.
var reportedSettings = []string{"shared_buffers", "work_mem", "effective_cache_size", "max_parallel_workers_per_gather", "jit", "fsync", "synchronous_commit", "max_wal_size"}

// postgresSide is the PostgreSQL server under test and a connection to it.
type postgresSide struct {
	conn    *pgx.Conn
	url     string
	server  managedPostgres // nil when given by URL
	base    string          // the private server's directory, removed on close
	version string
	source  string // what the report says the server is
}

// startPostgres connects to the server at url, or else starts one: as
// root with Debian's postgresql-common, a cluster made by
// pg_createcluster; otherwise a private initdb on a free loopback port
// (bench/pgtest). Without PostgreSQL installed, root installs it with
// apt-get first.
func startPostgres(ctx context.Context, url string, log *progress) (*postgresSide, error) {
	p := &postgresSide{url: url, source: "given by --postgres-url"}
	if url == "" {
		if _, err := pgtest.BinDir(); err != nil {
			if ierr := installPostgres(log); ierr != nil {
				return nil, fmt.Errorf("no --postgres-url and no PostgreSQL to start: %w", ierr)
			}
		}
		if canUseDebianCluster() {
			log.Printf("starting a PostgreSQL cluster (pg_createcluster)")
			c, err := startDebianCluster()
			if err != nil {
				return nil, err
			}
			p.server, p.source = c, c.Describe()
		} else {
			base, err := os.MkdirTemp("", "strata-bench-pg-")
			if err != nil {
				return nil, err
			}
			log.Printf("starting a private PostgreSQL server (initdb in %s)", base)
			p.base = base
			srv, err := pgtest.StartServer(base, pgtest.Options{Durable: true})
			if err != nil {
				os.RemoveAll(base)
				return nil, err
			}
			p.server, p.source = srv, "private (initdb on a free loopback port, fsync on, started and removed by the suite)"
		}
		p.url = p.server.URL()
	}
	if err := p.connect(ctx); err != nil {
		p.close()
		return nil, err
	}
	if err := p.conn.QueryRow(ctx, "SELECT version()").Scan(&p.version); err != nil {
		p.close()
		return nil, fmt.Errorf("postgres: SELECT version(): %w", err)
	}
	return p, nil
}

func (p *postgresSide) connect(ctx context.Context) error {
	if p.conn != nil {
		p.conn.Close(ctx)
	}
	conn, err := connectUTC(ctx, p.url)
	if err != nil {
		return fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	p.conn = conn
	return nil
}

func (p *postgresSide) close() {
	if p.conn != nil {
		p.conn.Close(context.Background())
	}
	if p.server != nil {
		p.server.Stop()
	}
	if p.base != "" {
		os.RemoveAll(p.base)
	}
}

// load creates the dataset's table (dropping an old one), COPYs the rows,
// creates the indexes and runs ANALYZE.
func (p *postgresSide) load(ctx context.Context, ds *Dataset, rows, seed int64, batchRows int, log *progress) (LoadResult, error) {
	var res LoadResult
	res.Rows = rows
	if _, err := p.conn.Exec(ctx, "DROP TABLE IF EXISTS "+pgx.Identifier{ds.Table}.Sanitize()); err != nil {
		return res, fmt.Errorf("postgres: drop %s: %w", ds.Table, err)
	}
	if _, err := p.conn.Exec(ctx, ds.PostgresDDL); err != nil {
		return res, fmt.Errorf("postgres: %s: %w", ds.PostgresDDL, err)
	}
	if Pregenerated(rows) {
		// Generated before the timer starts, and shared with Strata's load.
		if _, err := pregenerate(ds, rows, seed, batchRows, log); err != nil {
			return res, err
		}
	}
	bar := log.Bar("postgres: COPY "+ds.Table, rows)
	start := time.Now()
	var cols []string
	err := eachRecord(ds, rows, seed, batchRows, log, func(rec arrow.RecordBatch) error {
		if cols == nil {
			for _, f := range rec.Schema().Fields() {
				cols = append(cols, f.Name)
			}
		}
		src, err := newRecordSource(rec)
		if err != nil {
			return err
		}
		if _, err := p.conn.CopyFrom(ctx, pgx.Identifier{ds.Table}, cols, src); err != nil {
			return err
		}
		bar.Add(rec.NumRows())
		return nil
	})
	bar.Finish()
	if err != nil {
		return res, fmt.Errorf("postgres: COPY into %s: %w", ds.Table, err)
	}
	res.Copy = time.Since(start)
	start = time.Now()
	for _, ix := range ds.PostgresIndexes {
		log.Printf("postgres: %s", firstLine(ix))
		if _, err := p.conn.Exec(ctx, ix); err != nil {
			return res, fmt.Errorf("postgres: %s: %w", ix, err)
		}
	}
	res.Index = time.Since(start)
	start = time.Now()
	log.Printf("postgres: ANALYZE %s", ds.Table)
	if _, err := p.conn.Exec(ctx, "ANALYZE "+pgx.Identifier{ds.Table}.Sanitize()); err != nil {
		return res, fmt.Errorf("postgres: ANALYZE: %w", err)
	}
	res.Analyze = time.Since(start)
	// Write the loaded pages out now: left to the checkpointer, gigabytes
	// of dirty pages would be flushed while the next engine loads, and its
	// fsyncs would wait behind them.
	log.Printf("postgres: CHECKPOINT")
	if _, err := p.conn.Exec(ctx, "CHECKPOINT"); err != nil {
		log.Printf("postgres: CHECKPOINT: %v (continuing)", err)
	}
	return res, nil
}

// sizes returns the table's heap (with TOAST) and index bytes.
func (p *postgresSide) sizes(ctx context.Context, table string) (tableBytes, indexBytes int64, err error) {
	err = p.conn.QueryRow(ctx, "SELECT pg_table_size($1::regclass), pg_indexes_size($1::regclass)", pgx.Identifier{table}.Sanitize()).Scan(&tableBytes, &indexBytes)
	return
}

// applyProfile sets the profile's settings with ALTER SYSTEM (default:
// ALTER SYSTEM RESET ALL) and reloads; a private server is restarted when
// a setting needing it changed. A server given by URL is not restarted:
// the note says which settings wait for a restart.
func (p *postgresSide) applyProfile(ctx context.Context, profile string, log *progress) (settings map[string]string, note string, err error) {
	var want map[string]string
	switch profile {
	case ProfileDefault:
	case ProfileTuned:
		want = TunedSettings(totalMemory())
	default:
		return nil, "", fmt.Errorf("unknown profile %q (default, tuned or both)", profile)
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if p.server == nil {
		// A server given by URL is never reconfigured: the profile is
		// applied to the session with SET (default: RESET ALL), and the
		// settings that need a restart are not applied.
		if _, err := p.conn.Exec(ctx, "RESET ALL"); err != nil {
			return nil, "", fmt.Errorf("postgres: RESET ALL: %w", err)
		}
		var skipped []string
		for _, k := range keys {
			if restartSettings[k] {
				skipped = append(skipped, k+" = "+want[k])
				continue
			}
			if _, err := p.conn.Exec(ctx, fmt.Sprintf("SET %s = '%s'", k, want[k])); err != nil {
				return nil, "", fmt.Errorf("postgres: SET %s: %w", k, err)
			}
		}
		if len(skipped) > 0 {
			note = "session SET on the server given by --postgres-url; not applied (needs ALTER SYSTEM and a restart): " + strings.Join(skipped, ", ")
		} else if profile == ProfileDefault {
			note = "the server given by --postgres-url as configured (session RESET ALL)"
		}
	} else {
		// The private server: ALTER SYSTEM, reload, and a restart when a
		// setting needs one (shared_buffers).
		if _, err := p.conn.Exec(ctx, "ALTER SYSTEM RESET ALL"); err != nil {
			return nil, "", fmt.Errorf("postgres: ALTER SYSTEM RESET ALL: %w", err)
		}
		for _, k := range keys {
			if _, err := p.conn.Exec(ctx, fmt.Sprintf("ALTER SYSTEM SET %s = '%s'", k, want[k])); err != nil {
				return nil, "", fmt.Errorf("postgres: ALTER SYSTEM SET %s: %w", k, err)
			}
		}
		if _, err := p.conn.Exec(ctx, "SELECT pg_reload_conf()"); err != nil {
			return nil, "", fmt.Errorf("postgres: pg_reload_conf: %w", err)
		}
		time.Sleep(300 * time.Millisecond) // the reload is asynchronous
		var pending []string
		rows, err := p.conn.Query(ctx, "SELECT name FROM pg_settings WHERE pending_restart ORDER BY name")
		if err == nil {
			pending, err = pgx.CollectRows(rows, pgx.RowTo[string])
		}
		if err != nil {
			return nil, "", fmt.Errorf("postgres: pg_settings: %w", err)
		}
		if len(pending) > 0 {
			log.Printf("postgres: restarting for %s", strings.Join(pending, ", "))
			if err := p.server.Restart(); err != nil {
				return nil, "", err
			}
			if err := p.connect(ctx); err != nil {
				return nil, "", err
			}
			note = "ALTER SYSTEM + pg_reload_conf(); restarted for " + strings.Join(pending, ", ")
		} else {
			note = "ALTER SYSTEM + pg_reload_conf()"
		}
	}
	settings = map[string]string{}
	for _, k := range reportedSettings {
		var v string
		if err := p.conn.QueryRow(ctx, "SELECT current_setting($1)", k).Scan(&v); err == nil {
			settings[k] = v
		}
	}
	return settings, note, nil
}

// totalMemory is the machine's RAM in bytes (0 if unknown).
func totalMemory() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	return procKB(string(b), "MemTotal:")
}

// procKB reads "Key:   N kB" from a /proc file's text, in bytes.
func procKB(text, key string) int64 {
	for _, line := range strings.Split(text, "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			var n int64
			fmt.Sscanf(strings.TrimSpace(rest), "%d", &n)
			return n << 10
		}
	}
	return 0
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}

// connectUTC connects with the session's TimeZone set to UTC (Strata's
// clock), so that timestamptz values and date_trunc agree on both engines.
func connectUTC(ctx context.Context, url string) (*pgx.Conn, error) {
	cc, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	cc.RuntimeParams["timezone"] = "UTC"
	return pgx.ConnectConfig(ctx, cc)
}

// drop drops a dataset's table and its indexes.
func (p *postgresSide) drop(ctx context.Context, table string) error {
	_, err := p.conn.Exec(ctx, "DROP TABLE IF EXISTS "+pgx.Identifier{table}.Sanitize())
	return err
}
