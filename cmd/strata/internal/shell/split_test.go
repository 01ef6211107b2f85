package shell

import (
	"slices"
	"strings"
	"testing"
)

var splitCases = []struct {
	name string
	in   string
	want []string
}{
	{"one", "SELECT 1;", []string{"SELECT 1"}},
	{"two on a line", "SELECT 1; SELECT 2;", []string{"SELECT 1", "SELECT 2"}},
	{"last without semicolon", "SELECT 1;\nSELECT 2", []string{"SELECT 1", "SELECT 2"}},
	{"multi-line", "SELECT a,\n  b\nFROM t\nWHERE x = 1;\n", []string{"SELECT a,\n  b\nFROM t\nWHERE x = 1"}},
	{"empty statements dropped", ";;  ;\n;", nil},
	{"comments only dropped", "-- nothing\n/* at all */;", nil},
	{"semicolon in a string", "SELECT 'a;b'; SELECT 2;", []string{"SELECT 'a;b'", "SELECT 2"}},
	{"doubled quote", "SELECT 'it''s; fine';", []string{"SELECT 'it''s; fine'"}},
	{"E string backslash quote", `SELECT E'it\'s; fine', 'x';`, []string{`SELECT E'it\'s; fine', 'x'`}},
	{"plain string backslash", `SELECT 'a\'; SELECT 2;`, []string{`SELECT 'a\'`, "SELECT 2"}},
	{"identifier ending in e", `SELECT some'x;y';`, []string{`SELECT some'x;y'`}},
	{"quoted identifier", `SELECT "a;""b" FROM t;`, []string{`SELECT "a;""b" FROM t`}},
	{"line comment", "SELECT 1 -- a; comment\n, 2;", []string{"SELECT 1 -- a; comment\n, 2"}},
	{"line comment keeps leading", "-- first\nSELECT 1;", []string{"-- first\nSELECT 1"}},
	{"block comment", "SELECT /* ; */ 1;", []string{"SELECT /* ; */ 1"}},
	{"nested block comment", "SELECT /* a /* ; */ still; */ 1;", []string{"SELECT /* a /* ; */ still; */ 1"}},
	{"minus and divide", "SELECT 4 - 2 / 1;", []string{"SELECT 4 - 2 / 1"}},
	{"dollar quote", "SELECT $$a;'b$$; SELECT 2;", []string{"SELECT $$a;'b$$", "SELECT 2"}},
	{"tagged dollar quote", "SELECT $fn$ $$; $fn$;", []string{"SELECT $fn$ $$; $fn$"}},
	{"parameter is not a quote", "SELECT $1; SELECT $2;", []string{"SELECT $1", "SELECT $2"}},
	{"dollar inside identifier", "SELECT a$b$ ; SELECT 2;", []string{"SELECT a$b$", "SELECT 2"}},
	{"parentheses", "SELECT (1; 2); SELECT 3;", []string{"SELECT (1; 2)", "SELECT 3"}},
	{"unbalanced close paren", "SELECT 1); SELECT 2;", []string{"SELECT 1)", "SELECT 2"}},
	{"unterminated string sent at the end", "SELECT 'abc;", []string{"SELECT 'abc;"}},
	{"trailing comment", "SELECT 1; -- done", []string{"SELECT 1"}},
	{"utf8", "SELECT 'héllo; wörld', ünï;", []string{"SELECT 'héllo; wörld', ünï"}},
}

