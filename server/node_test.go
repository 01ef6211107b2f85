package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/query/plan"
)

// startNode opens a node on free loopback ports in a temp dir.
func startNode(t *testing.T, cfg Config) (*Node, stratapb.StrataClient) {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	cfg.GRPCAddr, cfg.HTTPAddr, cfg.RaftAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	if cfg.PGAddr == "" {
		cfg.PGAddr = "127.0.0.1:0"
	}
	cfg.NoSync = true
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("STRATA_TEST_LOG") != "" {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	n, err := Open(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { n.Close(context.Background()) })
	require.Eventually(t, func() bool { return n.ready() == nil }, 20*time.Second, 10*time.Millisecond)
	conn, err := grpc.NewClient(n.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(256<<20), grpc.MaxCallSendMsgSize(256<<20)))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return n, stratapb.NewStrataClient(conn)
}

var kvTable = &stratapb.TableDef{Name: "kv", Columns: []*stratapb.Column{
	{Name: "k", Type: stratapb.ColumnType_STRING},
	{Name: "v", Type: stratapb.ColumnType_INT64},
}}

func kvPayload(t testing.TB, from, to int) []byte {
	schema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.BinaryTypes.String}, {Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for i := from; i < to; i++ {
		b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("k%d", i%5))
		b.Field(1).(*array.Int64Builder).Append(int64(i))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(schema))
	require.NoError(t, w.Write(rec))
	require.NoError(t, w.Close())
	return buf.Bytes()
}

// ingest sends reqs on one stream and returns the acks by sequence.
func sendBatches(t *testing.T, c stratapb.StrataClient, reqs ...*stratapb.IngestRequest) map[uint64]*stratapb.IngestAck {
	t.Helper()
	stream, err := c.Ingest(context.Background())
	require.NoError(t, err)
	for _, r := range reqs {
		require.NoError(t, stream.Send(r))
	}
	require.NoError(t, stream.CloseSend())
	acks := map[uint64]*stratapb.IngestAck{} // the last ack of each sequence
	count := 0
	for {
		ack, err := stream.Recv()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		acks[ack.Sequence] = ack
		count++
	}
	require.Equal(t, len(reqs), count, "one ack per batch")
	return acks
}

func sumV(t *testing.T, c stratapb.StrataClient) (int64, int64) {
	p, err := PlanToProto(&plan.Aggregate{Input: &plan.Scan{Table: "kv"}, Aggs: []plan.NamedAgg{
		{Name: "n", Agg: plan.Agg{Func: plan.AggCountStar}},
		{Name: "s", Agg: plan.Agg{Func: plan.AggSum, Arg: plan.Col{Name: "v"}}},
	}})
	require.NoError(t, err)
	stream, err := c.Query(context.Background(), &stratapb.QueryRequest{Query: &stratapb.QueryRequest_Plan{Plan: p}})
	require.NoError(t, err)
	var n, s int64
	var stats *stratapb.QueryStats
	for {
		msg, err := stream.Recv()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		if st := msg.GetStats(); st != nil {
			stats = st
			continue
		}
		rdr, err := ipc.NewReader(bytes.NewReader(msg.GetArrowIpc()))
		require.NoError(t, err)
		for rdr.Next() {
			rec := rdr.RecordBatch()
			n = rec.Column(0).(*array.Int64).Value(0)
			if rec.Column(1).IsValid(0) {
				s = rec.Column(1).(*array.Int64).Value(0)
			}
		}
		rdr.Release()
	}
	require.NotNil(t, stats, "stats come last")
	return n, s
}

func TestIngestIsIdempotentAndAnswersEveryBatch(t *testing.T) {
	_, c := startNode(t, Config{})
	ctx := context.Background()
	_, err := c.CreateTable(ctx, &stratapb.CreateTableRequest{Table: kvTable})
	require.NoError(t, err)
	_, err = c.CreateTable(ctx, &stratapb.CreateTableRequest{Table: kvTable})
	require.Equal(t, codes.AlreadyExists, status.Code(err))

	req := func(seq uint64, from, to int) *stratapb.IngestRequest {
		return &stratapb.IngestRequest{Table: "kv", ProducerId: "p", Sequence: seq, ArrowIpc: kvPayload(t, from, to)}
	}
	acks := sendBatches(t, c, req(1, 0, 100), req(2, 100, 200), req(2, 100, 200), req(4, 300, 400), req(3, 200, 300))
	require.Nil(t, acks[1].Error)
	require.EqualValues(t, 100, acks[1].Rows)
	require.Equal(t, codes.FailedPrecondition, codes.Code(acks[4].Error.GetCode()), "4 before 3 is out of order")
	require.Nil(t, acks[3].Error)
	n, s := sumV(t, c)
	require.EqualValues(t, 300, n, "the repeated batch 2 counted once")
	require.EqualValues(t, 299*300/2, s)

	// A batch sent three times on separate streams counts once.
	for i := 0; i < 3; i++ {
		a := sendBatches(t, c, req(4, 300, 400))
		require.Nil(t, a[4].Error)
		require.Equal(t, i > 0, a[4].Duplicate)
	}
	n, _ = sumV(t, c)
	require.EqualValues(t, 400, n)
}

