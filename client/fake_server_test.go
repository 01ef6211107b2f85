package client

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	stratapb "github.com/stratadb/strata/proto"
)

// fakeServer is a scripted Strata node. Its Ingest applies batches with
// the real dedup rules (seq = last+1 applied; seq <= last duplicate, with
// the first outcome remembered; seq > last+1 out of order) and can be told
// to refuse, fail, drop or reorder. Counters are of batches received over
// all streams, from 1.
type fakeServer struct {
	stratapb.UnimplementedStrataServer

	mu       sync.Mutex
	last     map[string]uint64  // producer -> last sequence decided
	outcomes map[string]fakeAck // "producer/seq" -> first answer
	ids      map[int64]int      // id column value -> times applied
	received int                // batches received
	streams  int                // Ingest calls
	ooo      int                // batches answered out of order
	version  uint64             // bumped per applied batch
	perSeq   map[uint64][]int64 // sequence -> ids applied (last producer wins)
	refuse   map[int]bool       // received numbers answered ResourceExhausted
	drop     map[int]bool       // received numbers after which the stream drops (batch applied, no ack)
	fail     map[uint64]bool    // sequences refused for good (sequence spent)
	unspent  map[uint64]bool    // sequences refused without spending them (like an admission check)
	reorder  bool               // answer the acks available at once in reverse order
	hold     chan struct{}      // when set, acks wait until it is closed
	ingest   error              // when set, Ingest fails with it at once

	query      []arrow.RecordBatch // the answer's records, one message each
	querySch   *arrow.Schema
	queryErr   error
	tables     map[string]*stratapb.TableDef
	queryCalls []*stratapb.QueryRequest
}

type fakeAck struct {
	version uint64
	rows    int64
	err     *stratapb.Error
}

func newFake() *fakeServer {
	return &fakeServer{
		last: map[string]uint64{}, outcomes: map[string]fakeAck{}, ids: map[int64]int{},
		perSeq: map[uint64][]int64{}, refuse: map[int]bool{}, drop: map[int]bool{},
		fail: map[uint64]bool{}, unspent: map[uint64]bool{}, tables: map[string]*stratapb.TableDef{},
	}
}

// start serves f on 127.0.0.1:0 and returns a client of it; both stop at
// the end of the test.
func (f *fakeServer) start(t *testing.T, mem memory.Allocator) *Client {
	t.Helper()
	return f.startWith(t, Options{Allocator: mem})
}

