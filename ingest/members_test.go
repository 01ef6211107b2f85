package ingest

import (
	"bytes"
	"encoding/binary"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	stratapb "github.com/stratadb/strata/proto"
)

func member(id, grpc string) *stratapb.Member {
	return &stratapb.Member{NodeId: id, RaftAddr: "raft-" + id, GrpcAddr: grpc, Suffrage: "voter"}
}

func memberIDs(ms []*stratapb.Member) []string {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.GetNodeId()
	}
	return ids
}

func TestSetMemberApplyRemoveReplace(t *testing.T) {
	h := newHarness(t, Options{})
	require.Empty(t, h.fsm.Members())
	for _, id := range []string{"n3", "n1", "n2"} {
		r := h.apply(SetMemberCommand(member(id, id+":1"), false))
		require.NoError(t, r.Err)
		require.Equal(t, h.index, r.Version)
	}
	require.Equal(t, []string{"n1", "n2", "n3"}, memberIDs(h.fsm.Members()), "sorted by node id")
	require.Equal(t, h.index, h.fsm.Store().Applied(), "a member command advances the version")

	require.NoError(t, h.apply(SetMemberCommand(member("n2", "n2:2"), false)).Err)
	ms := h.fsm.Members()
	require.Len(t, ms, 3)
	require.Equal(t, "n2:2", ms[1].GetGrpcAddr(), "a record with the same node id replaces the old one")

	ms[0].GrpcAddr = "changed by the caller"
	require.Equal(t, "n1:1", h.fsm.Members()[0].GetGrpcAddr(), "Members returns copies")

	require.NoError(t, h.apply(SetMemberCommand(&stratapb.Member{NodeId: "n1"}, true)).Err)
	require.Equal(t, []string{"n2", "n3"}, memberIDs(h.fsm.Members()))
	require.NoError(t, h.apply(SetMemberCommand(&stratapb.Member{NodeId: "n1"}, true)).Err, "removing an unknown member is a no-op")
	require.Equal(t, []string{"n2", "n3"}, memberIDs(h.fsm.Members()))

	r := h.apply(SetMemberCommand(&stratapb.Member{GrpcAddr: "x:1"}, false))
	require.ErrorIs(t, r.Err, ErrBadCommand)
	require.Equal(t, h.index, h.fsm.Store().Applied(), "a failed command still advances the version")
	r = h.apply(&stratapb.Command{Kind: &stratapb.Command_SetMember{SetMember: &stratapb.SetMemberCommand{}}})
	require.ErrorIs(t, r.Err, ErrBadCommand, "no member at all")
	require.Equal(t, []string{"n2", "n3"}, memberIDs(h.fsm.Members()))
}

// TestSetMemberDeterministic: replicas applying the same log agree on the
// registry and on the snapshot bytes, whatever the order members arrived.
func TestSetMemberDeterministic(t *testing.T) {
	a := newHarness(t, Options{})
	ids := []string{"m", "c", "x", "a", "q", "b"}
	for i, id := range ids {
		a.apply(SetMemberCommand(member(id, id+":1"), false))
		if i%2 == 1 {
			a.apply(SetMemberCommand(member(ids[i-1], ""), true))
		}
	}
	a.apply(SetMemberCommand(member("", ""), false))
	b := newHarness(t, Options{})
	for i, entry := range a.log {
		r := b.fsm.Apply(uint64(i+1), entry).(*Result)
		require.Equal(t, r.Err == nil, i != len(a.log)-1)
	}
	require.Equal(t, []string{"a", "b", "c"}, memberIDs(a.fsm.Members()))
	require.Equal(t, len(a.fsm.Members()), len(b.fsm.Members()))
	for i, m := range a.fsm.Members() {
		require.True(t, proto.Equal(m, b.fsm.Members()[i]))
	}
	require.Equal(t, persist(t, a.fsm), persist(t, b.fsm))
}

// TestMembersConcurrentReads: Members may run while Apply changes the
// registry (go test -race checks the claim).
func TestMembersConcurrentReads(t *testing.T) {
	h := newHarness(t, Options{})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			ms := h.fsm.Members()
			for i := 1; i < len(ms); i++ {
				if ms[i-1].GetNodeId() >= ms[i].GetNodeId() {
					t.Errorf("members out of order: %v", memberIDs(ms))
					return
				}
			}
		}
	}()
	for i := range 200 {
		id := string(rune('a' + i%26))
		h.apply(SetMemberCommand(member(id, ""), i%3 == 0))
	}
	close(stop)
	wg.Wait()
}

