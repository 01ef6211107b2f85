package pgwire

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// harness is a server on a free port over a real store.
type harness struct {
	t       *testing.T
	backend *storeBackend
	srv     *Server
	mem     *memory.CheckedAllocator
	opts    Options
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	h := &harness{t: t, backend: newStoreBackend(), mem: memory.NewCheckedAllocator(memory.NewGoAllocator())}
	opts.Addr = "127.0.0.1:0"
	opts.Allocator = h.mem
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		if testing.Verbose() {
			opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		}
	}
	srv, err := Listen(opts, h.backend)
	if err != nil {
		t.Fatal(err)
	}
	h.srv, h.opts = srv, opts
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
		h.backend.store.Close()
		h.mem.AssertSize(t, 0)
	})
	return h
}

func (h *harness) hostPort() (string, string) {
	host, port, _ := net.SplitHostPort(h.srv.Addr())
	return host, port
}

func (h *harness) dsn(user string) string {
	host, port := h.hostPort()
	return "host=" + host + " port=" + port + " user=" + user + " dbname=strata sslmode=disable connect_timeout=5"
}

// psql runs the real psql with input on stdin; it returns stdout, stderr
// and psql's error.
func (h *harness) psql(input string, extra ...string) (string, string, error) {
	h.t.Helper()
	return h.psqlEnv(nil, input, extra...)
}

func (h *harness) psqlEnv(env []string, input string, extra ...string) (string, string, error) {
	h.t.Helper()
	if _, err := exec.LookPath("psql"); err != nil {
		h.t.Skip("psql not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	args := append([]string{"-X", "-v", "ON_ERROR_STOP=1", "-q"}, extra...)
	args = append(args, h.dsn("x"))
	cmd := exec.CommandContext(ctx, "psql", args...)
	cmd.Env = append(os.Environ(), "PGAPPNAME=pgwire-test", "LC_ALL=C.UTF-8", "PGCLIENTENCODING=UTF8")
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdin = strings.NewReader(input)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), err
}

// mustPsql runs psql and fails the test on an error.
func (h *harness) mustPsql(input string, extra ...string) string {
	h.t.Helper()
	out, errOut, err := h.psql(input, extra...)
	if err != nil {
		h.t.Fatalf("psql: %v\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
	}
	return out
}

// connect opens a pgx connection; mode is the default query exec mode.
func (h *harness) connect(mode pgx.QueryExecMode) *pgx.Conn {
	h.t.Helper()
	cfg, err := pgx.ParseConfig(h.dsn("x"))
	if err != nil {
		h.t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = mode
	if h.opts.Password != "" {
		cfg.Password = h.opts.Password
	}
	// Cancel a query with a CancelRequest when its context ends (pgx's
	// default sets a deadline on the connection instead).
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, CancelRequestDelay: 0, DeadlineDelay: 10 * time.Second}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

func (h *harness) exec(conn *pgx.Conn, sql string, args ...any) pgconn.CommandTag {
	h.t.Helper()
	tag, err := conn.Exec(context.Background(), sql, args...)
	if err != nil {
		h.t.Fatalf("%s: %v", sql, err)
	}
	return tag
}

// pgCode is the SQLSTATE of a pgx error ("" if none).
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func pgErr(err error) *pgconn.PgError {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}

var bothModes = []struct {
	name string
	mode pgx.QueryExecMode
}{
	{"simple", pgx.QueryExecModeSimpleProtocol},
	{"extended", pgx.QueryExecModeCacheStatement},
}

// setupT creates table t with two rows.
func (h *harness) setupT(conn *pgx.Conn) {
	h.t.Helper()
	h.exec(conn, "create table t (id bigint not null, name text, score double precision, ok boolean, ts timestamp, d date, b bytea, n integer)")
	h.exec(conn, `insert into t values (1, 'a', 1.5, true, '2024-01-02 03:04:05.123456', '2024-01-02', '\xdead', 7), (2, null, null, null, null, null, null, null)`)
}
