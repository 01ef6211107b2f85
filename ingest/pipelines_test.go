package ingest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/storage"
)

func pipelineDef(name string) *stratapb.PipelineDef {
	return &stratapb.PipelineDef{Name: name, Brokers: "k1:9092,k2:9092", Topic: "events", Table: "kv", Format: "json"}
}

// batch is a pipeline batch of rows [from, to) of payload, with the given
// bad-record offsets.
func batch(t testing.TB, pipeline string, part int32, start, next int64, rowsFrom, rowsTo int, bad ...int64) *stratapb.Command {
	b := &stratapb.PipelineBatchCommand{Pipeline: pipeline, Partition: part, StartOffset: start, NextOffset: next, HighWatermark: next + 10}
	if rowsTo > rowsFrom {
		b.ArrowIpc = payload(t, rowsFrom, rowsTo)
	}
	for _, o := range bad {
		e := &stratapb.PipelineRecordError{Offset: o, Error: fmt.Sprintf("bad record at %d", o)}
		if o%2 == 0 {
			e.Raw = []byte("{oops")
		}
		b.Errors = append(b.Errors, e)
	}
	return PipelineBatchCommand(b)
}

func (h *harness) tableRows(name string) int64 {
	h.t.Helper()
	info, err := h.fsm.Store().DescribeTable(name)
	require.NoError(h.t, err)
	return info.Rows
}

// runningPipeline sets up table kv and a running pipeline p.
func runningPipeline(t *testing.T) *harness {
	h := newHarness(t, Options{})
	require.NoError(t, h.apply(CreateTableCommand(kvDef, false)).Err)
	require.NoError(t, h.apply(CreatePipelineCommand(pipelineDef("p"), false)).Err)
	require.NoError(t, h.apply(SetPipelineStateCommand("p", true, "")).Err)
	return h
}

func partition(t *testing.T, f *FSM, name string, part int32) *stratapb.PartitionStatus {
	t.Helper()
	p, ok := f.Pipeline(name)
	require.True(t, ok)
	for _, ps := range p.GetPartitions() {
		if ps.GetPartition() == part {
			return ps
		}
	}
	return nil
}

