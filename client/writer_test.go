package client

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

var idSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// idRecord is rows [from, from+n) of a table whose id column numbers them.
func idRecord(mem memory.Allocator, from, n int) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, idSchema)
	defer b.Release()
	for i := from; i < from+n; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		b.Field(1).(*array.StringBuilder).Append("row")
	}
	return b.NewRecordBatch()
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// fastRetry keeps tests quick: short backoffs.
func fastRetry(o WriterOptions) WriterOptions {
	o.InitialBackoff, o.MaxBackoff = time.Millisecond, 5*time.Millisecond
	return o
}

// load writes rows [0, n) through one writer in records of per rows and
// flushes.
func load(t *testing.T, c *Client, mem memory.Allocator, n, per int, opts WriterOptions) (*Writer, error) {
	t.Helper()
	ctx := testCtx(t)
	w, err := c.NewWriter("t", fastRetry(opts))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close(ctx) })
	for from := 0; from < n; from += per {
		rec := idRecord(mem, from, min(per, n-from))
		err := w.Write(ctx, rec)
		rec.Release()
		if err != nil {
			return w, err
		}
	}
	return w, w.Flush(ctx)
}

func checkedAlloc(t *testing.T) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

func TestWriterBatchesAndSequences(t *testing.T) {
	mem := checkedAlloc(t)
	f := newFake()
	f.last["resumed"] = 4 // sequences 1-4 were applied earlier
	c := f.start(t, mem)
	w, err := load(t, c, mem, 1000, 250, WriterOptions{ProducerID: "resumed", BatchRows: 100, FirstSequence: 5})
	if err != nil {
		t.Fatal(err)
	}
	f.appliedOnce(t, 1000)
	st := w.Stats()
	// 250-row records cut at 100 rows: 100+100+50 per record, 12 batches.
	if st.Batches != 12 || st.AckedBatches != 12 || st.RowsApplied != 1000 || st.Rows != 1000 || st.Retries != 0 {
		t.Errorf("stats %+v", st)
	}
	if w.NextSequence() != 17 {
		t.Errorf("next sequence %d, want 17", w.NextSequence())
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.last[w.ProducerID()] != 16 || len(f.perSeq[5]) != 100 || len(f.perSeq[7]) != 50 {
		t.Errorf("last %d, batch sizes %d %d", f.last[w.ProducerID()], len(f.perSeq[5]), len(f.perSeq[7]))
	}
}

func TestWriterBatchBytes(t *testing.T) {
	mem := checkedAlloc(t)
	f := newFake()
	c := f.start(t, mem)
	// 8+4+3 bytes a row and bitmaps: 1000 rows are 15-23 KB with the
	// builders' spare capacity; 4 KB batches.
	w, err := load(t, c, mem, 1000, 1000, WriterOptions{BatchBytes: 4 << 10})
	if err != nil {
		t.Fatal(err)
	}
	f.appliedOnce(t, 1000)
	if b := w.Stats().Batches; b < 3 || b > 8 {
		t.Errorf("%d batches for 15-23 KB in 4 KB batches", b)
	}
}

func TestWriterRetriesRefusedBatches(t *testing.T) {
	mem := checkedAlloc(t)
	f := newFake()
	f.refuse[3], f.refuse[4], f.refuse[9], f.refuse[20] = true, true, true, true
	c := f.start(t, mem)
	w, err := load(t, c, mem, 3000, 100, WriterOptions{MaxInFlight: 4})
	if err != nil {
		t.Fatal(err)
	}
	f.appliedOnce(t, 3000)
	if st := w.Stats(); st.Retries == 0 || st.AckedBatches != 30 || st.Failed != 0 {
		t.Errorf("stats %+v", st)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ooo == 0 {
		t.Error("no batch was answered out of order: the test does not exercise recovery from it")
	}
}

func TestWriterOutOfOrderAcks(t *testing.T) {
	mem := checkedAlloc(t)
	f := newFake()
	f.reorder = true
	f.refuse[2], f.refuse[11] = true, true
	c := f.start(t, mem)
	w, err := load(t, c, mem, 2000, 50, WriterOptions{MaxInFlight: 8})
	if err != nil {
		t.Fatal(err)
	}
	f.appliedOnce(t, 2000)
	if st := w.Stats(); st.AckedBatches+st.Duplicates != 40 || st.Failed != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestWriterStreamDrops(t *testing.T) {
	mem := checkedAlloc(t)
	f := newFake()
	f.drop[5], f.drop[12], f.drop[13] = true, true, true
	c := f.start(t, mem)
	w, err := load(t, c, mem, 3000, 100, WriterOptions{MaxInFlight: 6})
	if err != nil {
		t.Fatal(err)
	}
	f.appliedOnce(t, 3000)
	st := w.Stats()
	if st.Duplicates == 0 || st.AckedBatches+st.Duplicates != 30 {
		t.Errorf("stats %+v: the batches applied before a drop come back as duplicates", st)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.streams != 4 {
		t.Errorf("%d streams, want 4 (three drops)", f.streams)
	}
}

// TestWriterRandomFaults mixes refusals, drops and reordering at random
// and checks that every row still lands exactly once.
func TestWriterRandomFaults(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	for round := 0; round < 5; round++ {
		mem := checkedAlloc(t)
		f := newFake()
		f.reorder = rng.IntN(2) == 0
		for n := 1; n < 400; n++ {
			switch rng.IntN(12) {
			case 0:
				f.refuse[n] = true
			case 1:
				f.drop[n] = true
			}
		}
		c := f.start(t, mem)
		rows := 100 + rng.IntN(4000)
		if _, err := load(t, c, mem, rows, 1+rng.IntN(300), WriterOptions{BatchRows: 1 + rng.IntN(100), MaxInFlight: 1 + rng.IntN(10)}); err != nil {
			t.Fatalf("seed %d round %d: %v", seed, round, err)
		}
		f.appliedOnce(t, rows)
	}
}

func TestFlushReportsPermanentErrors(t *testing.T) {
	mem := checkedAlloc(t)
	f := newFake()
	f.fail[3], f.fail[6] = true, true
	c := f.start(t, mem)
	w, err := load(t, c, mem, 1000, 100, WriterOptions{})
	var be *BatchError
	if !errors.As(err, &be) {
		t.Fatalf("Flush returned %v, want a *BatchError", err)
	}
	if be.Sequence != 3 || be.Code != codes.InvalidArgument || be.Message != "fake: bad batch 3" || be.More != 1 || be.Rows != 100 {
		t.Errorf("batch error %+v", be)
	}
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("status code %v", status.Code(err))
	}
	if st := w.Stats(); st.Failed != 2 || st.AckedBatches != 8 {
		t.Errorf("stats %+v", st)
	}
	if err := w.Flush(testCtx(t)); err != nil {
		t.Errorf("second Flush: %v (the failure was reported)", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.ids) != 800 {
		t.Errorf("%d rows applied, want 800", len(f.ids))
	}
}

// TestWriterUnspentRefusal: a server that refuses a batch without spending
// its sequence answers every later one out of order; the writer must turn
// those into errors rather than resend forever.
func TestWriterUnspentRefusal(t *testing.T) {
	mem := checkedAlloc(t)
	f := newFake()
	f.unspent[2] = true
	c := f.start(t, mem)
	_, err := load(t, c, mem, 400, 100, WriterOptions{})
	var be *BatchError
	if !errors.As(err, &be) || be.Sequence != 2 || be.More != 2 {
		t.Fatalf("got %v, want batch 2's error and 2 more", err)
	}
}

func TestWriteBlocksAtMaxInFlight(t *testing.T) {
	mem := checkedAlloc(t)
	f := newFake()
	hold := make(chan struct{})
	f.hold = hold
	c := f.start(t, mem)
	ctx := testCtx(t)
	w, err := c.NewWriter("t", WriterOptions{MaxInFlight: 3, BatchRows: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	rec := idRecord(mem, 0, 30) // 3 batches: fills the window
	if err := w.Write(ctx, rec); err != nil {
		t.Fatal(err)
	}
	rec.Release()
	more := idRecord(mem, 30, 10)
	defer more.Release()
	wrote := make(chan error, 1)
	go func() { wrote <- w.Write(ctx, more) }()
	select {
	case err := <-wrote:
		t.Fatalf("Write returned (%v) with 3 batches unacknowledged", err)
	case <-time.After(100 * time.Millisecond):
	}
	f.mu.Lock()
	if f.received != 3 {
		t.Errorf("server received %d batches, want 3", f.received)
	}
	f.mu.Unlock()
	close(hold)
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	f.appliedOnce(t, 40)
}

func TestWriterRerunIsDuplicates(t *testing.T) {
	mem := checkedAlloc(t)
	f := newFake()
	c := f.start(t, mem)
	if _, err := load(t, c, mem, 500, 100, WriterOptions{ProducerID: "loader-1"}); err != nil {
		t.Fatal(err)
	}
	w, err := load(t, c, mem, 500, 100, WriterOptions{ProducerID: "loader-1"})
	if err != nil {
		t.Fatal(err)
	}
	if st := w.Stats(); st.Duplicates != 5 || st.DuplicateRows != 500 || st.AckedBatches != 0 {
		t.Errorf("stats %+v", st)
	}
	f.appliedOnce(t, 500)
}

func TestWriterFatalStreamError(t *testing.T) {
	mem := checkedAlloc(t)
	f := newFake()
	f.ingest = status.Error(codes.PermissionDenied, "fake: no")
	c := f.start(t, mem)
	_, err := load(t, c, mem, 100, 100, WriterOptions{})
	if status.Code(err) != codes.PermissionDenied {
		t.Fatalf("got %v", err)
	}
}

func TestWriterGivesUp(t *testing.T) {
	mem := checkedAlloc(t)
	f := newFake()
	for n := 1; n < 10_000; n++ {
		f.refuse[n] = true
	}
	c := f.start(t, mem)
	_, err := load(t, c, mem, 100, 100, WriterOptions{RetryLimit: 100 * time.Millisecond})
	if status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("got %v, want the last refusal", err)
	}
}

func TestWriterUnreachableServer(t *testing.T) {
	c, err := Dial("127.0.0.1:1", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := testCtx(t)
	w, err := c.NewWriter("t", fastRetry(WriterOptions{RetryLimit: 200 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	rec := idRecord(memory.DefaultAllocator, 0, 10)
	defer rec.Release()
	if err := w.Write(ctx, rec); err != nil {
		t.Fatal(err)
	}
	err = w.Close(ctx)
	if status.Code(err) != codes.Unavailable {
		t.Fatalf("got %v", err)
	}
}

func TestWriterContextCanceled(t *testing.T) {
	mem := checkedAlloc(t)
	f := newFake()
	f.hold = make(chan struct{}) // never answers
	c := f.start(t, mem)
	w, err := c.NewWriter("t", WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	rec := idRecord(mem, 0, 10)
	defer rec.Release()
	if err := w.Write(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
	if err := w.Write(ctx, rec); !errors.Is(err, ErrWriterClosed) {
		t.Fatalf("Write after Close: %v", err)
	}
}

func TestIngest(t *testing.T) {
	mem := checkedAlloc(t)
	f := newFake()
	c := f.start(t, mem)
	rec := idRecord(mem, 0, 70_000)
	defer rec.Release()
	if err := c.Ingest(testCtx(t), "t", rec); err != nil {
		t.Fatal(err)
	}
	f.appliedOnce(t, 70_000)
}

func TestWriteRows(t *testing.T) {
	mem := checkedAlloc(t)
	f := newFake()
	c := f.start(t, mem)
	ctx := testCtx(t)
	w, err := c.NewWriter("t", WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	if err := w.WriteRows(ctx, idSchema, [][]any{{0, "a"}, {int64(1), nil}, {uint8(2), "c"}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	f.appliedOnce(t, 3)
	err = w.WriteRows(ctx, idSchema, [][]any{{"x", "a"}})
	if err == nil || err.Error() != `client: row 0 column "id": cannot store string x as int64` {
		t.Errorf("got %v", err)
	}
}

func TestWriteBatchOverMessageLimit(t *testing.T) {
	mem := checkedAlloc(t)
	f := newFake()
	c := f.startWith(t, Options{Allocator: mem, MaxMessageBytes: 128 << 10})
	ctx := testCtx(t)
	w, err := c.NewWriter("t", WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	rec := idRecord(mem, 0, 20_000) // ~300 KB
	defer rec.Release()
	if err := w.WriteBatch(ctx, rec); err == nil || !strings.Contains(err.Error(), "over the 65536-byte message limit") {
		t.Fatalf("got %v", err)
	}
	if w.NextSequence() != 1 {
		t.Errorf("a refused batch took sequence %d", w.NextSequence()-1)
	}
	// Write cuts by BatchBytes, kept well under the message limit.
	if err := w.Write(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	f.appliedOnce(t, 20_000)
}
