package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stratadb/strata/client"
)

// The end-to-end tests run the real binary: built once per test run
// (without -race: it is the server under test, not the test), started on
// free loopback ports, killed with SIGKILL where a test says so.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func strataBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: skipped in -short mode")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "strata-e2e-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "strata")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// node is a strata server process.
type node struct {
	t        *testing.T
	dataDir  string
	grpcAddr string
	httpAddr string
	raftAddr string
	pgAddr   string
	extra    []string
	cmd      *exec.Cmd
	log      *os.File
	done     chan struct{}
}

// startNode starts a server in a fresh data dir and waits until ready.
func startNode(t *testing.T, extra ...string) *node {
	n := &node{t: t, dataDir: t.TempDir(), grpcAddr: freeAddr(t), httpAddr: freeAddr(t), raftAddr: freeAddr(t), pgAddr: freeAddr(t), extra: extra}
	n.start()
	t.Cleanup(n.stop)
	return n
}

// start runs the server on the node's data dir and addresses and waits
// until it is ready.
func (n *node) start() {
	n.t.Helper()
	n.launch()
	n.waitReady()
}

// launch runs the server without waiting for it (a cluster member
// restarted with the others down is not ready until they are back).
func (n *node) launch() {
	n.t.Helper()
	args := append([]string{"server", "--data-dir", n.dataDir, "--grpc-addr", n.grpcAddr,
		"--http-addr", n.httpAddr, "--raft-addr", n.raftAddr, "--pg-addr", n.pgAddr, "--log-level", "warn"}, n.extra...)
	n.cmd = exec.Command(strataBinary(n.t), args...)
	var err error
	n.log, err = os.OpenFile(filepath.Join(n.dataDir, "server.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		n.t.Fatal(err)
	}
	n.cmd.Stdout, n.cmd.Stderr = n.log, n.log
	if err := n.cmd.Start(); err != nil {
		n.t.Fatal(err)
	}
	n.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { cmd.Wait(); close(done) }(n.cmd, n.done)
}

func (n *node) waitReady() {
	n.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-n.done:
			n.t.Fatalf("server exited early; log:\n%s", n.logText())
		default:
		}
		resp, err := http.Get("http://" + n.httpAddr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	n.t.Fatalf("server not ready after 60s; log:\n%s", n.logText())
}

// kill9 kills the server process without a chance to clean up.
func (n *node) kill9() {
	n.cmd.Process.Signal(syscall.SIGKILL)
	<-n.done
	n.log.Close()
}

// stop shuts the server down gracefully (SIGTERM) if it runs.
func (n *node) stop() {
	select {
	case <-n.done:
		return
	default:
	}
	n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.done:
	case <-time.After(30 * time.Second):
		n.cmd.Process.Kill()
		<-n.done
	}
	n.log.Close()
}

func (n *node) logText() string {
	b, _ := os.ReadFile(filepath.Join(n.dataDir, "server.log"))
	return string(b)
}

func (n *node) dial(t *testing.T) *client.Client {
	t.Helper()
	c, err := client.Dial(n.grpcAddr, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// metric reads one sample of the node's /metrics.
func (n *node) metric(t *testing.T, name string) string {
	resp, err := http.Get("http://" + n.httpAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 1<<16)
	for {
		k, err := resp.Body.Read(buf)
		sb.Write(buf[:k])
		if err != nil {
			break
		}
	}
	for _, line := range strings.Split(sb.String(), "\n") {
		if strings.HasPrefix(line, name+" ") {
			return strings.TrimPrefix(line, name+" ")
		}
	}
	return ""
}

// runCLI runs the binary with args and returns its combined output.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, strataBinary(t), args...).CombinedOutput()
	return string(out), err
}
