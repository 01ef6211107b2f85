package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/ipc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/stratadb/strata/client"
	stratapb "github.com/stratadb/strata/proto"
)

// fakeNode is a minimal in-process node for the CLI: tables, ingest with
// the dedup rules, and a Query that answers every plan with all of a
// table's rows (it evaluates nothing). The lead's end-to-end tests run
// the real server.
type fakeNode struct {
	stratapb.UnimplementedStrataServer
	mu      sync.Mutex
	tables  map[string]*stratapb.TableDef
	rows    map[string][][]byte // table -> applied IPC payloads
	last    map[string]uint64   // producer -> last sequence
	version uint64
	batches []*stratapb.IngestRequest // every batch received
}

func startFakeNode(t *testing.T) (*fakeNode, string) {
	t.Helper()
	f := &fakeNode{tables: map[string]*stratapb.TableDef{}, rows: map[string][][]byte{}, last: map[string]uint64{}}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer()
	stratapb.RegisterStrataServer(s, f)
	done := make(chan struct{})
	go func() { defer close(done); s.Serve(lis) }()
	t.Cleanup(func() { s.Stop(); <-done })
	return f, lis.Addr().String()
}

func (f *fakeNode) CreateTable(_ context.Context, req *stratapb.CreateTableRequest) (*stratapb.CreateTableResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.version++
	if _, ok := f.tables[req.GetTable().GetName()]; ok {
		return &stratapb.CreateTableResponse{Version: f.version, Existed: true}, nil
	}
	f.tables[req.GetTable().GetName()] = req.GetTable()
	return &stratapb.CreateTableResponse{Version: f.version}, nil
}

func (f *fakeNode) DescribeTable(_ context.Context, req *stratapb.DescribeTableRequest) (*stratapb.DescribeTableResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	def, ok := f.tables[req.GetName()]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "storage: no such table: %q", req.GetName())
	}
	return &stratapb.DescribeTableResponse{Table: def}, nil
}

func (f *fakeNode) Ingest(stream stratapb.Strata_IngestServer) error {
	for {
		req, err := stream.Recv()
		if err != nil {
			return nil
		}
		if err := stream.Send(f.apply(req)); err != nil {
			return err
		}
	}
}

func (f *fakeNode) apply(req *stratapb.IngestRequest) *stratapb.IngestAck {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.batches = append(f.batches, req)
	ack := &stratapb.IngestAck{ProducerId: req.GetProducerId(), Sequence: req.GetSequence()}
	last := f.last[req.GetProducerId()]
	switch seq := req.GetSequence(); {
	case seq <= last:
		ack.Duplicate = true
	case seq > last+1:
		ack.Error = &stratapb.Error{Code: int32(codes.FailedPrecondition), Message: "out of order"}
	default:
		f.last[req.GetProducerId()] = seq
		f.version++
		f.rows[req.GetTable()] = append(f.rows[req.GetTable()], req.GetArrowIpc())
		ack.Version = f.version
		ack.Rows = ipcRows(req.GetArrowIpc())
	}
	return ack
}

func ipcRows(payload []byte) int64 {
	rdr, err := ipc.NewReader(bytes.NewReader(payload))
	if err != nil {
		return 0
	}
	defer rdr.Release()
	var n int64
	for rdr.Next() {
		n += rdr.RecordBatch().NumRows()
	}
	return n
}

