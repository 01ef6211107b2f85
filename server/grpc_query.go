package server

import (
	"bytes"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/query"
	"github.com/stratadb/strata/storage"
)

// queryMessageBytes is the target size of one streamed result message.
const queryMessageBytes = 4 << 20

func (n *Node) Query(req *stratapb.QueryRequest, stream stratapb.Strata_QueryServer) error {
	start := time.Now()
	var err error
	if text := req.GetSql(); text != "" {
		err = n.readableIn(n.readMode(req.GetReadMode()))
		if err == nil {
			err = n.runSQL(text, readOptions{mode: req.GetReadMode(), minVersion: req.GetMinVersion()}, stream)
		}
	} else {
		err = n.runQuery(req, stream)
	}
	if req.GetSql() != "" {
		err = sqlStatus(err)
	} else {
		err = toStatus(err)
	}
	result := "ok"
	if err != nil {
		result = "error"
		if status.Code(err) == codes.Internal {
			n.log.Error("query failed with an internal error", "err", err)
		}
	}
	n.metrics.queries.WithLabelValues(result).Inc()
	n.metrics.queryLatency.Observe(time.Since(start).Seconds())
	return err
}

func (n *Node) runQuery(req *stratapb.QueryRequest, stream stratapb.Strata_QueryServer) error {
	if err := n.fence(stream.Context(), readOptions{mode: req.GetReadMode(), minVersion: req.GetMinVersion()}); err != nil {
		return err
	}
	p, err := PlanFromProto(req.GetPlan())
	if err != nil {
		return err
	}
	limit := req.GetMemoryLimit()
	if limit == 0 {
		limit = n.cfg.QueryMemoryLimit
	}
	res, err := query.Execute(stream.Context(), n.fsm.Store(), p, query.Options{
		Version:     req.GetVersion(),
		Parallelism: int(req.GetParallelism()),
		MemoryLimit: limit,
	})
	if err != nil {
		return err
	}
	defer res.Release()
	if err := sendRecords(stream, res); err != nil {
		return err
	}
	st := res.Stats
	return stream.Send(&stratapb.QueryResponse{Payload: &stratapb.QueryResponse_Stats{Stats: &stratapb.QueryStats{
		Version:       st.Version,
		ChunksScanned: int64(st.ChunksScanned),
		ChunksPruned:  int64(st.ChunksPruned),
		RowsScanned:   st.RowsScanned,
		Rows:          res.NumRows(),
		ElapsedUs:     st.Elapsed.Microseconds(),
		Workers:       int32(st.Workers),
	}}})
}

// sendRecords streams a result, each message a self-contained IPC stream of
// at most about queryMessageBytes; an empty result still sends its schema.
func sendRecords(stream stratapb.Strata_QueryServer, res *query.Result) error {
	sent := false
	for _, rec := range res.Records {
		rows := rec.NumRows()
		per := rows
		if b := storage.RecordBytes(rec); b > queryMessageBytes && rows > 1 {
			per = max(1, rows*queryMessageBytes/b)
		}
		for off := int64(0); off < rows; off += per {
			part := rec.NewSlice(off, min(off+per, rows))
			msg, err := encodeIPC(res.Schema, part)
			part.Release()
			if err != nil {
				return err
			}
			if err := stream.Send(&stratapb.QueryResponse{Payload: &stratapb.QueryResponse_ArrowIpc{ArrowIpc: msg}}); err != nil {
				return err
			}
			sent = true
		}
	}
	if sent {
		return nil
	}
	msg, err := encodeIPC(res.Schema, nil)
	if err != nil {
		return err
	}
	return stream.Send(&stratapb.QueryResponse{Payload: &stratapb.QueryResponse_ArrowIpc{ArrowIpc: msg}})
}

// encodeIPC writes a schema and at most one record as an IPC stream.
func encodeIPC(schema *arrow.Schema, rec arrow.RecordBatch) ([]byte, error) {
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(schema))
	if rec != nil {
		if err := w.Write(rec); err != nil {
			return nil, fmt.Errorf("encode result: %w", err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("encode result: %w", err)
	}
	return buf.Bytes(), nil
}