func TestCreatePipelineValidation(t *testing.T) {
	h := newHarness(t, Options{})
	r := h.apply(CreatePipelineCommand(pipelineDef("p"), false))
	require.ErrorIs(t, r.Err, storage.ErrNoTable, "the target table must exist")
	require.Empty(t, h.fsm.Pipelines())
	require.NotContains(t, h.fsm.Store().ListTables(), PipelineErrorsTable, "a failed create creates nothing")

	require.NoError(t, h.apply(CreateTableCommand(kvDef, false)).Err)
	for _, mutate := range []func(d *stratapb.PipelineDef){
		func(d *stratapb.PipelineDef) { d.Name = "" },
		func(d *stratapb.PipelineDef) { d.Brokers = "" },
		func(d *stratapb.PipelineDef) { d.Topic = "" },
		func(d *stratapb.PipelineDef) { d.Table = "" },
		func(d *stratapb.PipelineDef) { d.Format = "avro" },
		func(d *stratapb.PipelineDef) { d.Format = "" },
		func(d *stratapb.PipelineDef) { d.BatchRecords = -1 },
		func(d *stratapb.PipelineDef) { d.BatchWaitMs = -1 },
	} {
		d := pipelineDef("p")
		mutate(d)
		require.ErrorIs(t, h.apply(CreatePipelineCommand(d, false)).Err, ErrBadCommand, "%v", d)
	}
	require.ErrorIs(t, h.apply(CreatePipelineCommand(nil, false)).Err, ErrBadCommand)
	require.Empty(t, h.fsm.Pipelines())

	d := pipelineDef("p")
	d.Format, d.StopOnError, d.BatchRecords, d.BatchWaitMs = "csv", true, 500, 50
	r = h.apply(CreatePipelineCommand(d, false))
	require.NoError(t, r.Err)
	created := r.Version
	p, ok := h.fsm.Pipeline("p")
	require.True(t, ok)
	require.True(t, proto.Equal(d, p.GetDef()))
	require.Equal(t, PipelineStopped, p.GetState())
	require.Equal(t, created, p.GetCreatedAt())
	require.Empty(t, p.GetPartitions())

	info, err := h.fsm.Store().DescribeTable(PipelineErrorsTable)
	require.NoError(t, err, "creating a pipeline creates the errors table")
	require.Equal(t, PipelineErrorsTableDef().Columns, info.Def.Columns)
	require.Equal(t, created, info.CreatedAt)
	require.Equal(t, h.index, h.fsm.Store().Applied())

	r = h.apply(CreatePipelineCommand(pipelineDef("p"), false))
	require.ErrorIs(t, r.Err, ErrPipelineExists)
	require.Contains(t, r.Err.Error(), "already exists")
	r = h.apply(CreatePipelineCommand(pipelineDef("p"), true))
	require.NoError(t, r.Err)
	require.True(t, r.Existed)
	p, _ = h.fsm.Pipeline("p")
	require.Equal(t, "csv", p.GetDef().GetFormat(), "IF NOT EXISTS keeps the existing definition")

	require.NoError(t, h.apply(CreatePipelineCommand(pipelineDef("a"), false)).Err, "the errors table exists already: fine")
	require.Equal(t, []string{"a", "p"}, pipelineNames(h.fsm.Pipelines()))
	info2, err := h.fsm.Store().DescribeTable(PipelineErrorsTable)
	require.NoError(t, err)
	require.Equal(t, created, info2.CreatedAt)
	require.Equal(t, h.index, h.fsm.Store().Applied())
}

func pipelineNames(ps []*stratapb.PipelineStatus) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.GetDef().GetName())
	}
	return out
}

func TestPipelineStateAndDrop(t *testing.T) {
	h := newHarness(t, Options{})
	require.NoError(t, h.apply(CreateTableCommand(kvDef, false)).Err)
	require.NoError(t, h.apply(CreatePipelineCommand(pipelineDef("p"), false)).Err)

	state := func() (string, string) {
		p, ok := h.fsm.Pipeline("p")
		require.True(t, ok)
		return p.GetState(), p.GetError()
	}
	require.NoError(t, h.apply(SetPipelineStateCommand("p", true, "")).Err)
	s, e := state()
	require.Equal(t, PipelineRunning, s)
	require.Empty(t, e)
	require.NoError(t, h.apply(SetPipelineStateCommand("p", false, "offset 7 is gone")).Err)
	s, e = state()
	require.Equal(t, PipelineError, s)
	require.Equal(t, "offset 7 is gone", e)
	require.NoError(t, h.apply(SetPipelineStateCommand("p", true, "ignored")).Err)
	s, e = state()
	require.Equal(t, PipelineRunning, s)
	require.Empty(t, e, "starting clears the error")
	require.NoError(t, h.apply(SetPipelineStateCommand("p", false, "")).Err)
	s, _ = state()
	require.Equal(t, PipelineStopped, s)
	require.ErrorIs(t, h.apply(SetPipelineStateCommand("nope", true, "")).Err, ErrNoPipeline)

	require.NoError(t, h.apply(SetPipelineStateCommand("p", true, "")).Err)
	require.NoError(t, h.apply(batch(t, "p", 0, 0, 5, 0, 4, 4)).Err)
	require.NoError(t, h.apply(DropPipelineCommand("p", false)).Err)
	_, ok := h.fsm.Pipeline("p")
	require.False(t, ok)
	require.EqualValues(t, 4, h.tableRows("kv"), "the rows stay")
	require.EqualValues(t, 1, h.tableRows(PipelineErrorsTable), "so do the error rows")
	require.ErrorIs(t, h.apply(DropPipelineCommand("p", false)).Err, ErrNoPipeline)
	require.NoError(t, h.apply(DropPipelineCommand("p", true)).Err)
	require.ErrorIs(t, h.apply(batch(t, "p", 0, 5, 6, 0, 1)).Err, ErrNoPipeline, "a dropped pipeline takes no batches")

	// Recreated, it starts over: its offsets were dropped with it.
	require.NoError(t, h.apply(CreatePipelineCommand(pipelineDef("p"), false)).Err)
	require.NoError(t, h.apply(SetPipelineStateCommand("p", true, "")).Err)
	require.NoError(t, h.apply(batch(t, "p", 0, 0, 2, 0, 2)).Err)
	require.EqualValues(t, 2, partition(t, h.fsm, "p", 0).GetRows())
}