// Query answers with every applied batch of the plan's table, as stored.
func (f *fakeNode) Query(req *stratapb.QueryRequest, stream stratapb.Strata_QueryServer) error {
	p := req.GetPlan()
	for p.GetScan() == nil {
		switch n := p.GetNode().(type) {
		case *stratapb.Plan_Limit:
			p = n.Limit.GetInput()
		case *stratapb.Plan_Filter:
			p = n.Filter.GetInput()
		default:
			return status.Error(codes.Unimplemented, "fake: plan not supported")
		}
	}
	f.mu.Lock()
	payloads := f.rows[p.GetScan().GetTable()]
	f.mu.Unlock()
	for _, b := range payloads {
		if err := stream.Send(&stratapb.QueryResponse{Payload: &stratapb.QueryResponse_ArrowIpc{ArrowIpc: b}}); err != nil {
			return err
		}
	}
	return stream.Send(&stratapb.QueryResponse{Payload: &stratapb.QueryResponse_Stats{Stats: &stratapb.QueryStats{Version: f.version, Rows: 0}}})
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRunLoadCreateRerunAndQuery(t *testing.T) {
	f, addr := startFakeNode(t)
	csvPath := writeFile(t, "tx.csv", "id,account,amount,ts\n"+
		"1,a,1.5,2026-01-01 00:00:00\n2,b,,2026-01-01 00:00:01\n3,a,2,2026-01-01 00:00:02\n"+
		"4,c,3.25,2026-01-02T00:00:00Z\n5,a,-1,2026-01-03 00:00:00\n")
	ctx := context.Background()
	opts := loadOptions{Addr: addr, Table: "tx", File: csvPath, BatchRows: 2, ProducerID: "tx-load"}

	var out bytes.Buffer
	err := runLoad(ctx, opts, &out)
	if err == nil || !strings.Contains(err.Error(), `table "tx" does not exist: pass --create`) {
		t.Fatalf("without --create: %v", err)
	}

	opts.Create = true
	if err := runLoad(ctx, opts, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "5 rows sent in 3 batches; 5 rows applied, 0 duplicate batches") {
		t.Errorf("summary: %s", out.String())
	}
	def := f.tables["tx"]
	if got := typesOf(def.GetColumns()); got != "id:int64 account:string amount:float64 ts:timestamp" {
		t.Errorf("created %s", got)
	}

	out.Reset()
	if err := runLoad(ctx, opts, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "5 rows sent in 3 batches; 0 rows applied, 3 duplicate batches (5 rows)") {
		t.Errorf("re-run summary: %s", out.String())
	}
	f.mu.Lock()
	if len(f.batches) != 6 || f.batches[5].GetSequence() != 3 || ipcRows(f.batches[4].GetArrowIpc()) != 2 {
		t.Errorf("batches: %d, last sequence %d", len(f.batches), f.batches[len(f.batches)-1].GetSequence())
	}
	f.mu.Unlock()

	out.Reset()
	if err := runQuery(ctx, queryOptions{Addr: addr, Table: "tx", Limit: 10, Format: "table"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{" id | account | amount |         ts\n", "  2 | b       |        | 2026-01-01 00:00:01\n", "(5 rows; version"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("query output lacks %q:\n%s", want, out.String())
		}
	}

	out.Reset()
	var stats bytes.Buffer
	if err := runQuery(ctx, queryOptions{Addr: addr, Table: "tx", Limit: -1, Format: "json"}, &out, &stats); err != nil {
		t.Fatal(err)
	}
	if first := strings.SplitN(out.String(), "\n", 2)[0]; first != `{"id":1,"account":"a","amount":1.5,"ts":"2026-01-01T00:00:00Z"}` {
		t.Errorf("json line %s", first)
	}
	if !strings.Contains(stats.String(), "(5 rows;") {
		t.Errorf("stats %q", stats.String())
	}

	out.Reset()
	if err := runQuery(ctx, queryOptions{Addr: addr, Table: "tx", Limit: -1, Format: "csv"}, &out, &stats); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(out.String(), "\n"); lines[0] != "id,account,amount,ts" || lines[2] != "2,b,,2026-01-01 00:00:01" {
		t.Errorf("csv:\n%s", out.String())
	}
}

func TestRunLoadBadValueSendsEarlierBatches(t *testing.T) {
	f, addr := startFakeNode(t)
	f.tables["tx"] = &stratapb.TableDef{Name: "tx", Columns: []*stratapb.Column{
		{Name: "id", Type: stratapb.ColumnType_INT64},
		{Name: "amount", Type: stratapb.ColumnType_FLOAT64, Nullable: true},
		{Name: "note", Type: stratapb.ColumnType_STRING, Nullable: true},
	}}
	path := writeFile(t, "tx.jsonl", `{"id": 1, "amount": 1}
{"id": 2, "amount": 2.5}
{"id": 3, "amount": "lots"}
{"id": 4}
`)
	var out bytes.Buffer
	err := runLoad(context.Background(), loadOptions{Addr: addr, Table: "tx", File: path, BatchRows: 2, ProducerID: "j"}, &out)
	if err == nil || !strings.Contains(err.Error(), `tx.jsonl:3: column "amount": cannot read as float64: "lots"`) ||
		!strings.Contains(err.Error(), "batch 2, rows 3-4 of the file, was not sent") ||
		!strings.Contains(err.Error(), "--producer-id j") {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(out.String(), "2 rows sent in 1 batches; 2 rows applied") {
		t.Errorf("summary %s", out.String())
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.batches) != 1 {
		t.Errorf("%d batches sent, want 1", len(f.batches))
	}
}

func TestRunLoadStdinAndUnknownColumn(t *testing.T) {
	f, addr := startFakeNode(t)
	f.tables["tx"] = &stratapb.TableDef{Name: "tx", Columns: []*stratapb.Column{{Name: "id", Type: stratapb.ColumnType_INT64}}}
	var out bytes.Buffer
	opts := loadOptions{Addr: addr, Table: "tx", File: "-", Format: "csv", BatchRows: 10, Stdin: strings.NewReader("id\n1\n2\n")}
	if err := runLoad(context.Background(), opts, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "<stdin> -> tx: 2 rows sent in 1 batches") {
		t.Errorf("summary %s", out.String())
	}
	opts.Stdin = strings.NewReader("id,extra\n1,2\n")
	err := runLoad(context.Background(), opts, &out)
	if err == nil || !strings.Contains(err.Error(), `<stdin>: the file's column "extra" is not a column of table "tx" (its columns: id)`) {
		t.Errorf("got %v", err)
	}
}

func TestRunLoadParquet(t *testing.T) {
	f, addr := startFakeNode(t)
	path := writeParquet(t, parquetSchema, 25, 10, fillParquet)
	var out bytes.Buffer
	if err := runLoad(context.Background(), loadOptions{Addr: addr, Table: "p", File: path, Create: true, BatchRows: 7}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "25 rows sent in 4 batches; 25 rows applied") {
		t.Errorf("summary %s", out.String())
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	rdr, err := ipc.NewReader(bytes.NewReader(f.batches[0].GetArrowIpc()))
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Release()
	want, _ := client.ArrowSchema(f.tables["p"])
	if !rdr.Schema().Equal(want) {
		t.Errorf("batch schema %v\nwant %v", rdr.Schema(), want)
	}
}

func TestRunQueryServerError(t *testing.T) {
	_, addr := startFakeNode(t)
	err := runQuery(context.Background(), queryOptions{Addr: addr, Table: "t", Aggs: []string{"count(*)"}, Limit: -1, Format: "table"}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || err.Error() != "query: fake: plan not supported (Unimplemented)" || status.Code(err) != codes.Unimplemented {
		t.Errorf("got %v", err)
	}
}
