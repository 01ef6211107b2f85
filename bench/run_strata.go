package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5"

	"github.com/stratadb/strata/client"
	"github.com/stratadb/strata/server"
)

// strataSide is the Strata node under test: an in-process node (started
// with server.Open on a temporary directory and free loopback ports), or
// a running node's PostgreSQL-protocol address (--strata-addr).
//
// Loading: with the in-process node, rows go through the Go client's
// Writer (gRPC, Arrow IPC, exactly-once with a producer id), Strata's
// native ingest path. With only --strata-addr there is no gRPC address,
// so rows go through COPY FROM STDIN (binary) over pgx, as they do into
// PostgreSQL. Queries always go through pgx over the PostgreSQL protocol.
type strataSide struct {
	node    *server.Node
	dir     string
	c       *client.Client // the in-process node's gRPC client
	conn    *pgx.Conn
	pgURL   string
	version string
}

func startStrata(ctx context.Context, addr, version string, noSync bool, log *progress) (*strataSide, error) {
	s := &strataSide{version: version}
	if addr == "" {
		dir, err := os.MkdirTemp("", "strata-bench-node-")
		if err != nil {
			return nil, err
		}
		s.dir = dir
		log.Printf("starting an in-process Strata node (data in %s)", dir)
		s.node, err = server.Open(server.Config{
			DataDir:  dir,
			GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", RaftAddr: "127.0.0.1:0", PGAddr: "127.0.0.1:0",
			NoSync:  noSync,
			Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
			Version: version,
		})
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("start the Strata node: %w", err)
		}
		if s.c, err = client.Dial(s.node.GRPCAddr(), client.Options{}); err == nil {
			err = waitNodeReady(ctx, s.c)
		}
		if err != nil {
			s.close()
			return nil, err
		}
		addr = s.node.PGAddr()
	}
	s.pgURL = fmt.Sprintf("postgres://strata@%s/strata?sslmode=disable", addr)
	conn, err := connectUTC(ctx, s.pgURL)
	if err != nil {
		s.close()
		return nil, fmt.Errorf("connect to Strata at %s: %w", addr, err)
	}
	s.conn = conn
	var v string
	if err := conn.QueryRow(ctx, "SELECT version()").Scan(&v); err == nil && s.node == nil {
		s.version = v
	}
	return s, nil
}

func waitNodeReady(ctx context.Context, c *client.Client) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		st, err := c.Status(ctx)
		if err == nil && st.GetReady() {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the Strata node did not become ready: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (s *strataSide) close() {
	if s.conn != nil {
		s.conn.Close(context.Background())
	}
	if s.c != nil {
		s.c.Close()
	}
	if s.node != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		s.node.Close(ctx)
		cancel()
	}
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

// load creates the dataset's table (dropping an old one) and loads the
// rows: through the Writer in-process, through COPY otherwise.
func (s *strataSide) load(ctx context.Context, ds *Dataset, rows, seed int64, batchRows int, log *progress) (LoadResult, error) {
	res := LoadResult{Rows: rows}
	if _, err := s.conn.Exec(ctx, "DROP TABLE IF EXISTS "+ds.Table); err != nil {
		return res, fmt.Errorf("strata: drop %s: %w", ds.Table, err)
	}
	if _, err := s.conn.Exec(ctx, ds.StrataDDL); err != nil {
		return res, fmt.Errorf("strata: %s: %w", ds.StrataDDL, err)
	}
	how := "COPY"
	if s.c != nil {
		how = "Writer"
	}
	if Pregenerated(rows) {
		// Generated before the timer starts, and shared with PostgreSQL's load.
		if _, err := pregenerate(ds, rows, seed, batchRows, log); err != nil {
			return res, err
		}
	}
	bar := log.Bar("strata: "+how+" "+ds.Table, rows)
	start := time.Now()
	var err error
	if s.c != nil {
		var w *client.Writer
		w, err = s.c.NewWriter(ds.Table, client.WriterOptions{ProducerID: fmt.Sprintf("bench-%s-%d", ds.Table, time.Now().UnixNano())})
		if err != nil {
			return res, err
		}
		err = eachRecord(ds, rows, seed, batchRows, log, func(rec arrow.RecordBatch) error {
			if err := w.Write(ctx, rec); err != nil {
				return err
			}
			bar.Add(rec.NumRows())
			return nil
		})
		if cerr := w.Close(ctx); err == nil {
			err = cerr
		}
	} else {
		var cols []string
		err = eachRecord(ds, rows, seed, batchRows, log, func(rec arrow.RecordBatch) error {
			if cols == nil {
				for _, f := range rec.Schema().Fields() {
					cols = append(cols, f.Name)
				}
			}
			src, err := newRecordSource(rec)
			if err != nil {
				return err
			}
			if _, err := s.conn.CopyFrom(ctx, pgx.Identifier{ds.Table}, cols, src); err != nil {
				return err
			}
			bar.Add(rec.NumRows())
			return nil
		})
	}
	bar.Finish()
	if err != nil {
		return res, fmt.Errorf("strata: load %s (%s): %w", ds.Table, how, err)
	}
	res.Copy = time.Since(start)
	res.Method = how
	return res, nil
}

// memory returns the bytes of stored data (all tables; the suite loads one
// at a time) and, for the in-process node, the process's resident set
// (the node and the suite's own client memory).
func (s *strataSide) memory(ctx context.Context) (dataBytes, rss int64) {
	if s.c != nil {
		if st, err := s.c.Status(ctx); err == nil {
			dataBytes = st.GetDataBytes()
		}
		if b, err := os.ReadFile("/proc/self/status"); err == nil {
			rss = procKB(string(b), "VmRSS:")
		}
	}
	return dataBytes, rss
}
