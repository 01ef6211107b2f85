package pgtest

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestStartServerRestart(t *testing.T) {
	if _, err := BinDir(); err != nil {
		t.Skip(err)
	}
	base, err := os.MkdirTemp("", "pgtest-restart-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(base)
	s, err := StartServer(base, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	if out, err := s.Psql("-c", "ALTER SYSTEM SET shared_buffers = '64MB'"); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	done := make(chan error, 1)
	go func() { done <- s.Restart() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("Restart hangs")
	}
	out, err := s.Psql("-At", "-c", "SHOW shared_buffers")
	if err != nil || strings.TrimSpace(out) != "64MB" {
		t.Fatalf("after restart: %q, %v", out, err)
	}
}
