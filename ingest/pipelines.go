package ingest

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"google.golang.org/protobuf/proto"

	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/storage"
)

// Kafka pipelines: the replicated state of every pipeline (its definition,
// state, and per partition the next offset to fetch), kept in the FSM and
// its snapshots. A runner on the leader fetches records and commits each
// range [start_offset, next_offset) of a partition with one
// PipelineBatchCommand: its rows, its bad records (as rows of
// PipelineErrorsTable) and the new next offset, in one storage write. The
// batch applies only when start_offset is the stored next offset, so a
// replayed batch, or one from a deposed leader's runner, changes nothing:
// every record is committed exactly once.
//
// Like the member registry, the pipelines are an immutable slice sorted by
// name behind an atomic pointer: Apply builds a new slice for each change,
// readers load the current one without a lock.

// Pipeline states (PipelineStatus.State).
const (
	PipelineRunning = "running"
	PipelineStopped = "stopped"
	PipelineError   = "error"
)

// PipelineErrorsTable is the table every pipeline's bad records go to
// (PipelineErrorsTableDef). Creating a pipeline creates it if missing.
const PipelineErrorsTable = "pipeline_errors"

// ErrOffsetMismatch: a pipeline batch does not start at its partition's
// stored next offset (a replay, a gap, or a deposed leader's batch);
// nothing was applied. The runner resumes from the stored offset.
var ErrOffsetMismatch = errors.New("ingest: pipeline batch offset mismatch")

// maxPipelinesBytes bounds the pipelines frame of a snapshot.
const maxPipelinesBytes = 1 << 26

// PipelineErrorsTableDef is the definition of PipelineErrorsTable: one row
// per bad record, raw holding the record's value (null when it had none).
func PipelineErrorsTableDef() storage.TableDef {
	return storage.TableDef{Name: PipelineErrorsTable, Columns: []storage.Column{
		{Name: "pipeline", Type: storage.TypeString},
		{Name: "partition", Type: storage.TypeInt32},
		{Name: "offset", Type: storage.TypeInt64},
		{Name: "error", Type: storage.TypeString},
		{Name: "raw", Type: storage.TypeBinary, Nullable: true},
	}}
}

// Pipelines returns every pipeline's status, sorted by name, partitions
// sorted by number, Lag = max(0, HighWatermark - NextOffset). It is safe
// to call from any goroutine, concurrently with Apply; the records are
// copies the caller may keep and modify.
func (f *FSM) Pipelines() []*stratapb.PipelineStatus {
	cur := f.loadPipelines()
	out := make([]*stratapb.PipelineStatus, len(cur))
	for i, p := range cur {
		out[i] = proto.CloneOf(p)
	}
	return out
}

// Pipeline returns one pipeline's status (a copy), as Pipelines does.
func (f *FSM) Pipeline(name string) (*stratapb.PipelineStatus, bool) {
	cur := f.loadPipelines()
	i, found := slices.BinarySearchFunc(cur, name, comparePipeline)
	if !found {
		return nil, false
	}
	return proto.CloneOf(cur[i]), true
}

// loadPipelines is the current, immutable, sorted slice: read only, and so
// is every status in it.
func (f *FSM) loadPipelines() []*stratapb.PipelineStatus {
	if p := f.pipelines.Load(); p != nil {
		return *p
	}
	return nil
}

func (f *FSM) storePipelines(ps []*stratapb.PipelineStatus) {
	f.pipelines.Store(&ps)
}

func comparePipeline(p *stratapb.PipelineStatus, name string) int {
	return cmp.Compare(p.GetDef().GetName(), name)
}

func comparePartition(p *stratapb.PartitionStatus, n int32) int {
	return cmp.Compare(p.GetPartition(), n)
}

func noPipeline(name string) error {
	return fmt.Errorf("%w: %q", ErrNoPipeline, name)
}

// checkPipelineDef validates a definition, without the table's existence.
func checkPipelineDef(d *stratapb.PipelineDef) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: pipeline %q: %s", ErrBadCommand, d.GetName(), fmt.Sprintf(format, args...))
	}
	switch {
	case d == nil:
		return fmt.Errorf("%w: pipeline without a definition", ErrBadCommand)
	case d.GetName() == "":
		return fmt.Errorf("%w: pipeline without a name", ErrBadCommand)
	case d.GetBrokers() == "":
		return bad("no brokers")
	case d.GetTopic() == "":
		return bad("no topic")
	case d.GetTable() == "":
		return bad("no table")
	case d.GetFormat() != "json" && d.GetFormat() != "csv":
		return bad("format %q (want \"json\" or \"csv\")", d.GetFormat())
	case d.GetBatchRecords() < 0:
		return bad("batch_records %d is negative", d.GetBatchRecords())
	case d.GetBatchWaitMs() < 0:
		return bad("batch_wait_ms %d is negative", d.GetBatchWaitMs())
	}
	return nil
}

