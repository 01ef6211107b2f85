package pgtest

import (
	"strings"
	"testing"
)

func TestStartAndQuery(t *testing.T) {
	s := Start(t)
	out, err := s.Psql("-At", "-c", "SELECT 40 + 2")
	if err != nil {
		t.Fatalf("psql: %v\n%s", err, out)
	}
	if strings.TrimSpace(out) != "42" {
		t.Fatalf("got %q", out)
	}
}