func TestPipelineBatchOffsets(t *testing.T) {
	h := runningPipeline(t)

	// A partition never committed accepts any start offset.
	r := h.apply(batch(t, "p", 3, 100, 110, 0, 8, 101, 104))
	require.NoError(t, r.Err)
	require.EqualValues(t, 8, r.Rows)
	ps := partition(t, h.fsm, "p", 3)
	require.EqualValues(t, 110, ps.GetNextOffset())
	require.EqualValues(t, 120, ps.GetHighWatermark())
	require.EqualValues(t, 10, ps.GetLag())
	require.EqualValues(t, 8, ps.GetRows())
	require.EqualValues(t, 2, ps.GetErrors())

	unchanged := func() {
		t.Helper()
		require.EqualValues(t, 8, h.tableRows("kv"))
		require.EqualValues(t, 2, h.tableRows(PipelineErrorsTable))
		require.True(t, proto.Equal(ps, partition(t, h.fsm, "p", 3)))
		require.Equal(t, h.index, h.fsm.Store().Applied(), "a refused batch still advances the version")
	}
	// Replaying the same batch is refused.
	r = h.apply(batch(t, "p", 3, 100, 110, 0, 8, 101, 104))
	require.ErrorIs(t, r.Err, ErrOffsetMismatch)
	require.EqualError(t, r.Err, `ingest: pipeline batch offset mismatch: pipeline "p" partition 3: batch starts at 100, stored next offset is 110`)
	unchanged()
	// So is a gap, and a batch behind.
	require.ErrorIs(t, h.apply(batch(t, "p", 3, 111, 115, 0, 3)).Err, ErrOffsetMismatch)
	require.ErrorIs(t, h.apply(batch(t, "p", 3, 105, 115, 0, 3)).Err, ErrOffsetMismatch)
	unchanged()
	// Malformed ranges.
	require.ErrorIs(t, h.apply(batch(t, "p", 3, 110, 110, 0, 0)).Err, ErrBadCommand)
	require.ErrorIs(t, h.apply(batch(t, "p", 3, 110, 109, 0, 0)).Err, ErrBadCommand)
	require.ErrorIs(t, h.apply(batch(t, "p", -1, 0, 1, 0, 1)).Err, ErrBadCommand)
	require.ErrorIs(t, h.apply(batch(t, "p", 4, -1, 1, 0, 1)).Err, ErrBadCommand)
	require.ErrorIs(t, h.apply(batch(t, "p", 3, 110, 115, 0, 3, 115)).Err, ErrBadCommand, "an error record outside the range")
	unchanged()

	// A stopped pipeline takes no batches.
	require.NoError(t, h.apply(SetPipelineStateCommand("p", false, "")).Err)
	require.ErrorIs(t, h.apply(batch(t, "p", 3, 110, 115, 0, 3)).Err, ErrBadCommand)
	unchanged()
	require.NoError(t, h.apply(SetPipelineStateCommand("p", true, "")).Err)

	// The next contiguous batch applies; a batch of only errors, or of
	// nothing at all (filtered records), moves the offset too.
	require.NoError(t, h.apply(batch(t, "p", 3, 110, 115, 0, 3)).Err)
	r = h.apply(batch(t, "p", 3, 115, 117, 0, 0, 115, 116))
	require.NoError(t, r.Err)
	require.Zero(t, r.Rows)
	require.NoError(t, h.apply(batch(t, "p", 3, 117, 130, 0, 0)).Err)
	require.NoError(t, h.apply(batch(t, "p", 0, 0, 1, 0, 1)).Err)
	ps = partition(t, h.fsm, "p", 3)
	require.EqualValues(t, 130, ps.GetNextOffset())
	require.EqualValues(t, 11, ps.GetRows())
	require.EqualValues(t, 4, ps.GetErrors())
	require.EqualValues(t, 12, h.tableRows("kv"))
	require.EqualValues(t, 4, h.tableRows(PipelineErrorsTable))

	p, _ := h.fsm.Pipeline("p")
	require.Len(t, p.GetPartitions(), 2)
	require.EqualValues(t, 0, p.GetPartitions()[0].GetPartition(), "partitions sorted")
	require.EqualValues(t, 3, p.GetPartitions()[1].GetPartition())
	// The status is a copy.
	p.GetPartitions()[0].NextOffset = 999
	require.EqualValues(t, 1, partition(t, h.fsm, "p", 0).GetNextOffset())
}