// applyCreatePipeline adds a stopped pipeline, creating the errors table
// (at this index) when it is missing.
func (f *FSM) applyCreatePipeline(index uint64, c *stratapb.CreatePipelineCommand) *Result {
	d := c.GetPipeline()
	if err := checkPipelineDef(d); err != nil {
		return f.done(index, err)
	}
	cur := f.loadPipelines()
	i, found := slices.BinarySearchFunc(cur, d.GetName(), comparePipeline)
	if found {
		if c.GetIfNotExists() {
			r := f.done(index, nil)
			r.Existed = true
			return r
		}
		return f.done(index, fmt.Errorf("%w: %q", ErrPipelineExists, d.GetName()))
	}
	st := f.Store()
	if _, err := st.DescribeTable(d.GetTable()); err != nil {
		return f.done(index, fmt.Errorf("pipeline %q: %w", d.GetName(), err))
	}
	if _, err := st.DescribeTable(PipelineErrorsTable); errors.Is(err, storage.ErrNoTable) {
		if err := st.CreateTable(index, PipelineErrorsTableDef()); err != nil {
			return f.done(index, fmt.Errorf("pipeline %q: errors table: %w", d.GetName(), err))
		}
	}
	p := &stratapb.PipelineStatus{Def: proto.CloneOf(d), State: PipelineStopped, CreatedAt: index}
	f.storePipelines(slices.Insert(slices.Clone(cur), i, p))
	return f.done(index, nil)
}

// applyDropPipeline removes a pipeline and its offsets; the rows it wrote
// and its error rows stay.
func (f *FSM) applyDropPipeline(index uint64, c *stratapb.DropPipelineCommand) *Result {
	cur := f.loadPipelines()
	i, found := slices.BinarySearchFunc(cur, c.GetName(), comparePipeline)
	if !found {
		if c.GetIfExists() {
			return f.done(index, nil)
		}
		return f.done(index, noPipeline(c.GetName()))
	}
	f.storePipelines(slices.Concat(cur[:i], cur[i+1:]))
	return f.done(index, nil)
}

// applySetPipelineState starts a pipeline, stops it, or (stopping with an
// error) puts it in state "error".
func (f *FSM) applySetPipelineState(index uint64, c *stratapb.SetPipelineStateCommand) *Result {
	cur := f.loadPipelines()
	i, found := slices.BinarySearchFunc(cur, c.GetName(), comparePipeline)
	if !found {
		return f.done(index, noPipeline(c.GetName()))
	}
	p := proto.CloneOf(cur[i])
	switch {
	case c.GetRunning():
		p.State, p.Error = PipelineRunning, ""
	case c.GetError() == "":
		p.State, p.Error = PipelineStopped, ""
	default:
		p.State, p.Error = PipelineError, c.GetError()
	}
	next := slices.Clone(cur)
	next[i] = p
	f.storePipelines(next)
	return f.done(index, nil)
}