func TestSplit(t *testing.T) {
	for _, tc := range splitCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Split(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("Split(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestSplitFedInPieces feeds every case a byte at a time and a line at a
// time: the statements must not depend on how the text arrives.
func TestSplitFedInPieces(t *testing.T) {
	for _, tc := range splitCases {
		for _, pieces := range [][]string{bytesOf(tc.in), linesOf(tc.in)} {
			var s Splitter
			var got []string
			for _, p := range pieces {
				got = append(got, s.Feed(p)...)
			}
			got = append(got, s.Finish()...)
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s in %d pieces\n got %q\nwant %q", tc.name, len(pieces), got, tc.want)
			}
		}
	}
}

func bytesOf(s string) []string {
	out := make([]string, len(s))
	for i := 0; i < len(s); i++ {
		out[i] = s[i : i+1]
	}
	return out
}

func linesOf(s string) []string { return strings.SplitAfter(s, "\n") }

func TestSplitterPromptChar(t *testing.T) {
	for _, tc := range []struct {
		fed  string
		want byte
	}{
		{"", '='},
		{"  \n", '='},
		{"SELECT 1;\n", '='},
		{"SELECT\n", '-'},
		{"SELECT 'abc\n", '\''},
		{"SELECT E'abc\n", '\''},
		{"SELECT \"ab\n", '"'},
		{"SELECT $$ab\n", '$'},
		{"SELECT /* ab\n", '*'},
		{"SELECT (1,\n", '('},
		{"-- just a comment\n", '-'},
	} {
		var s Splitter
		s.Feed(tc.fed)
		if got := s.PromptChar(); got != tc.want {
			t.Errorf("after %q: prompt char %q, want %q", tc.fed, got, tc.want)
		}
	}
}

func TestSplitterPendingAndReset(t *testing.T) {
	var s Splitter
	if got := s.Feed("SELECT 1; SELECT\n"); !slices.Equal(got, []string{"SELECT 1"}) {
		t.Fatalf("got %q", got)
	}
	if s.Pending() != " SELECT\n" || s.Empty() || !s.InCode() {
		t.Fatalf("pending %q empty %v", s.Pending(), s.Empty())
	}
	s.Feed("'open\n")
	if s.InCode() {
		t.Fatal("inside a string, InCode is true")
	}
	s.Reset()
	if !s.Empty() || !s.InCode() || s.PromptChar() != '=' {
		t.Fatalf("after Reset: pending %q", s.Pending())
	}
	if got := Split("SELECT 2;"); !slices.Equal(got, []string{"SELECT 2"}) {
		t.Fatalf("got %q", got)
	}
}

func FuzzSplitPieces(f *testing.F) {
	for _, tc := range splitCases {
		f.Add(tc.in, uint8(3))
	}
	f.Fuzz(func(t *testing.T, text string, step uint8) {
		n := int(step%7) + 1
		var s Splitter
		var got []string
		for i := 0; i < len(text); i += n {
			got = append(got, s.Feed(text[i:min(i+n, len(text))])...)
		}
		got = append(got, s.Finish()...)
		if want := Split(text); !slices.Equal(got, want) {
			t.Fatalf("in pieces of %d: %q, whole: %q", n, got, want)
		}
	})
}

func TestSplitterFeedLine(t *testing.T) {
	for _, tc := range []struct {
		line    string
		stmts   []string
		meta    string
		pending string
	}{
		{`\timing on`, nil, `\timing on`, ""},
		{`  \q  `, nil, `\q`, "  "},
		{`SELECT 1; \q`, []string{"SELECT 1"}, `\q`, " "},
		{`SELECT 1; SELECT 2 \x`, []string{"SELECT 1"}, `\x`, " SELECT 2 "},
		{`SELECT 'a\b'; SELECT E'\\'; \echo x`, []string{`SELECT 'a\b'`, `SELECT E'\\'`}, `\echo x`, " "},
		{`SELECT "x\y" -- \q`, nil, "", `SELECT "x\y" -- \q` + "\n"},
		{`SELECT /* \q */ 1;`, []string{`SELECT /* \q */ 1`}, "", "\n"},
	} {
		var s Splitter
		stmts, meta := s.FeedLine(tc.line)
		if !slices.Equal(stmts, tc.stmts) || meta != tc.meta || s.Pending() != tc.pending {
			t.Errorf("FeedLine(%q) = %q, %q, pending %q; want %q, %q, pending %q", tc.line, stmts, meta, s.Pending(), tc.stmts, tc.meta, tc.pending)
		}
	}
	// Feed (whole scripts) does not treat a backslash as a meta-command.
	if got := Split(`SELECT 1 \ 2;`); !slices.Equal(got, []string{`SELECT 1 \ 2`}) {
		t.Errorf("Split: %q", got)
	}
	// A meta-command inside a pending statement leaves the statement be.
	var s Splitter
	s.FeedLine("SELECT")
	if _, meta := s.FeedLine(`\timing`); meta != `\timing` || s.Pending() != "SELECT\n" {
		t.Errorf("meta %q, pending %q", meta, s.Pending())
	}
	if stmts, _ := s.FeedLine("1;"); !slices.Equal(stmts, []string{"SELECT\n1"}) {
		t.Errorf("got %q", stmts)
	}
}
