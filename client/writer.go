package client

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// messageOverhead is room left in a message for the request's other
// fields (table, producer id, sequence, framing).
const messageOverhead = 64 << 10

// WriterOptions configure a Writer. Zero fields take the defaults.
type WriterOptions struct {
	// ProducerID names the writer's stream of batches for deduplication
	// (default: a random id, see Writer.ProducerID). Reuse an id only to
	// resume or repeat the same sequence of batches.
	ProducerID string
	// FirstSequence is the sequence of the first batch (default 1).
	FirstSequence uint64
	// BatchRows and BatchBytes bound one batch cut by Write (defaults
	// 65536 rows, 8 MiB judged by the record's average row size, at most
	// a quarter of the client's MaxMessageBytes).
	BatchRows  int
	BatchBytes int
	// MaxInFlight is how many batches may be sent and not yet
	// acknowledged (default 8); Write blocks while that many are.
	MaxInFlight int
	// InitialBackoff and MaxBackoff bound the jittered, doubling wait
	// before resending (defaults 50ms and 2s). A server's retry_after_ms
	// hint lengthens a wait, never shortens it.
	InitialBackoff time.Duration
	MaxBackoff     time.Duration
	// RetryLimit is how long the writer keeps retrying without a single
	// batch being acknowledged before it gives up with the last error
	// (default 2 minutes; negative: until the context ends).
	RetryLimit time.Duration
}

func (o *WriterOptions) setDefaults() error {
	if o.ProducerID == "" {
		var b [12]byte
		if _, err := rand.Read(b[:]); err != nil {
			return fmt.Errorf("client: producer id: %w", err)
		}
		o.ProducerID = "p-" + hex.EncodeToString(b[:])
	}
	if o.FirstSequence == 0 {
		o.FirstSequence = 1
	}
	setDefault(&o.BatchRows, 65536)
	setDefault(&o.BatchBytes, 8<<20)
	setDefault(&o.MaxInFlight, 8)
	// The server remembers the exact outcome of a producer's last 16
	// batches; a resend of an older one is still deduplicated, but only
	// its failure, not its version, is remembered. Keep resends inside.
	o.MaxInFlight = min(o.MaxInFlight, maxInFlight)
	setDefault(&o.InitialBackoff, 50*time.Millisecond)
	setDefault(&o.MaxBackoff, 2*time.Second)
	setDefault(&o.RetryLimit, 2*time.Minute)
	return nil
}

func setDefault[T int | time.Duration](v *T, d T) {
	if *v == 0 {
		*v = d
	}
}

// maxInFlight caps WriterOptions.MaxInFlight at the server's window of
// remembered outcomes (ingest's recentSequences).
const maxInFlight = 16

// WriterStats count what a Writer did. Batches and rows count each
// sequence once, however often it was resent.
type WriterStats struct {
	Batches       int64  // batches written (sequences assigned)
	Rows          int64  // rows written
	AckedBatches  int64  // batches acknowledged as applied now
	RowsApplied   int64  // rows of those
	Duplicates    int64  // batches acknowledged as applied before
	DuplicateRows int64  // rows of those
	Failed        int64  // batches refused for good (see BatchError)
	Retries       int64  // resends of a batch
	Version       uint64 // the highest version an ack reported
}

// Writer sends a table's rows as numbered batches of one producer and
// resends whatever was not acknowledged, so every row lands exactly once.
// It is not safe for concurrent use, except Stats. The protocol is
// described in the package documentation.
type Writer struct {
	c     *Client
	table string
	opts  WriterOptions
	life  context.Context // the writer's lifetime; parent of its streams
	stop  context.CancelFunc

	// Driven by the caller's goroutine only (Write, Flush, Close).
	next         uint64   // the sequence of the next batch
	pending      []*batch // unacknowledged batches, by sequence
	inFlight     int      // pending batches sent on stream and not answered
	stream       *ingestStream
	node         *node // the node stream is open on
	resolve      bool  // ask for the leader before opening the next stream
	recovering   bool  // stop sending; resend pending once inFlight is 0
	backoff      time.Duration
	retryAfter   time.Duration // the server's largest hint since the last resend
	lastProgress time.Time     // when an ack last acknowledged a batch
	lastRetry    error         // why the last resend was needed
	failure      *BatchError   // the first permanent failure not yet returned
	fatal        error         // the writer cannot go on
	closed       bool

	mu    sync.Mutex // guards stats, which Stats reads from any goroutine
	stats WriterStats
}

// batch is one numbered batch, kept until it is acknowledged.
type batch struct {
	seq     uint64
	payload []byte
	rows    int64
	sent    bool // sent on the current stream and not yet answered
	sends   int
}