// applyPipelineBatch commits one range of a partition: rows, error rows
// and the partition's offsets, all or nothing.
func (f *FSM) applyPipelineBatch(index uint64, c *stratapb.PipelineBatchCommand) *Result {
	name, part := c.GetPipeline(), c.GetPartition()
	start, end := c.GetStartOffset(), c.GetNextOffset()
	cur := f.loadPipelines()
	i, found := slices.BinarySearchFunc(cur, name, comparePipeline)
	if !found {
		return f.done(index, noPipeline(name))
	}
	p := cur[i]
	if p.GetState() != PipelineRunning {
		return f.done(index, fmt.Errorf("%w: pipeline %q is %s, not running", ErrBadCommand, name, p.GetState()))
	}
	if part < 0 {
		return f.done(index, fmt.Errorf("%w: pipeline %q: partition %d", ErrBadCommand, name, part))
	}
	if start < 0 || end <= start {
		return f.done(index, fmt.Errorf("%w: pipeline %q partition %d: empty or negative range [%d, %d)", ErrBadCommand, name, part, start, end))
	}
	j, seen := slices.BinarySearchFunc(p.GetPartitions(), part, comparePartition)
	if seen {
		if stored := p.GetPartitions()[j].GetNextOffset(); stored != start {
			return f.done(index, fmt.Errorf("%w: pipeline %q partition %d: batch starts at %d, stored next offset is %d", ErrOffsetMismatch, name, part, start, stored))
		}
	}
	for _, e := range c.GetErrors() {
		if o := e.GetOffset(); o < start || o >= end {
			return f.done(index, fmt.Errorf("%w: pipeline %q partition %d: error record at offset %d, outside [%d, %d)", ErrBadCommand, name, part, o, start, end))
		}
	}

	var batches []storage.TableBatch
	var rows int64
	if payload := c.GetArrowIpc(); len(payload) > 0 {
		b, n, release, err := f.decodeBatches(p.GetDef().GetTable(), payload)
		if err != nil {
			return f.done(index, fmt.Errorf("pipeline %q: %w", name, err))
		}
		defer release()
		batches, rows = b, n
	}
	if errs := c.GetErrors(); len(errs) > 0 {
		rec := f.errorRecord(name, part, errs)
		defer rec.Release()
		batches = append(batches, storage.TableBatch{Table: PipelineErrorsTable, Record: rec})
	}
	if len(batches) > 0 {
		if err := f.Store().Apply(index, batches); err != nil {
			return f.done(index, fmt.Errorf("pipeline %q: %w", name, err))
		}
	}

	np := proto.CloneOf(p)
	var ps *stratapb.PartitionStatus
	if seen {
		ps = np.Partitions[j]
	} else {
		ps = &stratapb.PartitionStatus{Partition: part}
		np.Partitions = slices.Insert(np.Partitions, j, ps)
	}
	ps.NextOffset = end
	ps.HighWatermark = c.GetHighWatermark()
	ps.Lag = max(0, ps.HighWatermark-ps.NextOffset)
	ps.Rows += rows
	ps.Errors += int64(len(c.GetErrors()))
	next := slices.Clone(cur)
	next[i] = np
	f.storePipelines(next)
	r := f.done(index, nil)
	r.Rows = rows
	return r
}

// errorRecord builds the rows of PipelineErrorsTable for a batch's bad
// records.
func (f *FSM) errorRecord(pipeline string, part int32, errs []*stratapb.PipelineRecordError) arrow.RecordBatch {
	def := PipelineErrorsTableDef()
	b := array.NewRecordBuilder(f.opts.Allocator, def.ArrowSchema())
	defer b.Release()
	pb := b.Field(0).(*array.StringBuilder)
	tb := b.Field(1).(*array.Int32Builder)
	ob := b.Field(2).(*array.Int64Builder)
	eb := b.Field(3).(*array.StringBuilder)
	rb := b.Field(4).(*array.BinaryBuilder)
	for _, e := range errs {
		pb.Append(pipeline)
		tb.Append(part)
		ob.Append(e.GetOffset())
		eb.Append(e.GetError())
		if raw := e.GetRaw(); len(raw) > 0 {
			rb.Append(raw)
		} else {
			rb.AppendNull()
		}
	}
	return b.NewRecordBatch()
}

// The pipelines frame of an FSM snapshot (format 3):
//
//	length u64 | body | crc32c(body) u32
//	body: count uvarint | (len uvarint | deterministic proto PipelineStatus)...
//
// Pipelines are in name order, each one's partitions in number order.

func pipelineKey(p *stratapb.PipelineStatus) string { return p.GetDef().GetName() }

func appendPipelines(dst []byte, ps []*stratapb.PipelineStatus) ([]byte, error) {
	return appendMessages(dst, "pipeline", ps, pipelineKey)
}

func decodePipelines(b []byte) ([]*stratapb.PipelineStatus, error) {
	return decodeMessages(b, "pipelines", func() *stratapb.PipelineStatus { return &stratapb.PipelineStatus{} }, pipelineKey,
		func(p *stratapb.PipelineStatus) error {
			for i, part := range p.GetPartitions() {
				if part.GetPartition() < 0 || (i > 0 && p.GetPartitions()[i-1].GetPartition() >= part.GetPartition()) {
					return fmt.Errorf("partitions not in order at %d", part.GetPartition())
				}
			}
			return nil
		})
}
