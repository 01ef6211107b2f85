package storage

import (
	"fmt"
	"testing"
)

func TestStringCoder(t *testing.T) {
	c := newStringCoder()
	vals := []string{"", "a", "a\x00", "\x00", "ab", "host-001", "host-0010", "host-001", "a", "", "\x00\x00", "é"}
	want := map[string]int32{}
	for _, v := range vals {
		got := c.code(v)
		if id, seen := want[v]; seen && id != got {
			t.Fatalf("%q coded %d, earlier %d", v, got, id)
		}
		want[v] = got
	}
	if len(c.distinct) != len(want) {
		t.Fatalf("%d distinct codes for %d distinct strings", len(c.distinct), len(want))
	}
	for v, id := range want {
		if c.distinct[id] != v {
			t.Fatalf("code %d is %q, want %q", id, c.distinct[id], v)
		}
	}
}

func FuzzStringCoder(f *testing.F) {
	f.Add("a", "a\x00")
	f.Add("host-001", "host-002")
	f.Fuzz(func(t *testing.T, a, b string) {
		c := newStringCoder()
		ca, cb := c.code(a), c.code(b)
		if (a == b) != (ca == cb) {
			t.Fatal(fmt.Sprintf("%q->%d %q->%d", a, ca, b, cb))
		}
		if c.code(a) != ca || c.distinct[ca] != a || c.distinct[cb] != b {
			t.Fatal("codes not stable")
		}
	})
}