// TestPipelineBatchAtomic: a batch whose rows do not fit the table, or
// whose table is gone, applies nothing, error rows included.
func TestPipelineBatchAtomic(t *testing.T) {
	h := runningPipeline(t)
	require.NoError(t, h.apply(batch(t, "p", 0, 0, 10, 0, 5, 7, 8)).Err)
	require.EqualValues(t, 5, h.tableRows("kv"))
	require.EqualValues(t, 2, h.tableRows(PipelineErrorsTable))

	// A payload for another table's schema.
	other := &stratapb.TableDef{Name: "other", Columns: []*stratapb.Column{{Name: "x", Type: stratapb.ColumnType_INT64}}}
	require.NoError(t, h.apply(CreateTableCommand(other, false)).Err)
	d := pipelineDef("q")
	d.Table = "other"
	require.NoError(t, h.apply(CreatePipelineCommand(d, false)).Err)
	require.NoError(t, h.apply(SetPipelineStateCommand("q", true, "")).Err)
	r := h.apply(batch(t, "q", 0, 0, 10, 0, 5, 7))
	require.ErrorIs(t, r.Err, storage.ErrSchemaMismatch)
	require.Zero(t, r.Rows)
	require.EqualValues(t, 2, h.tableRows(PipelineErrorsTable), "the error rows did not land either")
	require.Nil(t, partition(t, h.fsm, "q", 0), "the offset did not move")

	// Garbage.
	bad := &stratapb.PipelineBatchCommand{Pipeline: "p", Partition: 0, StartOffset: 10, NextOffset: 12, ArrowIpc: []byte("not arrow"),
		Errors: []*stratapb.PipelineRecordError{{Offset: 11, Error: "x"}}}
	require.ErrorIs(t, h.apply(PipelineBatchCommand(bad)).Err, storage.ErrBadPayload)
	require.EqualValues(t, 10, partition(t, h.fsm, "p", 0).GetNextOffset())
	require.EqualValues(t, 2, h.tableRows(PipelineErrorsTable))

	// The errors table dropped: batches with bad records fail whole.
	require.NoError(t, h.apply(DropTableCommand(PipelineErrorsTable, false)).Err)
	require.ErrorIs(t, h.apply(batch(t, "p", 0, 10, 12, 0, 1, 11)).Err, storage.ErrNoTable)
	require.EqualValues(t, 5, h.tableRows("kv"))
	require.EqualValues(t, 10, partition(t, h.fsm, "p", 0).GetNextOffset())
	require.NoError(t, h.apply(batch(t, "p", 0, 10, 12, 0, 1)).Err, "without bad records it applies")
	require.EqualValues(t, 6, h.tableRows("kv"))
	require.EqualValues(t, 12, partition(t, h.fsm, "p", 0).GetNextOffset())
}

