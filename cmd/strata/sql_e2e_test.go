package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The SQL shell and the demo, end to end: the real binary against a real
// server process (or the demo's embedded node).

// runShellCLI runs the binary with stdin and returns its standard output,
// standard error and exit status.
func runShellCLI(t *testing.T, stdin string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, strataBinary(t), args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

const shellSetup = `CREATE TABLE readings (id bigint, site text, ts timestamp, v double precision, ok boolean, raw bytea)
  WITH (partition_by = 'site', sort_by = 'ts');
INSERT INTO readings VALUES
  (1, 'a;b', '2024-01-02 03:04:05', 1.5, true, '\x01ab'),   -- a semicolon in a string
  (2, 'c', '2024-01-02 03:04:06.5', NULL, false, NULL),
  (3, NULL, '2024-01-03 00:00:00', -2, NULL, '\x');
`

func TestE2ESQLCommandsAndFormats(t *testing.T) {
	n := startNode(t)
	out, errOut, code := runShellCLI(t, "", nil, "sql", "--addr", n.grpcAddr, "-c", shellSetup)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "CREATE TABLE\nINSERT 0 3\n", out)

	// The aligned table: NULL empty, numbers right, timestamps in UTC.
	out, errOut, code = runShellCLI(t, "", nil, "sql", "--addr", n.grpcAddr, "-c", "SELECT * FROM readings ORDER BY id")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, ` id | site |          ts           |  v  | ok |  raw
----+------+-----------------------+-----+----+--------
  1 | a;b  | 2024-01-02 03:04:05   | 1.5 | t  | \x01ab
  2 | c    | 2024-01-02 03:04:06.5 |     | f  |
  3 |      | 2024-01-03 00:00:00   |  -2 |    | \x
(3 rows)

`, out)

	out, errOut, code = runShellCLI(t, "", nil, "sql", "--addr", n.grpcAddr, "--format", "csv", "--timing",
		"-c", "SELECT id, site, v FROM readings ORDER BY id; INSERT INTO readings (id) VALUES (4)")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "id,site,v\n1,a;b,1.5\n2,c,\n3,,-2\n", out)
	require.Contains(t, errOut, "INSERT 0 1\n")
	require.Contains(t, errOut, "Time: ")

	out, errOut, code = runShellCLI(t, "", nil, "sql", "--addr", n.grpcAddr, "--format", "json",
		"-c", "SELECT id, site, ts, v, ok, raw FROM readings WHERE id <= 3 ORDER BY id")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, `{"id":1,"site":"a;b","ts":"2024-01-02T03:04:05Z","v":1.5,"ok":true,"raw":"\\x01ab"}
{"id":2,"site":"c","ts":"2024-01-02T03:04:06.5Z","v":null,"ok":false,"raw":null}
{"id":3,"site":null,"ts":"2024-01-03T00:00:00Z","v":-2,"ok":null,"raw":"\\x"}
`, out)

	// Meta-commands work in scripts too; EXPLAIN prints in full.
	out, errOut, code = runShellCLI(t, "", nil, "sql", "--addr", n.grpcAddr,
		"-c", `\d`, "-c", `\d readings`, "-c", "EXPLAIN SELECT count(*) FROM readings WHERE site = 'c'")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, " readings   |")
	require.Contains(t, out, " site        | text")
	require.Contains(t, out, "QUERY PLAN\n")
	require.Contains(t, out, "Scan readings")
	require.NotContains(t, out, "...")
}

