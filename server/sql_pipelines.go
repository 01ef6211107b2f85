package server

import (
	"context"
	"slices"
	"strings"

	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/query/sql"
)

// runPipeline runs the pipeline statements: the writes through the log
// (as the RPCs do), SHOW PIPELINES from this node's applied state.
func (n *Node) runPipeline(ctx context.Context, stmt sql.Statement) (*sql.Result, error) {
	switch s := stmt.(type) {
	case *sql.CreatePipeline:
		def := &stratapb.PipelineDef{
			Name:         s.Name,
			Brokers:      s.Brokers,
			Topic:        s.Topic,
			Table:        s.Table,
			Format:       s.Format,
			StopOnError:  s.StopOnError,
			BatchRecords: s.BatchRecords,
			BatchWaitMs:  s.BatchWaitMs,
		}
		if _, _, err := n.createPipeline(ctx, def, s.IfNotExists); err != nil {
			return nil, err
		}
	case *sql.StartPipeline:
		if _, err := n.setPipelineState(ctx, s.Name, true); err != nil {
			return nil, err
		}
	case *sql.StopPipeline:
		if _, err := n.setPipelineState(ctx, s.Name, false); err != nil {
			return nil, err
		}
	case *sql.DropPipeline:
		if _, err := n.dropPipeline(ctx, s.Name, s.IfExists); err != nil {
			return nil, err
		}
	case *sql.ShowPipelines:
		return n.showPipelines(ctx)
	default:
		return nil, &sql.Error{Code: "XX000", Message: "BUG: runPipeline of " + stmt.Tag()}
	}
	return &sql.Result{Tag: stmt.Tag()}, nil
}

// showPipelines answers SHOW PIPELINES: one row per partition, by
// pipeline name then partition; a pipeline that has no partitions yet
// (never ran) has one row with NULL partition columns.
func (n *Node) showPipelines(ctx context.Context) (*sql.Result, error) {
	if err := n.Fence(ctx); err != nil {
		return nil, err
	}
	rows := pipelineRows(n.livePipelines(ctx))
	return rowsResult(selectTag(len(rows)), sql.ShowPipelinesColumns, rows)
}

// pipelineRows are SHOW PIPELINES' rows of ps (sql.ShowPipelinesColumns).
func pipelineRows(ps []*stratapb.PipelineStatus) [][]any {
	ps = slices.Clone(ps)
	slices.SortFunc(ps, func(a, b *stratapb.PipelineStatus) int {
		return strings.Compare(a.GetDef().GetName(), b.GetDef().GetName())
	})
	var rows [][]any
	for _, p := range ps {
		def := p.GetDef()
		var errText any
		if p.GetError() != "" {
			errText = p.GetError()
		}
		head := []any{def.GetName(), p.GetState(), def.GetTopic(), def.GetTable()}
		parts := slices.Clone(p.GetPartitions())
		slices.SortFunc(parts, func(a, b *stratapb.PartitionStatus) int { return int(a.GetPartition()) - int(b.GetPartition()) })
		if len(parts) == 0 {
			rows = append(rows, append(slices.Clone(head), nil, nil, nil, nil, nil, nil, errText))
			continue
		}
		for _, pt := range parts {
			rows = append(rows, append(slices.Clone(head), pt.GetPartition(), pt.GetNextOffset(), pt.GetHighWatermark(),
				pt.GetLag(), pt.GetRows(), pt.GetErrors(), errText))
		}
	}
	return rows
}