// NewWriter returns a writer of table's rows. It opens its stream on the
// first Write.
func (c *Client) NewWriter(table string, opts WriterOptions) (*Writer, error) {
	if err := opts.setDefaults(); err != nil {
		return nil, err
	}
	opts.BatchBytes = min(opts.BatchBytes, c.maxMsg/4) // room for estimation error
	life, stop := context.WithCancel(context.Background())
	return &Writer{
		c: c, table: table, opts: opts, life: life, stop: stop,
		next: opts.FirstSequence, backoff: opts.InitialBackoff, lastProgress: time.Now(),
	}, nil
}

// ProducerID is the writer's producer id.
func (w *Writer) ProducerID() string { return w.opts.ProducerID }

// String names the writer by table and producer id.
func (w *Writer) String() string {
	return fmt.Sprintf("writer %s of table %q", w.opts.ProducerID, w.table)
}

// NextSequence is the sequence the next batch will get.
func (w *Writer) NextSequence() uint64 { return w.next }

// Stats returns the counts so far. It is safe to call from any goroutine.
func (w *Writer) Stats() WriterStats {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stats
}

// Write sends rec's rows, cut into batches of at most BatchRows rows and
// about BatchBytes bytes, each with the next sequence. Columns match the
// table's by name, in any order. It returns once every batch is sent (or
// buffered while the writer recovers), blocking while MaxInFlight batches
// are unacknowledged. Batch failures surface in Flush.
func (w *Writer) Write(ctx context.Context, rec arrow.RecordBatch) error {
	per := rowsPerBatch(rec, w.opts.BatchRows, w.opts.BatchBytes)
	for off := int64(0); off < rec.NumRows(); off += per {
		part := rec.NewSlice(off, min(off+per, rec.NumRows()))
		err := w.WriteBatch(ctx, part)
		part.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

// WriteBatch sends rec as exactly one batch with the next sequence,
// whatever its size, so a caller can tie sequences to its own batching
// (a resumable load). A record with no rows is skipped.
func (w *Writer) WriteBatch(ctx context.Context, rec arrow.RecordBatch) error {
	if err := w.usable(); err != nil {
		return err
	}
	if rec.NumRows() == 0 {
		return nil
	}
	payload, err := encodeIPC(w.c.mem, rec)
	if err != nil {
		return err
	}
	if limit := w.c.maxMsg - messageOverhead; len(payload) > limit {
		// gRPC would refuse to send it, again on every retry.
		return fmt.Errorf("client: a batch of %d rows encodes to %d bytes, over the %d-byte message limit: write fewer rows at a time",
			rec.NumRows(), len(payload), limit)
	}
	return w.enqueue(ctx, payload, rec.NumRows())
}

// WriteRows builds a record of schema from rows of Go values (see
// RecordFromRows) and writes it.
func (w *Writer) WriteRows(ctx context.Context, schema *arrow.Schema, rows [][]any) error {
	rec, err := RecordFromRows(w.c.mem, schema, rows)
	if err != nil {
		return err
	}
	defer rec.Release()
	return w.Write(ctx, rec)
}

// Flush waits until every batch written so far is acknowledged, resending
// as needed. It returns the first batch refused for good since the last
// Flush (a *BatchError, whose More counts the others), or why the writer
// cannot go on, or ctx's error.
func (w *Writer) Flush(ctx context.Context) error {
	if w.closed {
		return ErrWriterClosed
	}
	if err := w.waitFor(ctx, func() bool { return len(w.pending) == 0 }); err != nil {
		return err
	}
	if f := w.failure; f != nil {
		w.failure = nil
		return f
	}
	return nil
}

// Close flushes, ends the stream and releases the writer. It returns
// Flush's error; the writer is released either way.
func (w *Writer) Close(ctx context.Context) error {
	if w.closed {
		return nil
	}
	err := w.Flush(ctx)
	w.closed = true
	if w.stream != nil {
		if err == nil {
			w.stream.finish(ctx)
		}
		w.stream.teardown()
		w.stream, w.node = nil, nil
	}
	w.stop()
	return err
}

// Ingest writes rec with a new writer (a fresh producer id), flushes and
// closes it: the rows are applied exactly once when it returns nil.
func (c *Client) Ingest(ctx context.Context, table string, rec arrow.RecordBatch) error {
	w, err := c.NewWriter(table, WriterOptions{})
	if err != nil {
		return err
	}
	if err := w.Write(ctx, rec); err != nil {
		w.Close(ctx)
		return err
	}
	return w.Close(ctx)
}

func (w *Writer) usable() error {
	if w.closed {
		return ErrWriterClosed
	}
	return w.fatal
}

func (w *Writer) addStats(f func(*WriterStats)) {
	w.mu.Lock()
	f(&w.stats)
	w.mu.Unlock()
}
