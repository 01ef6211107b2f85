package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/spf13/cobra"
	"golang.org/x/term"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/stratadb/strata/client"
	stratapb "github.com/stratadb/strata/proto"
)

// defaultAddr is a node's default gRPC address.
const defaultAddr = "127.0.0.1:7600"

// loadOptions are strata load's flags; runLoad is the command without
// cobra, for tests.
type loadOptions struct {
	Addr         string
	Table        string
	File         string // a path, or "-" for Stdin
	Format       string // csv, jsonl or parquet; "" means by the file's extension
	Create       bool
	ProducerID   string // "" means a fresh random id
	BatchRows    int
	PartitionKey []string // for --create
	SortKey      []string // for --create
	Stdin        io.Reader
	Progress     io.Writer        // where the progress bar draws; nil: none
	Allocator    memory.Allocator // default memory.DefaultAllocator
}

func loadCmd() *cobra.Command {
	opts := loadOptions{}
	cmd := &cobra.Command{
		Use:   "load --table T [flags] FILE.csv|FILE.jsonl|FILE.parquet|-",
		Short: "Load a CSV, JSON Lines or Parquet file into a table",
		Long: `load sends a file's rows to a node in numbered batches and prints what was
applied. Columns match the table's by name, in any order; table columns the
file lacks must be nullable.

The format comes from the extension (.csv, .jsonl/.ndjson/.json, .parquet)
or --format, which "-" (standard input) needs. CSV files need a header row;
an empty field is NULL. JSON Lines files hold one object per line; null or
a missing key is NULL.

Without --create the table must exist. With --create a missing table is
created from the file: Parquet columns keep their types; CSV and JSONL
types are inferred from the first 10000 rows (int64 if every value is an
integer, else float64 if a number, bool for true/false, date for
YYYY-MM-DD, timestamp for RFC 3339 or "YYYY-MM-DD HH:MM:SS[.ffffff]"
(UTC when no zone is given), else string). Inferred columns are all
nullable, so a NULL further down the file cannot fail a half-done load.

Batch k is rows [(k-1)*N, k*N) of the file, N = --batch-rows. With
--producer-id, re-running the same load (same id, same batch size) is a
no-op (every batch comes back a duplicate), and an interrupted load
resumes where it stopped. Without it each run gets a fresh id.

A value that does not fit its column stops the load with its line,
column and value; nothing of that batch is sent, earlier batches stay.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			opts.Stdin = cmd.InOrStdin()
			if f, ok := cmd.ErrOrStderr().(*os.File); ok && term.IsTerminal(int(f.Fd())) {
				opts.Progress = f
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			return runLoad(ctx, opts, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Addr, "addr", defaultAddr, "a node's gRPC address")
	f.StringVar(&opts.Table, "table", "", "the table to load into (required)")
	f.StringVar(&opts.Format, "format", "", "csv, jsonl or parquet (default: from the file's extension)")
	f.BoolVar(&opts.Create, "create", false, "create the table from the file's columns if it does not exist")
	f.StringVar(&opts.ProducerID, "producer-id", "", "idempotency id: makes the load repeatable and resumable")
	f.IntVar(&opts.BatchRows, "batch-rows", 65536, "rows per batch")
	f.StringSliceVar(&opts.PartitionKey, "partition-key", nil, "with --create: partition key columns")
	f.StringSliceVar(&opts.SortKey, "sort-key", nil, "with --create: sort key columns")
	cmd.MarkFlagRequired("table")
	return cmd
}

// loadSource is an open input file: its columns, the inference sample, and
// how to read it.
type loadSource struct {
	format  string
	name    string // for messages
	closer  io.Closer
	counter *countingReader // bytes read, for progress (text formats)
	size    int64           // the file's size, 0 if unknown
	text    textReader
	sample  []textRow
	parquet *parquetFile
}

func (s *loadSource) close() {
	if s.parquet != nil {
		s.parquet.close()
	}
	if s.closer != nil {
		s.closer.Close()
	}
}

func (s *loadSource) columns() []string {
	if s.parquet != nil {
		return s.parquet.columns()
	}
	return s.text.columns()
}

// runLoad loads opts.File into opts.Table and prints a summary to out.
func runLoad(ctx context.Context, opts loadOptions, out io.Writer) error {
	if err := checkLoadOptions(&opts); err != nil {
		return err
	}
	c, err := client.Dial(opts.Addr, client.Options{Allocator: opts.Allocator})
	if err != nil {
		return err
	}
	defer c.Close()
	table, err := tableSchema(ctx, c, opts.Table)
	if err != nil {
		return err
	}
	src, err := openLoadSource(opts, table)
	if err != nil {
		return err
	}
	defer src.close()
	if table == nil {
		if table, err = createFromSource(ctx, c, opts, src); err != nil {
			return err
		}
	}
	target, idx, err := mapColumns(src.columns(), table, opts.Table)
	if err != nil {
		return fmt.Errorf("%s: %w", src.name, err)
	}
	br, err := src.batches(ctx, opts.Allocator, target, idx)
	if err != nil {
		return err
	}
	defer br.close()
	return sendBatches(ctx, c, opts, src, br, out)
}

func checkLoadOptions(opts *loadOptions) error {
	if opts.Table == "" {
		return errors.New("--table is required")
	}
	if opts.BatchRows < 1 {
		return fmt.Errorf("--batch-rows must be positive, got %d", opts.BatchRows)
	}
	if opts.Allocator == nil {
		opts.Allocator = memory.DefaultAllocator
	}
	if opts.Stdin == nil {
		opts.Stdin = os.Stdin
	}
	format, err := fileFormat(opts.File, opts.Format)
	opts.Format = format
	return err
}

// fileFormat is --format, or the format the file's extension names.
func fileFormat(file, format string) (string, error) {
	switch strings.ToLower(format) {
	case "csv", "jsonl", "parquet":
		return strings.ToLower(format), nil
	case "json", "ndjson":
		return "jsonl", nil
	case "":
	default:
		return "", fmt.Errorf("unknown --format %q (want csv, jsonl or parquet)", format)
	}
	if file == "-" {
		return "", errors.New("reading standard input needs --format csv, jsonl or parquet")
	}
	switch strings.ToLower(filepath.Ext(file)) {
	case ".csv":
		return "csv", nil
	case ".jsonl", ".ndjson", ".json":
		return "jsonl", nil
	case ".parquet", ".pq":
		return "parquet", nil
	}
	return "", fmt.Errorf("cannot tell the format of %q from its extension: pass --format csv, jsonl or parquet", file)
}

// tableSchema is the table's row schema, or nil when it does not exist.
func tableSchema(ctx context.Context, c *client.Client, name string) (*arrow.Schema, error) {
	d, err := c.DescribeTable(ctx, name)
	if status.Code(err) == codes.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, rpcErr("describe table "+name, err)
	}
	return client.ArrowSchema(d.GetTable())
}

// openLoadSource opens the input. For an existing table, JSONL keys are
// its columns; otherwise a sample of text rows is read for inference.
func openLoadSource(opts loadOptions, table *arrow.Schema) (*loadSource, error) {
	src := &loadSource{format: opts.Format, name: opts.File}
	if opts.Format == "parquet" {
		if opts.File == "-" {
			return nil, errors.New("Parquet cannot be read from standard input (its index is at the end of the file): pass a file name")
		}
		p, err := openParquet(opts.Allocator, opts.File, opts.BatchRows)
		if err != nil {
			return nil, err
		}
		src.parquet = p
		return src, nil
	}
	var in io.Reader = opts.Stdin
	if opts.File == "-" {
		src.name = "<stdin>"
	} else {
		f, err := os.Open(opts.File)
		if err != nil {
			return nil, err
		}
		src.closer = f
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			src.size = st.Size()
		}
		in = f
	}
	src.counter = &countingReader{r: in}
	if err := src.openText(table); err != nil {
		src.close()
		return nil, err
	}
	return src, nil
}

func (s *loadSource) openText(table *arrow.Schema) error {
	if s.format == "jsonl" {
		j := newJSONLReader(s.counter)
		if table != nil {
			for _, name := range fieldNames(table) {
				j.index[name] = len(j.cols)
				j.cols = append(j.cols, name)
			}
			j.freeze()
		}
		s.text = j
	} else {
		r, err := newCSVReader(s.counter)
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		s.text = r
	}
	if table != nil {
		return nil
	}
	sample, err := sampleRows(s.text, inferSampleRows)
	if err != nil {
		return fmt.Errorf("%s: %w", s.name, err)
	}
	s.sample = sample
	return nil
}

// createFromSource creates the table from the file's columns (with
// --create) and returns its schema as the node has it.
func createFromSource(ctx context.Context, c *client.Client, opts loadOptions, src *loadSource) (*arrow.Schema, error) {
	if !opts.Create {
		return nil, fmt.Errorf("table %q does not exist: pass --create to create it from the file's columns", opts.Table)
	}
	var cols []*stratapb.Column
	var err error
	if src.parquet != nil {
		cols, err = parquetColumns(src.parquet.schema)
	} else {
		cols, err = inferColumns(src.text.columns(), src.sample)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src.name, err)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("%s: no columns to create table %q from", src.name, opts.Table)
	}
	def := &stratapb.TableDef{Name: opts.Table, Columns: cols, PartitionKey: opts.PartitionKey, SortKey: opts.SortKey}
	if _, err := c.CreateTable(ctx, def, true); err != nil {
		return nil, rpcErr("create table "+opts.Table, err)
	}
	table, err := tableSchema(ctx, c, opts.Table)
	if err == nil && table == nil {
		err = fmt.Errorf("table %q vanished right after it was created", opts.Table)
	}
	return table, err
}

// batches reads the source as records of the loaded schema.
func (s *loadSource) batches(ctx context.Context, mem memory.Allocator, target *arrow.Schema, idx []int) (batchReader, error) {
	if s.parquet != nil {
		return newParquetBatches(ctx, mem, s.parquet, target, idx)
	}
	return newTextBatches(mem, s.name, s.text, s.sample, target, idx), nil
}

// sendBatches writes batch after batch, then flushes and prints the
// summary (also when a batch cannot be built or the load is interrupted).
func sendBatches(ctx context.Context, c *client.Client, opts loadOptions, src *loadSource, br batchReader, out io.Writer) error {
	w, err := c.NewWriter(opts.Table, client.WriterOptions{ProducerID: opts.ProducerID, BatchRows: opts.BatchRows})
	if err != nil {
		return err
	}
	start := time.Now()
	prog := newLoadProgress(opts.Progress, src)
	err = writeAll(ctx, w, br, opts.BatchRows, prog)
	closeErr := w.Close(ctx) // flushes; releases the writer even if interrupted
	prog.finish()
	printLoadSummary(out, src.name, opts.Table, w, time.Since(start))
	if err == nil {
		err = closeErr
	}
	if errors.Is(err, context.Canceled) {
		err = fmt.Errorf("load interrupted (%w)", err)
	}
	var batchErr *client.BatchError
	if err != nil && w.Stats().Batches > 0 && opts.ProducerID != "" && !errors.As(err, &batchErr) {
		// (A batch refused for good is refused again on a re-run: its
		// sequence is spent.)
		err = fmt.Errorf("%w\n(re-run with the same --producer-id %s and --batch-rows %d to resume: applied batches come back as duplicates)",
			err, opts.ProducerID, opts.BatchRows)
	}
	return err
}

func writeAll(ctx context.Context, w *client.Writer, br batchReader, n int, prog *loadProgress) error {
	for k := w.NextSequence(); ; k++ {
		rec, err := br.next(n)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			first := int64(k-1) * int64(n)
			return fmt.Errorf("%w\n(batch %d, rows %d-%d of the file, was not sent)", err, k, first+1, first+int64(n))
		}
		rows := rec.NumRows()
		err = w.WriteBatch(ctx, rec)
		rec.Release()
		if err != nil {
			return err
		}
		prog.add(rows)
	}
}

func printLoadSummary(out io.Writer, file, table string, w *client.Writer, took time.Duration) {
	st := w.Stats()
	rate := 0.0
	if took > 0 {
		rate = float64(st.RowsApplied+st.DuplicateRows) / took.Seconds()
	}
	fmt.Fprintf(out, "%s -> %s: %d rows sent in %d batches; %d rows applied, %d duplicate batches (%d rows), %d failed batches, %d resends; %v, %.0f rows/s (producer %s, version %d)\n",
		file, table, st.Rows, st.Batches, st.RowsApplied, st.Duplicates, st.DuplicateRows, st.Failed, st.Retries,
		took.Round(time.Millisecond), rate, w.ProducerID(), st.Version)
}

// rpcError names the call that failed and shows the server's message and
// code; status.Code still sees the code.
type rpcError struct {
	op  string
	err error
}

func rpcErr(op string, err error) error { return &rpcError{op: op, err: err} }

func (e *rpcError) Error() string {
	s, ok := status.FromError(e.err)
	if !ok {
		return e.op + ": " + e.err.Error()
	}
	return fmt.Sprintf("%s: %s (%s)", e.op, s.Message(), s.Code())
}

func (e *rpcError) Unwrap() error { return e.err }
