package ingest

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"slices"

	"google.golang.org/protobuf/proto"

	stratapb "github.com/stratadb/strata/proto"
)

// The member registry: every member's client-facing addresses, keyed by
// node ID, replicated through the log (SetMemberCommand) so every node can
// tell clients and peers where the others are. Raft's own configuration
// knows only Raft addresses.
//
// The registry is an immutable slice sorted by node ID behind an atomic
// pointer: Apply builds a new slice for each change, readers load the
// current one without a lock.

// maxMembersBytes bounds the members frame of a snapshot.
const maxMembersBytes = 1 << 26

// Members returns the member records, sorted by node ID. It is safe to call
// from any goroutine, concurrently with Apply; the records are copies the
// caller may keep and modify.
func (f *FSM) Members() []*stratapb.Member {
	cur := f.loadMembers()
	out := make([]*stratapb.Member, len(cur))
	for i, m := range cur {
		out[i] = proto.CloneOf(m)
	}
	return out
}

// loadMembers is the current, immutable, sorted slice: read only.
func (f *FSM) loadMembers() []*stratapb.Member {
	if p := f.members.Load(); p != nil {
		return *p
	}
	return nil
}

func (f *FSM) storeMembers(ms []*stratapb.Member) {
	f.members.Store(&ms)
}

func compareMember(m *stratapb.Member, id string) int {
	return cmp.Compare(m.GetNodeId(), id)
}

// applySetMember records, replaces or (remove) deletes one member record.
// Removing an unknown member is not an error: the command is idempotent.
func (f *FSM) applySetMember(index uint64, c *stratapb.SetMemberCommand) *Result {
	m := c.GetMember()
	id := m.GetNodeId()
	if id == "" {
		return f.done(index, fmt.Errorf("%w: member record without a node id", ErrBadCommand))
	}
	cur := f.loadMembers()
	i, found := slices.BinarySearchFunc(cur, id, compareMember)
	var next []*stratapb.Member
	switch {
	case c.GetRemove() && !found:
		return f.done(index, nil)
	case c.GetRemove():
		next = slices.Concat(cur[:i], cur[i+1:])
	case found:
		next = slices.Clone(cur)
		next[i] = proto.CloneOf(m)
	default:
		next = slices.Insert(slices.Clone(cur), i, proto.CloneOf(m))
	}
	f.storeMembers(next)
	return f.done(index, nil)
}

// The members frame of an FSM snapshot (format 2):
//
//	length u64 | body | crc32c(body) u32
//	body: count uvarint | (len uvarint | deterministic proto Member)...
//
// Members are in node ID order.

func memberKey(m *stratapb.Member) string { return m.GetNodeId() }

func appendMembers(dst []byte, ms []*stratapb.Member) ([]byte, error) {
	return appendMessages(dst, "member", ms, memberKey)
}

func decodeMembers(b []byte) ([]*stratapb.Member, error) {
	return decodeMessages(b, "members", func() *stratapb.Member { return &stratapb.Member{} }, memberKey, nil)
}

// writeFrame writes length u64 | body | crc32c(body) u32.
func writeFrame(w io.Writer, body []byte) error {
	frame := binary.LittleEndian.AppendUint64(nil, uint64(len(body)))
	frame = append(frame, body...)
	frame = binary.LittleEndian.AppendUint32(frame, crc32.Checksum(body, castagnoli))
	_, err := w.Write(frame)
	return err
}

// readFrame reads a frame writeFrame wrote, of at most max bytes; what
// names it in errors.
func readFrame(r io.Reader, what string, max uint64) ([]byte, error) {
	var n [8]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadSnapshot, what, err)
	}
	size := binary.LittleEndian.Uint64(n[:])
	if size > max {
		return nil, fmt.Errorf("%w: %s of %d bytes", ErrBadSnapshot, what, size)
	}
	body := make([]byte, int(size)+4)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadSnapshot, what, err)
	}
	sum := binary.LittleEndian.Uint32(body[size:])
	body = body[:size]
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, fmt.Errorf("%w: %s checksum mismatch", ErrBadSnapshot, what)
	}
	return body, nil
}