func TestIngestErrorsNameTheProblem(t *testing.T) {
	_, c := startNode(t, Config{MaxMessageBytes: 1 << 20})
	ctx := context.Background()
	_, err := c.CreateTable(ctx, &stratapb.CreateTableRequest{Table: kvTable})
	require.NoError(t, err)
	wrongSchema := func() []byte {
		schema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.PrimitiveTypes.Int64}}, nil)
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		defer b.Release()
		b.Field(0).(*array.Int64Builder).Append(1)
		rec := b.NewRecordBatch()
		defer rec.Release()
		var buf bytes.Buffer
		w := ipc.NewWriter(&buf, ipc.WithSchema(schema))
		require.NoError(t, w.Write(rec))
		require.NoError(t, w.Close())
		return buf.Bytes()
	}()
	stream, err := c.Ingest(ctx)
	require.NoError(t, err)
	for _, r := range []*stratapb.IngestRequest{
		{Table: "nope", ProducerId: "a", Sequence: 1, ArrowIpc: kvPayload(t, 0, 1)},
		{Table: "kv", ProducerId: "b", Sequence: 1, ArrowIpc: wrongSchema},
		{Table: "kv", ProducerId: "c", Sequence: 1, ArrowIpc: []byte("garbage")},
		{Table: "kv", ProducerId: "d", Sequence: 1, ArrowIpc: make([]byte, 1<<20+4096)},
		{Table: "kv", ProducerId: "e", Sequence: 0, ArrowIpc: kvPayload(t, 0, 1)},
		{Table: "kv", ProducerId: "f", Sequence: 1, ArrowIpc: kvPayload(t, 0, 7)},
	} {
		require.NoError(t, stream.Send(r))
	}
	require.NoError(t, stream.CloseSend())
	got := map[string]*stratapb.IngestAck{}
	for {
		ack, err := stream.Recv()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "bad batches never end the stream")
		got[ack.ProducerId] = ack
	}
	want := map[string]struct {
		code codes.Code
		msg  string
	}{
		"a": {codes.NotFound, `"nope"`},
		"b": {codes.InvalidArgument, `column "k" has type int64`},
		"c": {codes.InvalidArgument, "malformed Arrow IPC payload"},
		"d": {codes.InvalidArgument, "exceeds the limit of 1048576 bytes"},
		"e": {codes.InvalidArgument, "sequences start at 1"},
	}
	for p, w := range want {
		require.NotNil(t, got[p].GetError(), p)
		require.Equal(t, w.code, codes.Code(got[p].Error.Code), "producer %s: %s", p, got[p].Error.Message)
		require.Contains(t, got[p].Error.Message, w.msg)
	}
	require.Nil(t, got["f"].Error)
	n, _ := sumV(t, c)
	require.EqualValues(t, 7, n, "only the good batch applied")

	// Refusals spend the sequence (except sequence 0, which has none): the
	// producer goes on with its next batch, and a retry of the refused one
	// gets the same answer.
	next := sendBatches(t, c,
		&stratapb.IngestRequest{Table: "kv", ProducerId: "d", Sequence: 2, ArrowIpc: kvPayload(t, 0, 3)},
		&stratapb.IngestRequest{Table: "kv", ProducerId: "d", Sequence: 1, ArrowIpc: make([]byte, 1<<20+4096)})
	require.Nil(t, next[2].Error, "after an oversized batch the producer goes on")
	require.Equal(t, codes.InvalidArgument, codes.Code(next[1].Error.GetCode()))
	require.Contains(t, next[1].Error.Message, "exceeds the limit")

	// Above twice the limit gRPC itself refuses the message: the stream
	// ends with ResourceExhausted naming the sizes, and nothing is applied.
	huge, err := c.Ingest(ctx)
	require.NoError(t, err)
	_ = huge.Send(&stratapb.IngestRequest{Table: "kv", ProducerId: "g", Sequence: 1, ArrowIpc: make([]byte, 3<<20)})
	_, err = huge.Recv()
	require.Equal(t, codes.ResourceExhausted, status.Code(err), "%v", err)
	require.Contains(t, err.Error(), "larger than max")
	n, _ = sumV(t, c)
	require.EqualValues(t, 10, n)
}