// pipelineLog is a log exercising every pipeline command, failures
// included.
func pipelineLog(t *testing.T, h *harness) {
	require.NoError(t, h.apply(CreateTableCommand(kvDef, false)).Err)
	for _, name := range []string{"zeta", "alpha", "mid"} {
		require.NoError(t, h.apply(CreatePipelineCommand(pipelineDef(name), false)).Err)
		require.NoError(t, h.apply(SetPipelineStateCommand(name, true, "")).Err)
	}
	for i, part := range []int32{5, 1, 3, 1, 5} {
		h.apply(batch(t, "alpha", part, int64(i*10), int64(i*10+10), i, i+3, int64(i*10+2)))
		h.apply(batch(t, "zeta", part, 0, 4, i, i+1))
	}
	require.NoError(t, h.apply(SetPipelineStateCommand("mid", false, "broker gone")).Err)
	require.NoError(t, h.apply(SetMemberCommand(member("n1", "n1:1"), false)).Err)
}

func TestPipelinesDeterministic(t *testing.T) {
	a := newHarness(t, Options{ChunkRows: 8})
	pipelineLog(t, a)
	b := newHarness(t, Options{ChunkRows: 8})
	for i, entry := range a.log {
		b.fsm.Apply(uint64(i+1), entry)
	}
	require.Equal(t, persist(t, a.fsm), persist(t, b.fsm), "replicas agree byte for byte")
	require.Equal(t, []string{"alpha", "mid", "zeta"}, pipelineNames(a.fsm.Pipelines()))
	pa, pb := a.fsm.Pipelines(), b.fsm.Pipelines()
	for i := range pa {
		require.True(t, proto.Equal(pa[i], pb[i]))
	}
}

func TestSnapshotRoundTripPipelines(t *testing.T) {
	a := newHarness(t, Options{ChunkRows: 8})
	pipelineLog(t, a)
	snap := persist(t, a.fsm)
	require.EqualValues(t, 3, binary.LittleEndian.Uint32(snap[len(fsmMagic):]))

	c := newHarness(t, Options{ChunkRows: 8})
	require.NoError(t, c.apply(CreateTableCommand(kvDef, false)).Err)
	require.NoError(t, c.apply(CreatePipelineCommand(pipelineDef("stale"), false)).Err)
	require.NoError(t, c.fsm.Restore(bytes.NewReader(snap)))
	want, got := a.fsm.Pipelines(), c.fsm.Pipelines()
	require.Equal(t, []string{"alpha", "mid", "zeta"}, pipelineNames(got), "restore replaces the pipelines")
	for i := range want {
		require.True(t, proto.Equal(want[i], got[i]), "%v vs %v", want[i], got[i])
	}
	mid, _ := c.fsm.Pipeline("mid")
	require.Equal(t, PipelineError, mid.GetState())
	require.Equal(t, "broker gone", mid.GetError())
	require.Equal(t, snap, persist(t, c.fsm), "a restored FSM persists the same bytes")
	require.Equal(t, a.tableRows(PipelineErrorsTable), c.tableRows(PipelineErrorsTable))

	// The offsets survive: a replay is refused, the next batch applies.
	c.index = a.index
	alpha1 := partition(t, c.fsm, "alpha", 1)
	require.ErrorIs(t, c.apply(batch(t, "alpha", 1, alpha1.GetNextOffset()-10, alpha1.GetNextOffset(), 0, 1)).Err, ErrOffsetMismatch)
	require.NoError(t, c.apply(batch(t, "alpha", 1, alpha1.GetNextOffset(), alpha1.GetNextOffset()+1, 0, 1)).Err)

	// Damage in the pipelines frame fails the restore and changes nothing.
	bad := bytes.Clone(snap)
	bad[len(bad)-10] ^= 0x40
	before := persist(t, c.fsm)
	require.ErrorIs(t, c.fsm.Restore(bytes.NewReader(bad)), ErrBadSnapshot)
	require.ErrorIs(t, c.fsm.Restore(bytes.NewReader(snap[:len(snap)-1])), ErrBadSnapshot)
	require.Equal(t, before, persist(t, c.fsm))
}