func TestE2ESQLFileStdinAndErrors(t *testing.T) {
	n := startNode(t)
	script := filepath.Join(t.TempDir(), "setup.sql")
	require.NoError(t, os.WriteFile(script, []byte(shellSetup+"/* a comment; with a semicolon */\nSELECT count(*) AS n\n  FROM readings"), 0o644))
	out, errOut, code := runShellCLI(t, "", nil, "sql", "--addr", n.grpcAddr, "-f", script)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "CREATE TABLE\nINSERT 0 3\n n\n---\n 3\n(1 row)\n\n", out)

	// SQL on standard input (not a terminal); the first error stops the
	// run with exit status 1 and its SQLSTATE.
	stdin := "INSERT INTO readings (id) VALUES (10);\nSELECT nope FROM readings;\nINSERT INTO readings (id) VALUES (11);\n"
	out, errOut, code = runShellCLI(t, stdin, nil, "sql", "--addr", n.grpcAddr)
	require.Equal(t, 1, code)
	require.Equal(t, "INSERT 0 1\n", out)
	require.Contains(t, errOut, `ERROR: column "nope" does not exist (SQLSTATE 42703)`)
	require.NotContains(t, errOut, "strata:")

	// -f - reads standard input; the INSERT after the error never ran.
	out, errOut, code = runShellCLI(t, "SELECT count(*) FROM readings;", nil, "sql", "--addr", n.grpcAddr, "--format", "csv", "-f", "-")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "count\n4\n", out)

	_, errOut, code = runShellCLI(t, "", nil, "sql", "--addr", n.grpcAddr, "-c", "SELEC 1")
	require.Equal(t, 1, code)
	require.Regexp(t, `^ERROR: .*syntax error.* \(SQLSTATE 42601\)\n$`, errOut)

	_, errOut, code = runShellCLI(t, "", nil, "sql", "--addr", n.grpcAddr, "-c", `\nope`)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, `invalid command \nope`)

	out, errOut, code = runShellCLI(t, "", nil, "sql", "--addr", n.grpcAddr, "-c", `SELECT 1 AS one; \q`, "-c", "SELECT nope")
	require.Equal(t, 0, code, errOut) // \q ends the whole run, as in psql
	require.Equal(t, " one\n-----\n   1\n(1 row)\n\n", out)

	_, errOut, code = runShellCLI(t, "", nil, "sql", "--addr", freeAddr(t), "-c", "SELECT 1")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "ERROR: cannot reach the node at ")
}

// TestE2EDemo runs the demo with a small load and a slow stream: the
// count is positive and grows, the banner's example queries all run, and
// the temporary data directory is gone afterwards.
func TestE2EDemo(t *testing.T) {
	tmp := t.TempDir()
	env := []string{"TMPDIR=" + tmp}
	out, errOut, code := runShellCLI(t, "", env, "demo", "--rows", "20000", "--rate", "2000", "--format", "csv",
		"-c", "SELECT count(*) FROM telemetry")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2, out)
	require.Equal(t, "count", lines[0])
	count, err := strconv.Atoi(lines[1])
	require.NoError(t, err)
	require.GreaterOrEqual(t, count, 20000)

	script := filepath.Join(t.TempDir(), "examples.sql")
	examples := strings.Join(demoExamples(time.Now().Add(-time.Minute)), "\n")
	require.NoError(t, os.WriteFile(script, []byte(examples), 0o644))
	out, errOut, code = runShellCLI(t, "", env, "demo", "--rows", "20000", "--rate", "2000", "-f", script)
	require.Equal(t, 0, code, errOut+out)
	require.Contains(t, out, "(1 row)")
	require.Contains(t, out, "(5 rows)")
	require.Contains(t, out, "QUERY PLAN")
	require.Contains(t, out, "Scan telemetry")

	// Streaming: readings arrive while the shell runs (standard input is
	// a pipe: the second count is asked a second after the first answer).
	cmd := exec.Command(strataBinary(t), "demo", "--rows", "1000", "--rate", "5000", "--format", "csv")
	cmd.Env = append(os.Environ(), env...)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	answers := bufio.NewScanner(stdout)
	var counts []int
	for range 2 {
		io.WriteString(stdin, "SELECT count(*) FROM telemetry;\n")
		require.True(t, answers.Scan() && answers.Text() == "count", "no header")
		require.True(t, answers.Scan(), "no count")
		c, err := strconv.Atoi(answers.Text())
		require.NoError(t, err)
		counts = append(counts, c)
		time.Sleep(time.Second)
	}
	stdin.Close()
	require.NoError(t, cmd.Wait())
	require.Greater(t, counts[1], counts[0], "the stream added no rows in a second")

	left, err := os.ReadDir(tmp)
	require.NoError(t, err)
	require.Empty(t, left, "the demo left its data directory behind")
}
