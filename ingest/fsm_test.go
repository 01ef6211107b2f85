package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/storage"
)

var kvDef = &stratapb.TableDef{Name: "kv", Columns: []*stratapb.Column{
	{Name: "k", Type: stratapb.ColumnType_STRING},
	{Name: "v", Type: stratapb.ColumnType_INT64, Nullable: true},
}}

// payload encodes rows (k, v) as an Arrow IPC stream, as a client does.
func payload(t testing.TB, from, to int) []byte {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.BinaryTypes.String}, {Name: "v", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for i := from; i < to; i++ {
		b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("k%d", i%7))
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

type harness struct {
	t     *testing.T
	fsm   *FSM
	index uint64
	log   [][]byte
}

func newHarness(t *testing.T, opts Options) *harness {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	opts.Allocator = mem
	h := &harness{t: t, fsm: NewFSM(opts)}
	t.Cleanup(func() {
		h.fsm.Close()
		mem.AssertSize(t, 0)
	})
	return h
}

func (h *harness) apply(c *stratapb.Command) *Result {
	h.t.Helper()
	b, err := EncodeCommand(c)
	require.NoError(h.t, err)
	h.index++
	h.log = append(h.log, b)
	return h.fsm.Apply(h.index, b).(*Result)
}

func (h *harness) rows() int64 {
	info, err := h.fsm.Store().DescribeTable("kv")
	require.NoError(h.t, err)
	return info.Rows
}

func TestWritesAreIdempotent(t *testing.T) {
	h := newHarness(t, Options{})
	require.NoError(t, h.apply(CreateTableCommand(kvDef, false)).Err)

	r := h.apply(WriteCommand("kv", "p1", 1, payload(t, 0, 10)))
	require.NoError(t, r.Err)
	require.EqualValues(t, 10, r.Rows)
	first := r.Version

	r = h.apply(WriteCommand("kv", "p1", 1, payload(t, 0, 10)))
	require.NoError(t, r.Err)
	require.True(t, r.Duplicate)
	require.Equal(t, first, r.Version, "a duplicate answers the version it was first applied at")
	require.EqualValues(t, 10, h.rows())

	r = h.apply(WriteCommand("kv", "p1", 3, payload(t, 20, 30)))
	require.ErrorIs(t, r.Err, ErrOutOfOrder)
	require.Contains(t, r.Err.Error(), "expected 2")
	require.EqualValues(t, 10, h.rows(), "out of order applies nothing")

	require.NoError(t, h.apply(WriteCommand("kv", "p1", 2, payload(t, 10, 20))).Err)
	require.NoError(t, h.apply(WriteCommand("kv", "p1", 3, payload(t, 20, 30))).Err)
	require.NoError(t, h.apply(WriteCommand("kv", "p2", 1, payload(t, 30, 35))).Err, "producers are independent")
	require.NoError(t, h.apply(WriteCommand("kv", "", 0, payload(t, 35, 36))).Err, "no producer: no dedup")
	require.NoError(t, h.apply(WriteCommand("kv", "", 0, payload(t, 35, 36))).Err)
	require.EqualValues(t, 37, h.rows())
	require.Equal(t, h.index, h.fsm.Store().Applied(), "every command advances the version to its index")
}

func TestFailuresConsumeTheirSequence(t *testing.T) {
	h := newHarness(t, Options{})
	require.NoError(t, h.apply(CreateTableCommand(kvDef, false)).Err)
	bad := h.apply(WriteCommand("nope", "p", 1, payload(t, 0, 3)))
	require.ErrorIs(t, bad.Err, storage.ErrNoTable)
	again := h.apply(WriteCommand("nope", "p", 1, payload(t, 0, 3)))
	require.ErrorIs(t, again.Err, storage.ErrNoTable, "a retry gets the same answer")
	require.Equal(t, bad.Err.Error(), again.Err.Error())
	garbage := h.apply(WriteCommand("kv", "p", 2, []byte("not arrow")))
	require.ErrorIs(t, garbage.Err, storage.ErrBadPayload)
	require.NoError(t, h.apply(WriteCommand("kv", "p", 3, payload(t, 0, 3))).Err, "the producer moves on")
	require.EqualValues(t, 3, h.rows())
}

func TestProducersExpireByIndex(t *testing.T) {
	h := newHarness(t, Options{ProducerExpiry: 5})
	require.NoError(t, h.apply(CreateTableCommand(kvDef, false)).Err)
	require.NoError(t, h.apply(WriteCommand("kv", "old", 1, payload(t, 0, 1))).Err) // index 2
	for i := 1; i <= 5; i++ {
		require.NoError(t, h.apply(WriteCommand("kv", "busy", uint64(i), payload(t, 0, 1))).Err)
	}
	require.NotNil(t, h.fsm.dedup.get("old"), "idle for exactly the expiry: kept")
	require.NoError(t, h.apply(WriteCommand("kv", "busy", 6, payload(t, 0, 1))).Err)
	require.Nil(t, h.fsm.dedup.get("old"), "idle longer than the expiry: forgotten")
	require.NotNil(t, h.fsm.dedup.get("busy"))
}

func TestDDLAndRollbackResults(t *testing.T) {
	h := newHarness(t, Options{})
	require.NoError(t, h.apply(CreateTableCommand(kvDef, false)).Err)
	r := h.apply(CreateTableCommand(kvDef, false))
	require.ErrorIs(t, r.Err, storage.ErrTableExists)
	r = h.apply(CreateTableCommand(kvDef, true))
	require.NoError(t, r.Err)
	require.True(t, r.Existed)
	w := h.apply(WriteCommand("kv", "p", 1, payload(t, 0, 4)))
	require.NoError(t, h.apply(RollbackCommand("kv", w.Version-1)).Err)
	require.EqualValues(t, 0, h.rows())
	require.ErrorIs(t, h.apply(RollbackCommand("kv", 1000)).Err, storage.ErrFutureVersion)
	require.NoError(t, h.apply(DropTableCommand("kv", false)).Err)
	require.ErrorIs(t, h.apply(DropTableCommand("kv", false)).Err, storage.ErrNoTable)
	require.NoError(t, h.apply(DropTableCommand("kv", true)).Err)
}

func TestUnknownCommandKinds(t *testing.T) {
	h := newHarness(t, Options{})
	// Field 14 is not a kind this release knows.
	unknown := []byte{0x72, 0x00} // field 14, wire type 2, empty
	skippable, err := proto.Marshal(&stratapb.Command{Ignorable: true})
	require.NoError(t, err)
	skippable = append(skippable, unknown...)
	r := h.fsm.Apply(1, skippable).(*Result)
	require.NoError(t, r.Err)
	require.EqualValues(t, 1, h.fsm.Store().Applied())
	require.PanicsWithValue(t, "log entry 2 holds a command kind this node does not know: upgrade it to the cluster's release",
		func() { h.fsm.Apply(2, unknown) })
	require.Panics(t, func() { h.fsm.Apply(3, []byte{0xff, 0xff}) }, "a log entry that is not a command")
}

// TestSnapshotRoundTrip: a restored FSM has the same data and dedup table,
// and replicas applying the same log persist identical snapshots.
func TestSnapshotRoundTrip(t *testing.T) {
	a := newHarness(t, Options{ChunkRows: 8})
	require.NoError(t, a.apply(CreateTableCommand(kvDef, false)).Err)
	for seq := uint64(1); seq <= 6; seq++ {
		require.NoError(t, a.apply(WriteCommand("kv", "p", seq, payload(t, int(seq)*5, int(seq)*5+5))).Err)
	}
	a.apply(WriteCommand("nope", "q", 1, payload(t, 0, 1)))

	b := newHarness(t, Options{ChunkRows: 8})
	for i, entry := range a.log {
		b.fsm.Apply(uint64(i+1), entry)
	}
	snapA, snapB := persist(t, a.fsm), persist(t, b.fsm)
	require.Equal(t, snapA, snapB, "replicas agree byte for byte")

	c := newHarness(t, Options{ChunkRows: 8})
	require.NoError(t, c.fsm.Restore(bytes.NewReader(snapA)))
	require.EqualValues(t, 30, c.rows())
	require.Equal(t, a.fsm.Store().Applied(), c.fsm.Store().Applied())
	c.index = a.index
	r := c.apply(WriteCommand("kv", "p", 6, payload(t, 30, 35)))
	require.True(t, r.Duplicate, "the dedup table survives the snapshot")
	r = c.apply(WriteCommand("nope", "q", 1, payload(t, 0, 1)))
	require.ErrorIs(t, r.Err, storage.ErrNoTable, "so do remembered failures, with their class")
	require.NoError(t, c.apply(WriteCommand("kv", "p", 7, payload(t, 35, 40))).Err)
	require.EqualValues(t, 35, c.rows())

	require.ErrorIs(t, c.fsm.Restore(bytes.NewReader(snapA[:len(snapA)-3])), ErrBadSnapshot)
	require.EqualValues(t, 35, c.rows(), "a failed restore changes nothing")
	bad := bytes.Clone(snapA)
	bad[len(bad)-6] ^= 1
	require.True(t, errors.Is(c.fsm.Restore(bytes.NewReader(bad)), ErrBadSnapshot))
}

func persist(t *testing.T, f *FSM) []byte {
	s, err := f.Capture()
	require.NoError(t, err)
	defer s.Release()
	var buf bytes.Buffer
	require.NoError(t, s.Persist(&buf))
	return buf.Bytes()
}

// TestDecodeWriteMatchesProto: the zero-copy reader of write commands reads
// what proto.Unmarshal reads, and leaves everything else to it.
func TestDecodeWriteMatchesProto(t *testing.T) {
	for _, c := range []*stratapb.Command{
		WriteCommand("t", "p", 7, []byte("payload")),
		WriteCommand("", "", 0, nil),
		RejectedWriteCommand("t", "p", 3, "too big"),
	} {
		b, err := EncodeCommand(c)
		require.NoError(t, err)
		w, ok := decodeWrite(b)
		require.True(t, ok)
		require.True(t, proto.Equal(c.GetWrite(), w), "%v vs %v", c.GetWrite(), w)
	}
	for _, c := range []*stratapb.Command{
		CreateTableCommand(kvDef, true),
		{Kind: &stratapb.Command_Write{Write: &stratapb.WriteCommand{Table: "t"}}, Ignorable: true},
	} {
		b, err := EncodeCommand(c)
		require.NoError(t, err)
		_, ok := decodeWrite(b)
		require.False(t, ok)
	}
}

func FuzzDecodeWrite(f *testing.F) {
	b, _ := EncodeCommand(WriteCommand("t", "p", 7, []byte("payload")))
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		w, ok := decodeWrite(data)
		if !ok {
			return
		}
		var c stratapb.Command
		if err := proto.Unmarshal(data, &c); err != nil {
			t.Fatalf("decodeWrite accepted what proto rejects: %v", err)
		}
		if !proto.Equal(c.GetWrite(), w) {
			t.Fatalf("decodeWrite %v, proto %v", w, c.GetWrite())
		}
	})
}

func FuzzDecodeDedup(f *testing.F) {
	f.Add(appendDedup(nil, []producer{{id: "p", last: 3, lastIndex: 9, recent: []outcome{{seq: 2, version: 5, rows: 10}, {seq: 3, version: 9, err: &appliedError{kind: errNoTable, msg: "no"}}}}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, err := decodeDedup(b)
		if err != nil {
			require.ErrorIs(t, err, ErrBadSnapshot)
			return
		}
		again, err := decodeDedup(appendDedup(nil, ps))
		require.NoError(t, err)
		require.Equal(t, ps, again)
	})
}
