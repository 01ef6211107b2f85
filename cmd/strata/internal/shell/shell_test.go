package shell

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/ergochat/readline"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/stratadb/strata/client"
	stratapb "github.com/stratadb/strata/proto"
)

// fakeNode answers a few statements the way a node does.
type fakeNode struct{ got []string }

func (f *fakeNode) SQL(_ context.Context, text string) (*client.Result, error) {
	f.got = append(f.got, text)
	var words []string
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "--") {
			words = append(words, strings.Fields(line)...)
		}
	}
	switch text = strings.Join(words, " "); text {
	case "SELECT 1", "SHOW TABLES", "DESCRIBE t":
		name := map[string]string{"SELECT 1": "?column?", "SHOW TABLES": "name", "DESCRIBE t": "column_name"}[text]
		return oneColumn(name, text), nil
	case "CREATE TABLE t (a int)":
		return &client.Result{Schema: arrow.NewSchema(nil, nil), Stats: &stratapb.QueryStats{CommandTag: "CREATE TABLE"}}, nil
	case "INSERT INTO t VALUES (1), (2), (3)":
		return &client.Result{Schema: arrow.NewSchema(nil, nil), Stats: &stratapb.QueryStats{CommandTag: "INSERT 0 3"}}, nil
	case "SELECT nope":
		return nil, status.Error(codes.InvalidArgument, `column "nope" does not exist (SQLSTATE 42703)`)
	}
	return nil, status.Error(codes.InvalidArgument, fmt.Sprintf("syntax error at or near %q (SQLSTATE 42601)", text))
}

