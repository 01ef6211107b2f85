// Package pgtest starts a private, throwaway PostgreSQL server for tests
// that compare Strata with the real thing. It uses the Debian postgresql
// package's binaries (.ci/run installs them); as root it runs the server
// as the postgres user, since PostgreSQL refuses to run as root.
//
// It knows nothing of Strata. The benchmark suite (issue 5) grows its
// PostgreSQL runner from it.
package pgtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Server is a running PostgreSQL instance.
type Server struct {
	Port    int
	dir     string
	binDir  string
	asUser  []string // command prefix to run as the postgres user, if root
	opts    string   // the server's command-line options (pg_ctl -o)
	started bool
}

// DSN is a connection string for database postgres as user postgres.
func (s *Server) DSN() string {
	return fmt.Sprintf("host=127.0.0.1 port=%d user=postgres dbname=postgres sslmode=disable", s.Port)
}

// BinDir finds the newest installed PostgreSQL's binaries.
func BinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("pgtest: no PostgreSQL server binaries (initdb) found; install the Debian package postgresql (apt-get install postgresql; .ci/run does)")
}

func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// Start initialises and starts a server in a temporary directory on a
// free loopback port, trusting local connections; t.Cleanup stops it.
func Start(t testing.TB) *Server {
	t.Helper()
	s, err := startWith(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

func startWith(base string, o Options) (*Server, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	s := &Server{dir: filepath.Join(base, "pgdata"), binDir: bin}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("pgtest: running as root needs the postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chmod(base, 0o777); err != nil {
			return nil, err
		}
		// Let postgres reach its directory: open the temporary directories
		// on the way (never taking bits away), and nothing outside the
		// system's temporary directory.
		tmp := filepath.Clean(os.TempDir())
		for d := filepath.Clean(base); strings.HasPrefix(d, tmp+string(filepath.Separator)); d = filepath.Dir(d) {
			_ = os.Chmod(d, fileMode(d)|0o055)
		}
		if err := os.MkdirAll(s.dir, 0o700); err != nil {
			return nil, err
		}
		if err := os.Chown(s.dir, uid, gid); err != nil {
			return nil, err
		}
		s.asUser = []string{"runuser", "-u", "postgres", "--"}
	}
	if out, err := s.command("initdb", "-D", s.dir, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pgtest: initdb: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s.Port = port
	s.opts = serverOpts(port, s.dir, o)
	if out, err := s.command("pg_ctl", "-D", s.dir, "-o", s.opts, "-l", filepath.Join(s.dir, "server.log"), "-w", "-t", "60", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
		return nil, fmt.Errorf("pgtest: pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	s.started = true
	return s, nil
}

func fileMode(path string) os.FileMode {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Mode() & (os.ModePerm | os.ModeSticky | os.ModeSetuid | os.ModeSetgid)
}

func (s *Server) command(tool string, args ...string) *exec.Cmd {
	argv := append(append([]string{}, s.asUser...), filepath.Join(s.binDir, tool))
	argv = append(argv, args...)
	return exec.Command(argv[0], argv[1:]...)
}

// Stop stops the server (fast shutdown).
func (s *Server) Stop() {
	if !s.started {
		return
	}
	s.started = false
	_ = s.command("pg_ctl", "-D", s.dir, "-m", "fast", "-w", "-t", "30", "stop").Run()
}

// Psql runs the installed psql against the server and returns its output.
func (s *Server) Psql(args ...string) (string, error) {
	argv := append([]string{"-X", "-v", "ON_ERROR_STOP=1", s.DSN()}, args...)
	out, err := exec.Command("psql", argv...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
