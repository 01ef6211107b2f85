package server

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/stratadb/strata/ingest"
	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/query/sql"
)

// Kafka pipelines' RPCs. Every write goes through the log (forwarded to
// the leader when this node is not it); the answer is the pipeline as
// this node holds it once it has applied the write. The runner that
// consumes Kafka on the leader reads the same FSM state.

// pipelineFieldError is a pipeline definition refused before it is
// proposed: InvalidArgument over gRPC, SQLSTATE 22023 over SQL.
type pipelineFieldError struct {
	field, msg string
}

func (e *pipelineFieldError) Error() string { return e.field + ": " + e.msg }
func (e *pipelineFieldError) Unwrap() error { return ingest.ErrBadCommand }

// checkPipelineDef validates def and returns a copy with its format lower
// case and its brokers without spaces.
func checkPipelineDef(def *stratapb.PipelineDef) (*stratapb.PipelineDef, error) {
	if def == nil {
		return nil, &pipelineFieldError{"pipeline", "CreatePipeline needs a pipeline definition"}
	}
	d := proto.Clone(def).(*stratapb.PipelineDef)
	d.Name = strings.TrimSpace(d.Name)
	if d.Name == "" {
		return nil, &pipelineFieldError{"pipeline.name", "a pipeline needs a name"}
	}
	var brokers []string
	for _, b := range strings.Split(d.Brokers, ",") {
		b = strings.TrimSpace(b)
		if err := sql.CheckBroker(b); err != nil {
			if d.Brokers == "" {
				return nil, &pipelineFieldError{"pipeline.brokers", "a pipeline needs at least one broker (host:port)"}
			}
			return nil, &pipelineFieldError{"pipeline.brokers", err.Error()}
		}
		brokers = append(brokers, b)
	}
	d.Brokers = strings.Join(brokers, ",")
	if strings.TrimSpace(d.Topic) == "" {
		return nil, &pipelineFieldError{"pipeline.topic", "a pipeline needs a topic"}
	}
	if strings.TrimSpace(d.Table) == "" {
		return nil, &pipelineFieldError{"pipeline.table", "a pipeline needs a table"}
	}
	d.Format = strings.ToLower(strings.TrimSpace(d.Format))
	if !slices.Contains(sql.PipelineFormats, d.Format) {
		return nil, &pipelineFieldError{"pipeline.format", "format " + strconv.Quote(def.Format) + " is not supported (json or csv)"}
	}
	if d.BatchRecords < 0 {
		return nil, &pipelineFieldError{"pipeline.batch_records", "must not be negative (0: the default)"}
	}
	if d.BatchWaitMs < 0 {
		return nil, &pipelineFieldError{"pipeline.batch_wait_ms", "must not be negative (0: the default)"}
	}
	return d, nil
}

// checkPipelineName refuses an empty name before it is proposed.
func checkPipelineName(name string) error {
	if strings.TrimSpace(name) == "" {
		return &pipelineFieldError{"name", "a pipeline name is needed"}
	}
	return nil
}

// pipelineWrite proposes a pipeline command (the command's own failure
// is the error) and waits until this node has applied it, so what it
// then reads of the pipeline includes the write.
func (n *Node) pipelineWrite(ctx context.Context, cmd *stratapb.Command) (*ingest.Result, error) {
	r, err := n.proposeCommand(ctx, cmd)
	if err != nil {
		return nil, err
	}
	if r.Version > n.raft.AppliedIndex() {
		if err := n.raft.WaitApplied(ctx, r.Version); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// pipelineResponse is a write's answer: its version and the pipeline
// now (nil once dropped).
func (n *Node) pipelineResponse(r *ingest.Result, name string) *stratapb.PipelineResponse {
	resp := &stratapb.PipelineResponse{Version: r.Version}
	if st, ok := n.fsm.Pipeline(name); ok {
		resp.Pipeline = st
	}
	return resp
}

func (n *Node) createPipeline(ctx context.Context, def *stratapb.PipelineDef, ifNotExists bool) (*ingest.Result, *stratapb.PipelineDef, error) {
	d, err := checkPipelineDef(def)
	if err != nil {
		return nil, nil, err
	}
	r, err := n.pipelineWrite(ctx, ingest.CreatePipelineCommand(d, ifNotExists))
	return r, d, err
}

func (n *Node) setPipelineState(ctx context.Context, name string, running bool) (*ingest.Result, error) {
	if err := checkPipelineName(name); err != nil {
		return nil, err
	}
	return n.pipelineWrite(ctx, ingest.SetPipelineStateCommand(name, running, ""))
}

func (n *Node) dropPipeline(ctx context.Context, name string, ifExists bool) (*ingest.Result, error) {
	if err := checkPipelineName(name); err != nil {
		return nil, err
	}
	return n.pipelineWrite(ctx, ingest.DropPipelineCommand(name, ifExists))
}

func (n *Node) CreatePipeline(ctx context.Context, req *stratapb.CreatePipelineRequest) (*stratapb.PipelineResponse, error) {
	r, d, err := n.createPipeline(ctx, req.GetPipeline(), req.GetIfNotExists())
	if err != nil {
		return nil, toStatus(err)
	}
	return n.pipelineResponse(r, d.GetName()), nil
}

func (n *Node) StartPipeline(ctx context.Context, req *stratapb.PipelineNameRequest) (*stratapb.PipelineResponse, error) {
	r, err := n.setPipelineState(ctx, req.GetName(), true)
	if err != nil {
		return nil, toStatus(err)
	}
	return n.pipelineResponse(r, req.GetName()), nil
}

func (n *Node) StopPipeline(ctx context.Context, req *stratapb.PipelineNameRequest) (*stratapb.PipelineResponse, error) {
	r, err := n.setPipelineState(ctx, req.GetName(), false)
	if err != nil {
		return nil, toStatus(err)
	}
	return n.pipelineResponse(r, req.GetName()), nil
}

func (n *Node) DropPipeline(ctx context.Context, req *stratapb.PipelineNameRequest) (*stratapb.PipelineResponse, error) {
	r, err := n.dropPipeline(ctx, req.GetName(), req.GetIfExists())
	if err != nil {
		return nil, toStatus(err)
	}
	return &stratapb.PipelineResponse{Version: r.Version}, nil
}

func (n *Node) ListPipelines(ctx context.Context, _ *stratapb.ListPipelinesRequest) (*stratapb.ListPipelinesResponse, error) {
	if err := n.fence(ctx, readOptions{}); err != nil {
		return nil, toStatus(err)
	}
	return &stratapb.ListPipelinesResponse{Pipelines: n.livePipelines(ctx)}, nil
}