func (f *fakeServer) startWith(t *testing.T, opts Options) *Client {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer()
	stratapb.RegisterStrataServer(s, f)
	served := make(chan struct{})
	go func() { defer close(served); s.Serve(lis) }()
	t.Cleanup(func() { s.Stop(); <-served })
	c, err := Dial(lis.Addr().String(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func (f *fakeServer) Ingest(stream stratapb.Strata_IngestServer) error {
	f.mu.Lock()
	f.streams++
	fail := f.ingest
	f.mu.Unlock()
	if fail != nil {
		return fail
	}
	acks := make(chan *stratapb.IngestAck, 1024)
	abort := make(chan struct{})
	sent := make(chan error, 1)
	go func() { sent <- f.sendAcks(stream, acks, abort) }()
	var result error
	for {
		req, err := stream.Recv()
		if err != nil {
			break
		}
		ack, drop := f.apply(req)
		if drop {
			close(abort)
			result = status.Error(codes.Unavailable, "fake: connection dropped")
			break
		}
		acks <- ack
	}
	close(acks)
	if err := <-sent; result == nil {
		result = err
	}
	return result
}

// sendAcks sends acks as they come; with reorder, it gathers the acks that
// arrive within a few milliseconds and sends them last first.
func (f *fakeServer) sendAcks(stream stratapb.Strata_IngestServer, acks <-chan *stratapb.IngestAck, abort <-chan struct{}) error {
	for ack := range acks {
		group := []*stratapb.IngestAck{ack}
		f.mu.Lock()
		reorder, hold := f.reorder, f.hold
		f.mu.Unlock()
		if reorder {
			group = gather(group, acks)
			slices.Reverse(group)
		}
		for _, a := range group {
			if hold != nil {
				select {
				case <-hold:
				case <-stream.Context().Done():
					return nil
				}
			}
			select {
			case <-abort:
				return nil
			default:
			}
			if err := stream.Send(a); err != nil {
				return err
			}
		}
	}
	return nil
}

func gather(group []*stratapb.IngestAck, acks <-chan *stratapb.IngestAck) []*stratapb.IngestAck {
	timeout := time.After(3 * time.Millisecond)
	for {
		select {
		case a, ok := <-acks:
			if !ok {
				return group
			}
			group = append(group, a)
		case <-timeout:
			return group
		}
	}
}

// apply decides one batch; drop says the stream must drop after it.
func (f *fakeServer) apply(req *stratapb.IngestRequest) (*stratapb.IngestAck, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.received++
	n := f.received
	p, seq := req.GetProducerId(), req.GetSequence()
	ack := &stratapb.IngestAck{ProducerId: p, Sequence: seq}
	key := fmt.Sprintf("%s/%d", p, seq)
	last := f.last[p]
	switch {
	case f.refuse[n]:
		ack.Error = &stratapb.Error{Code: int32(codes.ResourceExhausted), Message: "fake: busy", RetryAfterMs: 1}
	case f.unspent[seq]:
		ack.Error = &stratapb.Error{Code: int32(codes.InvalidArgument), Message: "fake: refused at admission"}
	case seq <= last:
		o := f.outcomes[key]
		ack.Version, ack.Rows, ack.Duplicate, ack.Error = o.version, o.rows, o.err == nil, o.err
	case seq > last+1:
		f.ooo++
		ack.Error = &stratapb.Error{Code: int32(codes.FailedPrecondition),
			Message: fmt.Sprintf("fake: sequence out of order: got %d, expected %d", seq, last+1)}
	default:
		f.last[p] = seq
		o := f.applyRows(seq, req.GetArrowIpc())
		f.outcomes[key] = o
		ack.Version, ack.Rows, ack.Error = o.version, o.rows, o.err
	}
	return ack, f.drop[n]
}

func (f *fakeServer) applyRows(seq uint64, payload []byte) fakeAck {
	if f.fail[seq] {
		return fakeAck{err: &stratapb.Error{Code: int32(codes.InvalidArgument), Message: fmt.Sprintf("fake: bad batch %d", seq)}}
	}
	ids, err := decodeIDs(payload)
	if err != nil {
		return fakeAck{err: &stratapb.Error{Code: int32(codes.InvalidArgument), Message: err.Error()}}
	}
	f.version++
	for _, id := range ids {
		f.ids[id]++
	}
	f.perSeq[seq] = ids
	return fakeAck{version: f.version, rows: int64(len(ids))}
}

// decodeIDs reads the "id" column of a batch (the row positions when it
// has none).
func decodeIDs(payload []byte) ([]int64, error) {
	rdr, err := ipc.NewReader(bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	defer rdr.Release()
	var ids []int64
	for rdr.Next() {
		rec := rdr.RecordBatch()
		idx := rec.Schema().FieldIndices("id")
		for i := 0; i < int(rec.NumRows()); i++ {
			if len(idx) == 0 {
				ids = append(ids, int64(len(ids)))
				continue
			}
			ids = append(ids, rec.Column(idx[0]).(*array.Int64).Value(i))
		}
	}
	return ids, rdr.Err()
}

func (f *fakeServer) Query(req *stratapb.QueryRequest, stream stratapb.Strata_QueryServer) error {
	f.mu.Lock()
	f.queryCalls = append(f.queryCalls, req)
	recs, sch, qerr := f.query, f.querySch, f.queryErr
	f.mu.Unlock()
	if qerr != nil {
		return qerr
	}
	for _, rec := range recs {
		if err := sendIPC(stream, sch, rec); err != nil {
			return err
		}
	}
	if len(recs) == 0 {
		if err := sendIPC(stream, sch, nil); err != nil {
			return err
		}
	}
	return stream.Send(&stratapb.QueryResponse{Payload: &stratapb.QueryResponse_Stats{Stats: &stratapb.QueryStats{Version: 7, Rows: 3}}})
}

func sendIPC(stream stratapb.Strata_QueryServer, sch *arrow.Schema, rec arrow.RecordBatch) error {
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(sch))
	if rec != nil {
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	return stream.Send(&stratapb.QueryResponse{Payload: &stratapb.QueryResponse_ArrowIpc{ArrowIpc: buf.Bytes()}})
}

func (f *fakeServer) CreateTable(_ context.Context, req *stratapb.CreateTableRequest) (*stratapb.CreateTableResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := req.GetTable().GetName()
	if _, ok := f.tables[name]; ok {
		if req.GetIfNotExists() {
			return &stratapb.CreateTableResponse{Version: f.bump(), Existed: true}, nil
		}
		return nil, status.Errorf(codes.AlreadyExists, "table %q exists", name)
	}
	f.tables[name] = req.GetTable()
	return &stratapb.CreateTableResponse{Version: f.bump()}, nil
}

func (f *fakeServer) DescribeTable(_ context.Context, req *stratapb.DescribeTableRequest) (*stratapb.DescribeTableResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	def, ok := f.tables[req.GetName()]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "table %q does not exist", req.GetName())
	}
	return &stratapb.DescribeTableResponse{Table: def, LatestVersion: f.version}, nil
}

func (f *fakeServer) ListTables(context.Context, *stratapb.ListTablesRequest) (*stratapb.ListTablesResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var names []string
	for n := range f.tables {
		names = append(names, n)
	}
	slices.Sort(names)
	return &stratapb.ListTablesResponse{Names: names, Version: f.version}, nil
}

func (f *fakeServer) bump() uint64 { f.version++; return f.version }

// appliedOnce checks that ids 0..n-1 were each applied exactly once.
func (f *fakeServer) appliedOnce(t *testing.T, n int) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for id := int64(0); id < int64(n); id++ {
		if c := f.ids[id]; c != 1 {
			t.Errorf("id %d applied %d times", id, c)
		}
	}
	if len(f.ids) != n {
		t.Errorf("%d distinct ids applied, want %d", len(f.ids), n)
	}
}

func (f *fakeServer) set(fn func(f *fakeServer)) {
	f.mu.Lock()
	fn(f)
	f.mu.Unlock()
}
