package pgtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Options configure StartServer.
type Options struct {
	// Durable keeps PostgreSQL's defaults fsync = on and full_page_writes
	// = on (benchmarks); otherwise they are off (tests: faster, and a
	// crash loses a throwaway server).
	Durable bool
	// Settings are extra -c name=value options given at start.
	Settings map[string]string
}

// StartServer is Start for programs (the benchmark suite): it initialises
// and starts a server under base (which it may chmod so that the postgres
// user reaches it when running as root) on a free loopback port. The
// caller must Stop it and may then remove base. It needs the Debian
// package postgresql (its initdb and pg_ctl); without them the error
// names the package.
func StartServer(base string, o Options) (*Server, error) {
	return startWith(base, o)
}

// Restart restarts the server (fast shutdown, then start with the same
// options), for settings such as shared_buffers that only take effect
// at server start. The log goes to the server.log file, as at start
// (without -l the server would hold the output pipe open).
func (s *Server) Restart() error {
	if out, err := s.command("pg_ctl", "-D", s.dir, "-m", "fast", "-w", "-t", "60", "restart", "-o", s.opts, "-l", filepath.Join(s.dir, "server.log")).CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
		return fmt.Errorf("pgtest: pg_ctl restart: %v\n%s\n%s", err, out, tail(string(log), 2000))
	}
	s.started = true
	return nil
}

// URL is a postgres:// connection URL for database postgres as user
// postgres, for drivers that want one.
func (s *Server) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.Port)
}

// DataDir is the server's data directory.
func (s *Server) DataDir() string { return s.dir }

func serverOpts(port int, dir string, o Options) string {
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s", port, dir)
	if !o.Durable {
		opts += " -c fsync=off -c full_page_writes=off"
	}
	for k, v := range o.Settings {
		opts += fmt.Sprintf(" -c %s=%s", k, v)
	}
	return opts
}

func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
