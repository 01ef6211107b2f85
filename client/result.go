package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"google.golang.org/protobuf/proto"

	stratapb "github.com/stratadb/strata/proto"
)

// Result is a query's answer, decoded. The caller calls Release.
type Result struct {
	Schema  *arrow.Schema
	Records []arrow.RecordBatch // none for an empty result
	Stats   *stratapb.QueryStats
}

// Release releases the records.
func (r *Result) Release() {
	for _, rec := range r.Records {
		rec.Release()
	}
	r.Records = nil
}

// NumRows is the number of rows in all records.
func (r *Result) NumRows() int64 {
	var n int64
	for _, rec := range r.Records {
		n += rec.NumRows()
	}
	return n
}

// Rows iterates the rows as Go values (see Value), a new slice per row.
func (r *Result) Rows() iter.Seq[[]any] {
	return func(yield func([]any) bool) {
		for _, rec := range r.Records {
			for i := 0; i < int(rec.NumRows()); i++ {
				row := make([]any, rec.NumCols())
				for c := range row {
					row[c] = Value(rec.Column(c), i)
				}
				if !yield(row) {
					return
				}
			}
		}
	}
}

// Version is the version the query read (or, for a SQL write, the
// version of the change); 0 when the answer had no stats.
func (r *Result) Version() uint64 { return r.Stats.GetVersion() }

// Query runs a query and reads its whole answer. Errors from the server
// keep their gRPC status. req.ReadMode and req.MinVersion choose how
// fresh the read must be; unless Options.NoSessionConsistency, the
// request asks for at least SeenVersion (req itself is not changed). A
// plan, or a SQL statement that only reads (SELECT, SHOW, EXPLAIN, ...),
// goes to the next node when a node is unavailable; a SQL write is sent
// once.
func (c *Client) Query(ctx context.Context, req *stratapb.QueryRequest) (*Result, error) {
	req = c.session(req)
	var res *Result
	call := func(rpc stratapb.StrataClient) (err error) {
		res, err = c.queryOn(ctx, rpc, req)
		return err
	}
	var err error
	if readOnly(req) {
		err = c.read(ctx, func(rpc stratapb.StrataClient, _ *node) error { return call(rpc) })
	} else {
		err = c.write(call)
	}
	if err != nil {
		return nil, err
	}
	c.observe(res.Version())
	return res, nil
}

// session returns req asking for at least the highest version seen (a
// copy when that changes it).
func (c *Client) session(req *stratapb.QueryRequest) *stratapb.QueryRequest {
	seen := c.SeenVersion()
	if c.noSession || seen <= req.GetMinVersion() {
		return req
	}
	req = proto.Clone(req).(*stratapb.QueryRequest)
	req.MinVersion = seen
	return req
}

// queryOn runs a query on one node.
func (c *Client) queryOn(ctx context.Context, rpc stratapb.StrataClient, req *stratapb.QueryRequest) (*Result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := rpc.Query(ctx, req)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			res.Release()
			return nil, err
		}
		if err := c.addMessage(res, msg); err != nil {
			res.Release()
			return nil, err
		}
	}
	if res.Schema == nil {
		return nil, errors.New("client: query answer had no schema")
	}
	return res, nil
}

func (c *Client) addMessage(res *Result, msg *stratapb.QueryResponse) error {
	switch p := msg.GetPayload().(type) {
	case *stratapb.QueryResponse_ArrowIpc:
		return c.decodeResult(res, p.ArrowIpc)
	case *stratapb.QueryResponse_Stats:
		res.Stats = p.Stats
	}
	return nil
}

// decodeResult adds one message's records: a self-contained IPC stream
// whose schema must match the earlier messages'.
func (c *Client) decodeResult(res *Result, payload []byte) error {
	rdr, err := ipc.NewReader(bytes.NewReader(payload), ipc.WithAllocator(c.mem))
	if err != nil {
		return fmt.Errorf("client: decode query answer: %w", err)
	}
	defer rdr.Release()
	if res.Schema == nil {
		res.Schema = rdr.Schema()
	} else if !res.Schema.Equal(rdr.Schema()) {
		return fmt.Errorf("client: query answer changed schema from %s to %s", res.Schema, rdr.Schema())
	}
	for rdr.Next() {
		rec := rdr.RecordBatch()
		if rec.NumRows() == 0 {
			continue
		}
		rec.Retain()
		res.Records = append(res.Records, rec)
	}
	if err := rdr.Err(); err != nil {
		return fmt.Errorf("client: decode query answer: %w", err)
	}
	return nil
}
