package raftlog

import (
	"bytes"
	"fmt"

	"github.com/hashicorp/raft"
	"github.com/klauspost/compress/s2"
)

// Large commands are compressed with S2 before they enter the log and
// decompressed before the FSM sees them, so every byte a write costs
// (the leader's and each follower's log append and fsync, the transfer to
// each follower and its decoding there) is paid on the compressed size. A
// compressed entry is marked by its raft.Log Extensions; entries without
// one (small commands, incompressible ones, logs written before this) are
// passed to the FSM as they are.
const (
	// compressMin is the smallest command worth compressing.
	compressMin = 32 << 10
	// maxDecodedEntry bounds what one compressed entry may claim to
	// decode to.
	maxDecodedEntry = 1 << 30
)

// extS2 marks an entry whose Data is an S2 block of the command.
var extS2 = []byte("strata.s2")

// entryFor is the log entry for cmd: compressed when that saves at least
// a tenth.
func entryFor(cmd []byte) raft.Log {
	if len(cmd) < compressMin {
		return raft.Log{Data: cmd}
	}
	c := s2.Encode(nil, cmd)
	if len(c) > len(cmd)-len(cmd)/10 {
		return raft.Log{Data: cmd}
	}
	return raft.Log{Data: c, Extensions: extS2}
}

// commandOf is the command an entry carries. Every replica holds the same
// entry, so a failure here is the same everywhere: a damaged log or an
// entry from a newer release.
func commandOf(l *raft.Log) ([]byte, error) {
	if len(l.Extensions) == 0 {
		return l.Data, nil
	}
	if !bytes.Equal(l.Extensions, extS2) {
		return nil, fmt.Errorf("log entry %d has extensions %q this release does not know", l.Index, l.Extensions)
	}
	n, err := s2.DecodedLen(l.Data)
	if err != nil {
		return nil, fmt.Errorf("log entry %d: compressed command: %w", l.Index, err)
	}
	if n > maxDecodedEntry {
		return nil, fmt.Errorf("log entry %d: compressed command claims %d bytes", l.Index, n)
	}
	cmd, err := s2.Decode(make([]byte, n), l.Data)
	if err != nil {
		return nil, fmt.Errorf("log entry %d: compressed command: %w", l.Index, err)
	}
	return cmd, nil
}
