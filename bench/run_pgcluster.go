package bench

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/stratadb/strata/bench/pgtest"
)

// managedPostgres is a PostgreSQL server the suite started and stops:
// a Debian cluster (as root) or a private initdb (pgtest.Server).
type managedPostgres interface {
	URL() string
	Restart() error // for settings such as shared_buffers
	Stop()          // and remove its data
}

// debianCluster is a cluster made with Debian's postgresql-common tools,
// the way root runs PostgreSQL on Debian: pg_createcluster initialises it
// as the postgres user under /var/lib/postgresql/<version>/<name> and
// starts it, pg_ctlcluster restarts it, and pg_dropcluster stops and
// removes it at the end. It listens on a free loopback port, trusts
// local connections and keeps PostgreSQL's durable defaults (fsync on).
type debianCluster struct {
	version, name string
	port          int
}

// canUseDebianCluster reports whether the suite runs as root with
// Debian's cluster tools installed.
func canUseDebianCluster() bool {
	if os.Geteuid() != 0 {
		return false
	}
	_, err := exec.LookPath("pg_createcluster")
	return err == nil
}

func startDebianCluster() (*debianCluster, error) {
	bin, err := pgtest.BinDir()
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	c := &debianCluster{
		version: filepath.Base(filepath.Dir(bin)), // /usr/lib/postgresql/<version>/bin
		name:    fmt.Sprintf("strata-bench-%d", os.Getpid()),
		port:    port,
	}
	out, err := exec.Command("pg_createcluster", c.version, c.name,
		// listen_addresses keeps Debian's default, localhost: loopback only.
		"-p", fmt.Sprint(port), "--start",
		"--", "--auth=trust").CombinedOutput()
	if err != nil {
		c.Stop()
		return nil, fmt.Errorf("pg_createcluster %s %s: %v\n%s", c.version, c.name, err, strings.TrimSpace(string(out)))
	}
	return c, nil
}

func (c *debianCluster) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

func (c *debianCluster) Restart() error {
	if out, err := exec.Command("pg_ctlcluster", "--mode", "fast", c.version, c.name, "restart").CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctlcluster %s %s restart: %v\n%s", c.version, c.name, err, strings.TrimSpace(string(out)))
	}
	return nil
}

func (c *debianCluster) Stop() {
	_ = exec.Command("pg_dropcluster", "--stop", c.version, c.name).Run()
}

// Describe says what the report shows as the server.
func (c *debianCluster) Describe() string {
	return fmt.Sprintf("Debian cluster %s/%s (pg_createcluster as root, loopback port %d, fsync on, started and dropped by the suite)", c.version, c.name, c.port)
}

// installPostgres installs Debian's postgresql package with apt-get when
// running as root; otherwise it says what to run.
func installPostgres(log *progress) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("no PostgreSQL server binaries: install them (sudo apt-get install postgresql) or pass --postgres-url")
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return fmt.Errorf("no PostgreSQL server binaries and no apt-get: install PostgreSQL or pass --postgres-url")
	}
	log.Printf("installing PostgreSQL: apt-get install postgresql")
	for _, args := range [][]string{{"update", "-qq"}, {"install", "-y", "-qq", "postgresql", "postgresql-client"}} {
		cmd := exec.Command("apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("apt-get %s: %v\n%s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
		}
	}
	return nil
}
