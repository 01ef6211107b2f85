package raftlog

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// A snapshot as raftlog writes it (raft's FileSnapshotStore keeps it in
// state.bin, with raft's own metadata beside it in meta.json):
//
//	0           8                  16
//	+-----------+------------------+--------------------------------+
//	| magic     | applied index    | FSM payload: what the FSM's    |
//	| "rlsnap1" | uint64,          | Snapshot.Persist wrote, to EOF |
//	| + 0x00    | big-endian       |                                |
//	+-----------+------------------+--------------------------------+
//
// The applied index is the FSM watermark when the snapshot was captured:
// the index of the last command or configuration entry it includes. Raft
// does not tell FSM.Restore which index a snapshot stands for, so the header
// lets Restore put the watermark back where the snapshot left it.
const snapHeaderLen = 16

var snapMagic = [8]byte{'r', 'l', 's', 'n', 'a', 'p', '1', 0}

// errBadSnapshot marks a snapshot stream raftlog did not write.
var errBadSnapshot = errors.New("raftlog: not a raftlog snapshot")

// appendSnapHeader appends the header for applied index to dst.
func appendSnapHeader(dst []byte, index uint64) []byte {
	dst = append(dst, snapMagic[:]...)
	return binary.BigEndian.AppendUint64(dst, index)
}

// parseSnapHeader decodes a header from the first snapHeaderLen bytes of b.
func parseSnapHeader(b []byte) (uint64, error) {
	if len(b) < snapHeaderLen {
		return 0, fmt.Errorf("%w: %d-byte header", errBadSnapshot, len(b))
	}
	if [8]byte(b[:8]) != snapMagic {
		return 0, fmt.Errorf("%w: magic %q", errBadSnapshot, b[:8])
	}
	return binary.BigEndian.Uint64(b[8:snapHeaderLen]), nil
}

// readSnapHeader reads and decodes the header at the start of r.
func readSnapHeader(r io.Reader) (uint64, error) {
	var b [snapHeaderLen]byte
	n, err := io.ReadFull(r, b[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return 0, fmt.Errorf("read snapshot header: %w", err)
	}
	return parseSnapHeader(b[:n])
}