func oneColumn(name, stmt string) *client.Result {
	schema := arrow.NewSchema([]arrow.Field{{Name: name, Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.Append(1)
	col := b.NewArray()
	defer col.Release()
	return &client.Result{
		Schema:  schema,
		Records: []arrow.RecordBatch{array.NewRecordBatch(schema, []arrow.Array{col}, 1)},
		Stats:   &stratapb.QueryStats{Version: 7, ChunksScanned: 2, ChunksPruned: 1, RowsScanned: 100, Workers: 2, ElapsedUs: 1500, CommandTag: "SELECT 1"},
	}
}

func newTestShell(s Settings) (*Shell, *fakeNode, *bytes.Buffer, *bytes.Buffer) {
	node := &fakeNode{}
	var out, errOut bytes.Buffer
	sh := New(node, &out, &errOut, s)
	sh.since = func(time.Time) time.Duration { return 1234 * time.Microsecond }
	return sh, node, &out, &errOut
}

func TestRunScript(t *testing.T) {
	sh, node, out, errOut := newTestShell(Settings{})
	script := "CREATE TABLE t (a int);\n-- fill it\nINSERT INTO t VALUES (1), (2), (3); SELECT 1;\nSELECT nope; SELECT 1;\nSELECT 1;\n"
	err := sh.RunScript(context.Background(), strings.NewReader(script))
	var failed *Failed
	if !errors.As(err, &failed) || status.Code(failed.Err) != codes.InvalidArgument {
		t.Fatalf("want a *Failed, got %v", err)
	}
	want := []string{"CREATE TABLE t (a int)", "-- fill it\nINSERT INTO t VALUES (1), (2), (3)", "SELECT 1", "SELECT nope"}
	if !slices.Equal(node.got, want) {
		t.Errorf("sent %q\nwant %q (nothing after the failure)", node.got, want)
	}
	if got := out.String(); got != "CREATE TABLE\nINSERT 0 3\n ?column?\n----------\n        1\n(1 row)\n\n" {
		t.Errorf("out:\n%s", got)
	}
	if got := errOut.String(); got != "ERROR: column \"nope\" does not exist (SQLSTATE 42703)\n" {
		t.Errorf("err: %q", got)
	}
}

func TestRunScriptLastStatementWithoutSemicolon(t *testing.T) {
	sh, node, _, _ := newTestShell(Settings{})
	if err := sh.RunScript(context.Background(), strings.NewReader("SELECT 1;\nSELECT\n  1")); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(node.got, []string{"SELECT 1", "SELECT\n  1"}) {
		t.Errorf("sent %q", node.got)
	}
}

func TestMetaCommands(t *testing.T) {
	sh, node, out, errOut := newTestShell(Settings{})
	ctx := context.Background()
	script := `\timing
\stats on
SELECT 1;
\timing off
\stats off
\d
\d t
\x on
SELECT 1;
\x
\pset null '(null)'
\pset format csv
SELECT 1;
\echo done
`
	if err := sh.RunScript(ctx, strings.NewReader(script)); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(node.got, []string{"SELECT 1", "SHOW TABLES", "DESCRIBE t", "SELECT 1", "SELECT 1"}) {
		t.Errorf("sent %q", node.got)
	}
	want := `Timing is on.
Statistics are on.
 ?column?
----------
        1
(1 row)

Time: 1.234 ms
Stats: version 7; 2 chunks scanned, 1 pruned; 100 rows read by 2 workers in 1.500 ms
Timing is off.
Statistics are off.
 name
------
    1
(1 row)

 column_name
-------------
           1
(1 row)

Expanded display is on.
-[ RECORD 1 ]------
?column? | 1

Expanded display is off.
Null display is "(null)".
?column?
1
done
`
	if out.String() != want {
		t.Errorf("out:\n%s\nwant:\n%s", out.String(), want)
	}
	if errOut.String() != "Output format is csv.\n" { // with csv, notices go to the error stream
		t.Errorf("err: %s", errOut.String())
	}
	if sh.Format != FormatCSV || sh.Null != "(null)" || sh.Timing || sh.Expanded {
		t.Errorf("settings %+v", sh.Settings)
	}
}

func TestMetaErrorsAndQuit(t *testing.T) {
	for _, tc := range []struct{ line, err string }{
		{`\nope`, "invalid command \\nope\nTry \\? for help.\n"},
		{`\timing maybe`, "unrecognized value \"maybe\": want on or off\n"},
		{`\pset format xml`, "\\pset: unknown format \"xml\" (want table, csv or json)\n"},
		{`\pset null`, "\\pset: want \"\\pset format table|csv|json\" or \"\\pset null TEXT\"\n"},
		{`\d a b`, "\\d: want at most one table name, got 2 arguments\n"},
		{`\pset null 'open`, "\\pset: unterminated quoted argument 'open\n"},
		{`\i /does/not/exist.sql`, "\\i: open /does/not/exist.sql: no such file or directory\n"},
	} {
		sh, _, _, errOut := newTestShell(Settings{})
		quit, err := sh.Meta(context.Background(), tc.line)
		var failed *Failed
		if quit || !errors.As(err, &failed) || errOut.String() != tc.err {
			t.Errorf("%s: quit %v, err %v, printed %q, want %q", tc.line, quit, err, errOut.String(), tc.err)
		}
	}
	sh, node, _, _ := newTestShell(Settings{})
	if err := sh.RunScript(context.Background(), strings.NewReader("SELECT 1;\n\\q\nSELECT 1;\n")); err != ErrQuit {
		t.Fatalf("RunScript with \\q: %v", err)
	}
	if len(node.got) != 1 {
		t.Errorf(`statements after \q ran: %q`, node.got)
	}
	path := filepath.Join(t.TempDir(), "quit.sql")
	os.WriteFile(path, []byte("SELECT 1;\n\\q\n"), 0o644)
	if quit, err := sh.Meta(context.Background(), `\i `+path); !quit || err != nil {
		t.Errorf(`\i of a file with \q: quit %v, err %v`, quit, err)
	}
}

func TestInclude(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in.sql")
	if err := os.WriteFile(path, []byte("SELECT 1;\nSELECT nope;\nSELECT 1;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sh, node, _, errOut := newTestShell(Settings{})
	sh.split.Feed("SELECT\n") // a statement being typed survives \i
	_, err := sh.Meta(context.Background(), `\i '`+path+`'`)
	var failed *Failed
	if !errors.As(err, &failed) || !slices.Equal(node.got, []string{"SELECT 1", "SELECT nope"}) || !strings.Contains(errOut.String(), "42703") {
		t.Errorf("err %v, sent %q, printed %q", err, node.got, errOut.String())
	}
	if sh.split.Pending() != "SELECT\n" {
		t.Errorf("pending %q", sh.split.Pending())
	}
}

func TestParseMeta(t *testing.T) {
	for _, tc := range []struct {
		line string
		name string
		args []string
	}{
		{`\q`, `\q`, nil},
		{`  \timing   on  `, `\timing`, []string{"on"}},
		{`\pset null '(null)'`, `\pset`, []string{"null", "(null)"}},
		{`\pset null 'it''s a null'`, `\pset`, []string{"null", "it's a null"}},
		{`\pset null ''`, `\pset`, []string{"null", ""}},
		{`\d "My Table"`, `\d`, []string{`"My Table"`}},
		{`\d public."a""b"`, `\d`, []string{`public."a""b"`}},
		{`\echo a  b`, `\echo`, []string{"a", "b"}},
	} {
		name, args, err := ParseMeta(tc.line)
		if err != nil || name != tc.name || !slices.Equal(args, tc.args) {
			t.Errorf("ParseMeta(%q) = %q %q %v, want %q %q", tc.line, name, args, err, tc.name, tc.args)
		}
	}
}

func TestErrorText(t *testing.T) {
	sh, _, _, _ := newTestShell(Settings{})
	sh.Addr = "127.0.0.1:1"
	for _, tc := range []struct {
		err  error
		want string
	}{
		{status.Error(codes.NotFound, `relation "x" does not exist (SQLSTATE 42P01)`), `ERROR: relation "x" does not exist (SQLSTATE 42P01)`},
		{status.Error(codes.InvalidArgument, `(SQLSTATE 42601) syntax error`), `ERROR: syntax error (SQLSTATE 42601)`},
		{status.Error(codes.Internal, "boom"), "ERROR: boom"},
		{status.Error(codes.Unavailable, "connection refused"), "ERROR: cannot reach the node at 127.0.0.1:1: connection refused"},
		{errors.New("client: query answer had no schema"), "ERROR: client: query answer had no schema"},
	} {
		if got := sh.ErrorText(tc.err); got != tc.want {
			t.Errorf("ErrorText(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// TestCSVAndJSONKeepStdoutForRows: with csv and json, tags and timing go
// to the error stream.
func TestCSVAndJSONKeepStdoutForRows(t *testing.T) {
	for _, f := range []Format{FormatCSV, FormatJSON} {
		sh, _, out, errOut := newTestShell(Settings{Format: f, Timing: true})
		if err := sh.RunScript(context.Background(), strings.NewReader("CREATE TABLE t (a int); SELECT 1;")); err != nil {
			t.Fatal(err)
		}
		wantOut := map[Format]string{FormatCSV: "?column?\n1\n", FormatJSON: "{\"?column?\":1}\n"}[f]
		if out.String() != wantOut || errOut.String() != "CREATE TABLE\nTime: 1.234 ms\nTime: 1.234 ms\n" {
			t.Errorf("%s: out %q, err %q", f, out.String(), errOut.String())
		}
	}
	sh, _, out, _ := newTestShell(Settings{Quiet: true})
	sh.RunScript(context.Background(), strings.NewReader("CREATE TABLE t (a int);"))
	if out.Len() != 0 {
		t.Errorf("quiet printed %q", out.String())
	}
}

// lines is a LineReader playing a terminal session.
type lines struct {
	input   []any // string or error
	prompts []string
	history []string
}

func (l *lines) SetPrompt(p string) { l.prompts = append(l.prompts, p) }

func (l *lines) SaveToHistory(e string) error { l.history = append(l.history, e); return nil }

func (l *lines) Readline() (string, error) {
	if len(l.input) == 0 {
		return "", io.EOF
	}
	next := l.input[0]
	l.input = l.input[1:]
	if err, ok := next.(error); ok {
		return "", err
	}
	return next.(string), nil
}

func TestInteractive(t *testing.T) {
	sh, node, out, errOut := newTestShell(Settings{})
	term := &lines{input: []any{
		"SELECT",
		"  1;",
		"SELECT 'abc", // then Ctrl-C drops it
		readline.ErrInterrupt,
		`\timing on`,
		"SELECT nope;", // an error does not end the session
		"",
		"SELECT 1; SELECT",
		"1;",
		`\q`,
		"SELECT 1;",
	}}
	if err := sh.Interactive(context.Background(), term); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(node.got, []string{"SELECT\n  1", "SELECT nope", "SELECT 1", "SELECT\n1"}) {
		t.Errorf("sent %q", node.got)
	}
	wantPrompts := []string{"strata=> ", "strata-> ", "strata=> ", "strata'> ", "strata=> ", "strata=> ", "strata=> ", "strata=> ", "strata-> ", "strata=> "}
	if !slices.Equal(term.prompts, wantPrompts) {
		t.Errorf("prompts %q\nwant    %q", term.prompts, wantPrompts)
	}
	wantHistory := []string{"SELECT   1;", `\timing on`, "SELECT nope;", "SELECT 1; SELECT 1;", `\q`}
	if !slices.Equal(term.history, wantHistory) {
		t.Errorf("history %q\nwant    %q", term.history, wantHistory)
	}
	if !strings.Contains(errOut.String(), "ERROR: column \"nope\" does not exist (SQLSTATE 42703)") {
		t.Errorf("err: %s", errOut.String())
	}
	if strings.Count(out.String(), "Time: 1.234 ms") != 2 {
		t.Errorf("out: %s", out.String())
	}
}

func TestInteractiveEOF(t *testing.T) {
	sh, _, out, _ := newTestShell(Settings{})
	if err := sh.Interactive(context.Background(), &lines{}); err != nil {
		t.Fatal(err)
	}
	if out.String() != "\\q\n" {
		t.Errorf("out %q", out.String())
	}
}

func TestHistoryFile(t *testing.T) {
	t.Setenv("STRATA_HISTORY", "/tmp/h")
	if HistoryFile() != "/tmp/h" {
		t.Error(HistoryFile())
	}
	t.Setenv("STRATA_HISTORY", "")
	t.Setenv("HOME", "/home/x")
	if HistoryFile() != "/home/x/.strata_history" {
		t.Error(HistoryFile())
	}
}
