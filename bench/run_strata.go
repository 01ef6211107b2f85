package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5"

	"github.com/stratadb/strata/client"
	"github.com/stratadb/strata/server"
)

// strataSide is the Strata node under test: an in-process node (started
// with server.Open on a temporary directory and free loopback ports), or
// a running node given by its gRPC address (--strata-addr).
//
// Either way rows are loaded through the Go client's Writer (gRPC, Arrow
// IPC, exactly-once with a producer id), Strata's native ingest path, and
// queries go through pgx to the PostgreSQL-protocol listener the node's
// status names.
type strataSide struct {
	node    *server.Node
	dir     string
	c       *client.Client
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
		addr = s.node.GRPCAddr()
	} else {
		log.Printf("using the Strata node at %s", addr)
	}
	var err error
	if s.c, err = client.Dial(addr, client.Options{}); err != nil {
		s.close()
		return nil, fmt.Errorf("connect to Strata at %s: %w", addr, err)
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := s.c.WaitReady(wctx); err != nil {
		s.close()
		return nil, fmt.Errorf("Strata at %s: %w", addr, err)
	}
	st, err := s.c.Status(ctx)
	if err != nil {
		s.close()
		return nil, fmt.Errorf("Strata at %s: status: %w", addr, err)
	}
	if st.GetPgAddr() == "" {
		s.close()
		return nil, fmt.Errorf("the Strata node at %s has no PostgreSQL-protocol listener (start it with --pg-addr)", addr)
	}
	if s.node == nil {
		s.version = st.GetVersion()
	}
	pgAddr := reachableAddr(addr, st.GetPgAddr())
	s.pgURL = fmt.Sprintf("postgres://strata@%s/strata?sslmode=disable", pgAddr)
	conn, err := connectUTC(ctx, s.pgURL)
	if err != nil {
		s.close()
		return nil, fmt.Errorf("connect to Strata's PostgreSQL listener at %s: %w", pgAddr, err)
	}
	s.conn = conn
	return s, nil
}

// reachableAddr is listen, a listener's address, with an unspecified host
// (0.0.0.0, ::, none) replaced by the host the node was reached at.
func reachableAddr(reached, listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if ip := net.ParseIP(host); host != "" && (ip == nil || !ip.IsUnspecified()) {
		return listen
	}
	if h, _, err := net.SplitHostPort(reached); err == nil && h != "" {
		return net.JoinHostPort(h, port)
	}
	return net.JoinHostPort("127.0.0.1", port)
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
// rows through the Writer.
func (s *strataSide) load(ctx context.Context, ds *Dataset, rows, seed int64, batchRows int, log *progress) (LoadResult, error) {
	res := LoadResult{Rows: rows, Method: "Writer"}
	if _, err := s.conn.Exec(ctx, "DROP TABLE IF EXISTS "+ds.Table); err != nil {
		return res, fmt.Errorf("strata: drop %s: %w", ds.Table, err)
	}
	if _, err := s.conn.Exec(ctx, ds.StrataDDL); err != nil {
		return res, fmt.Errorf("strata: %s: %w", ds.StrataDDL, err)
	}
	if Pregenerated(rows) {
		// Generated before the timer starts, and shared with PostgreSQL's load.
		if _, err := pregenerate(ds, rows, seed, batchRows, log); err != nil {
			return res, err
		}
	}
	bar := log.Bar("strata: Writer "+ds.Table, rows)
	start := time.Now()
	w, err := s.c.NewWriter(ds.Table, client.WriterOptions{ProducerID: fmt.Sprintf("bench-%s-%d", ds.Table, time.Now().UnixNano())})
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
	bar.Finish()
	if err != nil {
		return res, fmt.Errorf("strata: load %s (Writer): %w", ds.Table, err)
	}
	res.Copy = time.Since(start)
	return res, nil
}

// memory returns the bytes of stored data (all the node's tables: the
// suite drops each dataset's table before it loads the next) and the
// node's resident memory, both from its status. An
// in-process node shares its process with the suite, so its RSS includes
// the suite's client and generated data.
func (s *strataSide) memory(ctx context.Context) (dataBytes, rss int64) {
	// A node recomputes its usage at most every 100 ms.
	time.Sleep(150 * time.Millisecond)
	st, err := s.c.Status(ctx)
	if err != nil {
		return 0, 0
	}
	return st.GetDataBytes(), st.GetRssBytes()
}

// drop drops a dataset's table, freeing its memory.
func (s *strataSide) drop(ctx context.Context, table string) error {
	_, err := s.conn.Exec(ctx, "DROP TABLE IF EXISTS "+table)
	return err
}