// persistFormat2 writes a snapshot as the release before pipelines did:
// format 2, no pipelines frame.
func persistFormat2(t *testing.T, f *FSM) []byte {
	s, err := f.Capture()
	require.NoError(t, err)
	defer s.Release()
	var buf bytes.Buffer
	buf.Write(binary.LittleEndian.AppendUint32([]byte(fsmMagic), 2))
	_, err = s.image.WriteTo(&buf)
	require.NoError(t, err)
	require.NoError(t, writeFrame(&buf, appendDedup(nil, s.dedup)))
	mbody, err := appendMembers(nil, s.members)
	require.NoError(t, err)
	require.NoError(t, writeFrame(&buf, mbody))
	return buf.Bytes()
}

func TestRestoreFormat2(t *testing.T) {
	a := newHarness(t, Options{ChunkRows: 8})
	require.NoError(t, a.apply(CreateTableCommand(kvDef, false)).Err)
	require.NoError(t, a.apply(WriteCommand("kv", "p", 1, payload(t, 0, 20))).Err)
	require.NoError(t, a.apply(SetMemberCommand(member("n1", "n1:1"), false)).Err)
	old := persistFormat2(t, a.fsm)

	c := runningPipeline(t)
	require.NoError(t, c.fsm.Restore(bytes.NewReader(old)))
	require.EqualValues(t, 20, c.rows())
	require.Equal(t, []string{"n1"}, memberIDs(c.fsm.Members()), "its members are read")
	require.Empty(t, c.fsm.Pipelines(), "a format 2 stream has no pipelines")
	c.index = a.index
	require.True(t, c.apply(WriteCommand("kv", "p", 1, payload(t, 0, 20))).Duplicate, "its dedup table is read")

	// Trailing bytes after a format 2 stream are not read as pipelines.
	require.NoError(t, c.fsm.Restore(bytes.NewReader(append(bytes.Clone(old), 0xff, 0xff))))
	require.Empty(t, c.fsm.Pipelines())
}

func TestPipelinesConcurrentReads(t *testing.T) {
	h := runningPipeline(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			for _, p := range h.fsm.Pipelines() {
				for _, ps := range p.GetPartitions() {
					ps.Rows = -1 // copies: the FSM's state is untouched
				}
			}
			h.fsm.Pipeline("p")
		}
	}()
	for i := range 50 {
		require.NoError(t, h.apply(batch(t, "p", int32(i%3), int64(i/3), int64(i/3+1), 0, 1)).Err)
	}
	close(stop)
	wg.Wait()
	var rows int64
	for _, ps := range h.fsm.Pipelines()[0].GetPartitions() {
		rows += ps.GetRows()
	}
	require.EqualValues(t, 50, rows)
}

func FuzzDecodePipelines(f *testing.F) {
	b, _ := appendPipelines(nil, []*stratapb.PipelineStatus{
		{Def: pipelineDef("a"), State: PipelineRunning, Partitions: []*stratapb.PartitionStatus{{Partition: 0, NextOffset: 3}, {Partition: 2}}},
		{Def: pipelineDef("b"), State: PipelineError, Error: "x", CreatedAt: 4},
	})
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, err := decodePipelines(b)
		if err != nil {
			require.ErrorIs(t, err, ErrBadSnapshot)
			return
		}
		again, err := appendPipelines(nil, ps)
		require.NoError(t, err)
		ps2, err := decodePipelines(again)
		require.NoError(t, err)
		require.Equal(t, len(ps), len(ps2))
	})
}
