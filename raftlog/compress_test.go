package raftlog

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/hashicorp/raft"
)

func TestEntryCompression(t *testing.T) {
	compressible := bytes.Repeat([]byte("strata row 0123456789 "), 10000)
	random := make([]byte, 100000)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(r.Uint32())
	}
	for _, tc := range []struct {
		name       string
		cmd        []byte
		compressed bool
	}{
		{"small", []byte("a small command"), false},
		{"compressible", compressible, true},
		{"incompressible", random, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := entryFor(tc.cmd)
			if got := len(l.Extensions) > 0; got != tc.compressed {
				t.Fatalf("compressed %v, want %v (%d -> %d bytes)", got, tc.compressed, len(tc.cmd), len(l.Data))
			}
			if tc.compressed && len(l.Data) >= len(tc.cmd)/2 {
				t.Errorf("%d -> %d bytes", len(tc.cmd), len(l.Data))
			}
			back, err := commandOf(&l)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(back, tc.cmd) {
				t.Fatal("round trip changed the command")
			}
		})
	}
}

func TestEntryDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		l    raft.Log
		want string
	}{
		{"unknown extension", raft.Log{Index: 7, Data: []byte("x"), Extensions: []byte("zip")}, "extensions"},
		{"damaged block", raft.Log{Index: 8, Data: []byte{0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2}, Extensions: extS2}, "compressed command"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := commandOf(&tc.l)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

// A large command reaches every replica's FSM whole, through the log's
// compression.
func TestLargeCommandsReplicate(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, nil)
	big := append([]byte("big-"), bytes.Repeat([]byte("0123456789abcdef"), 1<<14)...)
	idx, _, err := c.leader().node.Propose(testCtx(t), big)
	if err != nil {
		t.Fatal(err)
	}
	c.converged(idx)
	for _, m := range c.members {
		m.fsm.mu.Lock()
		_, ok := m.fsm.seen[string(big)]
		m.fsm.mu.Unlock()
		if !ok {
			t.Errorf("%s: the FSM never saw the command's exact bytes", m.id)
		}
	}
}