func TestSnapshotRoundTripMembers(t *testing.T) {
	a := newHarness(t, Options{ChunkRows: 8})
	require.NoError(t, a.apply(CreateTableCommand(kvDef, false)).Err)
	require.NoError(t, a.apply(SetMemberCommand(member("n2", "n2:1"), false)).Err)
	require.NoError(t, a.apply(WriteCommand("kv", "p", 1, payload(t, 0, 20))).Err)
	require.NoError(t, a.apply(SetMemberCommand(&stratapb.Member{NodeId: "n1", GrpcAddr: "n1:1", PgAddr: "n1:5432", HttpAddr: "n1:80", Suffrage: "nonvoter"}, false)).Err)
	snap := persist(t, a.fsm)
	require.EqualValues(t, fsmVersion, binary.LittleEndian.Uint32(snap[len(fsmMagic):]))

	c := newHarness(t, Options{ChunkRows: 8})
	require.NoError(t, c.apply(SetMemberCommand(member("stale", ""), false)).Err)
	require.NoError(t, c.fsm.Restore(bytes.NewReader(snap)))
	require.EqualValues(t, 20, c.rows())
	got, want := c.fsm.Members(), a.fsm.Members()
	require.Equal(t, []string{"n1", "n2"}, memberIDs(got), "restore replaces the registry")
	for i := range want {
		require.True(t, proto.Equal(want[i], got[i]), "%v vs %v", want[i], got[i])
	}
	require.Equal(t, snap, persist(t, c.fsm), "a restored FSM persists the same bytes")

	// Damage in the members frame fails the restore and changes nothing.
	bad := bytes.Clone(snap)
	bad[len(bad)-10] ^= 0x40
	require.ErrorIs(t, c.fsm.Restore(bytes.NewReader(bad)), ErrBadSnapshot)
	require.ErrorIs(t, c.fsm.Restore(bytes.NewReader(snap[:len(snap)-1])), ErrBadSnapshot)
	require.Equal(t, []string{"n1", "n2"}, memberIDs(c.fsm.Members()))
	require.EqualValues(t, 20, c.rows())

	future := bytes.Clone(snap)
	binary.LittleEndian.PutUint32(future[len(fsmMagic):], fsmVersion+1)
	require.ErrorIs(t, c.fsm.Restore(bytes.NewReader(future)), ErrBadSnapshot)
}

// persistFormat1 writes a snapshot as the release before the member
// registry did: format 1, no members frame.
func persistFormat1(t *testing.T, f *FSM) []byte {
	s, err := f.Capture()
	require.NoError(t, err)
	defer s.Release()
	var buf bytes.Buffer
	buf.Write(binary.LittleEndian.AppendUint32([]byte(fsmMagic), 1))
	_, err = s.image.WriteTo(&buf)
	require.NoError(t, err)
	require.NoError(t, writeFrame(&buf, appendDedup(nil, s.dedup)))
	return buf.Bytes()
}

func TestRestoreFormat1(t *testing.T) {
	a := newHarness(t, Options{ChunkRows: 8})
	require.NoError(t, a.apply(CreateTableCommand(kvDef, false)).Err)
	require.NoError(t, a.apply(WriteCommand("kv", "p", 1, payload(t, 0, 20))).Err)
	old := persistFormat1(t, a.fsm)

	c := newHarness(t, Options{ChunkRows: 8})
	require.NoError(t, c.apply(SetMemberCommand(member("n1", ""), false)).Err)
	require.NoError(t, c.fsm.Restore(bytes.NewReader(old)))
	require.EqualValues(t, 20, c.rows())
	require.Empty(t, c.fsm.Members(), "a format 1 stream has no members")
	c.index = a.index
	require.True(t, c.apply(WriteCommand("kv", "p", 1, payload(t, 0, 20))).Duplicate, "its dedup table is read")
	require.NoError(t, c.apply(SetMemberCommand(member("n1", ""), false)).Err)

	// Trailing bytes after a format 1 stream are not read as members.
	require.NoError(t, c.fsm.Restore(bytes.NewReader(append(bytes.Clone(old), 0xff, 0xff))))
	require.Empty(t, c.fsm.Members())
}

func FuzzDecodeMembers(f *testing.F) {
	b, _ := appendMembers(nil, []*stratapb.Member{member("a", "a:1"), member("b", "")})
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		ms, err := decodeMembers(b)
		if err != nil {
			require.ErrorIs(t, err, ErrBadSnapshot)
			return
		}
		again, err := appendMembers(nil, ms)
		require.NoError(t, err)
		ms2, err := decodeMembers(again)
		require.NoError(t, err)
		require.Equal(t, len(ms), len(ms2))
	})
}
