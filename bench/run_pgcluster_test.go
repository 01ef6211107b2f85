package bench

import (
	"context"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// TestDebianCluster makes, reconfigures, restarts and drops a cluster the
// way the suite does as root on Debian.
func TestDebianCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	if !canUseDebianCluster() {
		t.Skip("needs root and Debian's pg_createcluster")
	}
	ctx := context.Background()
	p, err := startPostgres(ctx, "", newProgress(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	c, ok := p.server.(*debianCluster)
	if !ok {
		p.close()
		t.Fatalf("as root with pg_createcluster the suite uses a Debian cluster, got %T", p.server)
	}
	closed := false
	defer func() {
		if !closed {
			p.close()
		}
	}()
	if !strings.Contains(p.source, "Debian cluster") || !strings.HasPrefix(p.version, "PostgreSQL ") {
		t.Fatalf("source %q, version %q", p.source, p.version)
	}
	settings, note, err := p.applyProfile(ctx, ProfileTuned, newProgress(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	if settings["jit"] != "off" || !strings.Contains(note, "restarted for shared_buffers") {
		t.Fatalf("tuned profile: settings %v, note %q", settings, note)
	}
	if settings["shared_buffers"] == "128MB" {
		t.Fatalf("shared_buffers still the default after the restart: %v", settings)
	}
	var fsync string
	if err := p.conn.QueryRow(ctx, "SHOW fsync").Scan(&fsync); err != nil || fsync != "on" {
		t.Fatalf("fsync = %q (%v), want on", fsync, err)
	}
	p.close()
	closed = true
	out, _ := exec.Command("pg_lsclusters", "--no-header").CombinedOutput()
	if strings.Contains(string(out), c.name) {
		t.Fatalf("cluster %s left behind:\n%s", c.name, out)
	}
}
