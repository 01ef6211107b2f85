package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/spf13/cobra"

	"github.com/stratadb/strata/client"
	"github.com/stratadb/strata/cmd/strata/internal/shell"
	"github.com/stratadb/strata/ingest"
	"github.com/stratadb/strata/server"
)

// demoOptions are demo's flags.
type demoOptions struct {
	Rows     int
	Rate     int
	MaxRows  int64
	Engine   bool
	LogLevel string
	Shell    shellOptions
}

func demoCmd() *cobra.Command {
	var o demoOptions
	cmd := &cobra.Command{
		Use:   "demo [-c SQL | -f FILE]",
		Short: "Start a throwaway node with live telemetry data and open the SQL shell on it",
		Long: `demo starts an embedded single node (in a temporary data directory, on free
loopback ports), creates a table telemetry (ts, host, region, service, cpu,
mem_mb, net_rx_kb, errors; partitioned by host, sorted by ts), loads --rows
readings of the last hour, then streams --rate new readings a second,
timestamped now, through the node's exactly-once write path, until the
shell exits (or --max-rows have been streamed). It prints a few example
queries and opens the SQL shell (the same as ` + "`strata sql`" + `) on the node;
other clients (strata sql, psql) can connect to the addresses it prints.
On exit it stops the stream and the node and deletes the data directory.

With -c or -f it runs the statements instead of the interactive shell
(scripting, tests): the stream runs meanwhile, so counts grow between
statements.

--engine runs the older in-process demo instead: no node, no SQL; the
query engine alone over --rows generated readings (default 5,000,000),
printing a few aggregation plans' answers and how they ran. It shows the
engine's raw speed without the network.

Shell options:

` + shellHelp,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.Engine {
				if !cmd.Flags().Changed("rows") {
					o.Rows = 5_000_000
				}
				if o.Rows < 1 {
					return fmt.Errorf("--rows must be positive, got %d", o.Rows)
				}
				return runEngineDemo(cmd.Context(), cmd.OutOrStdout(), o.Rows)
			}
			if o.Rows < 0 || o.Rate < 0 || o.MaxRows < 0 {
				return errors.New("--rows, --rate and --max-rows must not be negative")
			}
			return runNodeDemo(cmd.Context(), o, shellIO{In: cmd.InOrStdin(), Out: cmd.OutOrStdout(), Err: cmd.ErrOrStderr()})
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.Rows, "rows", 1_000_000, "readings of the last hour to load before the shell opens (--engine: readings to load, default 5,000,000)")
	f.IntVar(&o.Rate, "rate", 100_000, "readings a second to stream while the shell runs (0: none)")
	f.Int64Var(&o.MaxRows, "max-rows", 50_000_000, "stop streaming after this many readings (0: never; about 40 bytes of memory each)")
	f.BoolVar(&o.Engine, "engine", false, "run the in-process engine demo instead (no node, no SQL)")
	f.StringVar(&o.LogLevel, "log-level", "error", "the node's log level (logs go to standard error)")
	o.Shell.addFlags(cmd)
	return cmd
}

// demoNode is the demo's embedded node and a client of it.
type demoNode struct {
	dir  string
	node *server.Node
	c    *client.Client
}

// startDemoNode starts a node in a fresh temporary directory on free
// loopback ports and waits until it is ready.
func startDemoNode(ctx context.Context, logLevel string, logOut io.Writer) (*demoNode, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	dir, err := os.MkdirTemp("", "strata-demo-")
	if err != nil {
		return nil, err
	}
	d := &demoNode{dir: dir}
	d.node, err = server.Open(server.Config{
		DataDir:  dir,
		GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", RaftAddr: "127.0.0.1:0", PGAddr: "127.0.0.1:0",
		NoSync:  true, // the data is thrown away on exit
		Logger:  slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: level})),
		Version: version,
	})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if d.c, err = client.Dial(d.node.GRPCAddr(), client.Options{}); err == nil {
		wctx, cancel := context.WithTimeout(ctx, time.Minute)
		err = d.c.WaitReady(wctx)
		cancel()
	}
	if err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

// close stops the node and deletes its data directory.
func (d *demoNode) close() error {
	if d.c != nil {
		d.c.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := d.node.Close(ctx)
	if rmErr := os.RemoveAll(d.dir); err == nil {
		err = rmErr
	}
	return err
}

func runNodeDemo(ctx context.Context, o demoOptions, sio shellIO) (err error) {
	// SIGTERM and SIGHUP end the demo cleanly; so does SIGINT, except
	// once the interactive shell runs, where Ctrl-C cancels a statement.
	sigs := []os.Signal{syscall.SIGTERM, syscall.SIGHUP}
	scripted := len(o.Shell.Commands) > 0 || len(o.Shell.Files) > 0 || !sio.interactive()
	if scripted {
		sigs = append(sigs, os.Interrupt)
	}
	ctx, stop := signal.NotifyContext(ctx, sigs...)
	defer stop()
	setup, stopSetup := signal.NotifyContext(ctx, os.Interrupt) // while starting and loading
	defer stopSetup()
	d, err := startDemoNode(setup, o.LogLevel, sio.Err)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := d.close(); err == nil && cerr != nil {
			err = fmt.Errorf("stop the demo node: %w", cerr)
		}
	}()
	start := time.Now()
	if err := setupTelemetry(setup, d.c, o.Rows, start); err != nil {
		return err
	}
	stopSetup()
	loaded := time.Since(start)
	var st *streamer
	if o.Rate > 0 {
		w, err := d.c.NewWriter(telemetryDef.Name, client.WriterOptions{ProducerID: "demo-stream", BatchRows: max(o.Rate, 1024)})
		if err != nil {
			return err
		}
		st = startStreamer(ctx, w, o.Rate, o.MaxRows, int64(o.Rows))
		defer func() {
			if serr := st.Stop(5 * time.Second); serr != nil && ctx.Err() == nil {
				fmt.Fprintf(sio.Err, "demo: the telemetry stream stopped: %v\n", serr)
			}
		}()
	}
	banner := func(out io.Writer) { printDemoBanner(out, d, o, start, loaded) }
	return runShell(ctx, d.c, d.node.GRPCAddr(), o.Shell, sio, banner)
}

