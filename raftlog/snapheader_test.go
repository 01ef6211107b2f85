package raftlog

import (
	"bytes"
	"errors"
	"testing"
)

func FuzzSnapHeader(f *testing.F) {
	f.Add(uint64(0), []byte(nil))
	f.Add(uint64(1<<63+5), []byte("payload"))
	f.Add(uint64(42), appendSnapHeader(nil, 7))
	f.Fuzz(func(t *testing.T, index uint64, junk []byte) {
		// Round trip, with whatever follows the header left unread.
		b := append(appendSnapHeader(nil, index), junk...)
		r := bytes.NewReader(b)
		got, err := readSnapHeader(r)
		if err != nil || got != index {
			t.Fatalf("read %d, %v; want %d", got, err, index)
		}
		if r.Len() != len(junk) {
			t.Fatalf("header read consumed %d payload bytes", len(junk)-r.Len())
		}
		// Arbitrary bytes: an error or a header that re-encodes to them.
		if idx, err := parseSnapHeader(junk); err == nil {
			if !bytes.Equal(appendSnapHeader(nil, idx), junk[:snapHeaderLen]) {
				t.Fatalf("parsed %d from %x", idx, junk[:snapHeaderLen])
			}
		} else if !errors.Is(err, errBadSnapshot) {
			t.Fatalf("error %v is not errBadSnapshot", err)
		}
	})
}

func TestReadSnapHeaderRejects(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":     nil,
		"short":     appendSnapHeader(nil, 9)[:10],
		"bad magic": append([]byte("notmagic"), make([]byte, 8)...),
	} {
		if _, err := readSnapHeader(bytes.NewReader(b)); !errors.Is(err, errBadSnapshot) {
			t.Errorf("%s: %v, want errBadSnapshot", name, err)
		}
	}
}