// setupTelemetry creates the table and loads rows readings spread evenly
// over the hour before now.
func setupTelemetry(ctx context.Context, c *client.Client, rows int, now time.Time) error {
	if _, err := c.CreateTable(ctx, ingest.TableDefToProto(telemetryDef), false); err != nil {
		return fmt.Errorf("create table telemetry: %w", err)
	}
	if rows == 0 {
		return nil
	}
	w, err := c.NewWriter(telemetryDef.Name, client.WriterOptions{ProducerID: "demo-history"})
	if err != nil {
		return err
	}
	step := max(1, time.Hour.Microseconds()/int64(rows))
	t0 := now.UnixMicro() - step*int64(rows)
	for first := 0; first < rows; first += 65536 {
		n := min(65536, rows-first)
		rec := telemetryBatch(memory.DefaultAllocator, int64(first), n, t0+int64(first)*step, step)
		err := w.Write(ctx, rec)
		rec.Release()
		if err != nil {
			w.Close(ctx)
			return fmt.Errorf("load telemetry: %w", err)
		}
	}
	if err := w.Close(ctx); err != nil {
		return fmt.Errorf("load telemetry: %w", err)
	}
	return nil
}

// demoExamples are the queries the banner suggests, each after a
// comment line. The e2e test runs them all.
func demoExamples(time.Time) []string {
	return []string{
		"-- how many readings so far (run it again: it grows)",
		"SELECT count(*) FROM telemetry;",
		"-- the hottest hosts in the last minute",
		"SELECT host, round(avg(cpu), 1) AS avg_cpu, max(mem_mb) AS max_mem_mb FROM telemetry WHERE ts >= now() - interval '1 minute' GROUP BY host ORDER BY avg_cpu DESC LIMIT 5;",
		"-- the last minute in 10-second buckets (date_trunc('minute', ts) works too)",
		"SELECT time_bucket('10 seconds', ts) AS t, count(*), round(avg(cpu), 1) AS avg_cpu FROM telemetry WHERE ts >= now() - interval '1 minute' GROUP BY t ORDER BY t DESC LIMIT 6;",
		"-- top 5 region and service pairs by errors",
		"SELECT region, service, count(*), sum(errors) AS errors FROM telemetry GROUP BY region, service ORDER BY errors DESC LIMIT 5;",
		"-- how a query runs: partitions and chunks pruned, workers",
		"EXPLAIN SELECT count(*) FROM telemetry WHERE host = 'host-007' AND ts >= now() - interval '5 minutes';",
	}
}

func printDemoBanner(out io.Writer, d *demoNode, o demoOptions, start time.Time, loaded time.Duration) {
	fmt.Fprintf(out, "Strata demo %s: an embedded single node; data in %s (deleted on exit)\n", version, d.dir)
	fmt.Fprintf(out, "  gRPC %s   (another shell: strata sql --addr %s)\n", d.node.GRPCAddr(), d.node.GRPCAddr())
	if pg := d.node.PGAddr(); pg != "" {
		host, port, _ := net.SplitHostPort(pg)
		fmt.Fprintf(out, "  PostgreSQL %s   (psql -h %s -p %s)\n", pg, host, port)
	}
	fmt.Fprintf(out, "  HTTP http://%s/metrics\n\n", d.node.HTTPAddr())
	fmt.Fprintf(out, "Table telemetry (ts, host, region, service, cpu, mem_mb, net_rx_kb, errors),\npartitioned by host, sorted by ts: %d readings of the last hour loaded in %v.\n",
		o.Rows, loaded.Round(time.Millisecond))
	switch {
	case o.Rate == 0:
	case o.MaxRows > 0:
		fmt.Fprintf(out, "Streaming %d new readings a second (at most %d) until you quit.\n", o.Rate, o.MaxRows)
	default:
		fmt.Fprintf(out, "Streaming %d new readings a second until you quit.\n", o.Rate)
	}
	since := start.Add(-time.Minute)
	fmt.Fprintf(out, "\nTry (times are UTC; %s is a minute before the stream started):\n", shell.FormatTimestamp(since.Truncate(time.Second)))
	for _, q := range demoExamples(since) {
		fmt.Fprintln(out, "  "+q)
	}
	fmt.Fprintln(out, "  \\d telemetry    \\timing    \\x    \\?    \\q")
	fmt.Fprintln(out)
}
