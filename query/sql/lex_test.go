package sql

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stratadb/strata/query"
	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

func TestSplitStatements(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"", nil},
		{" ; ;; -- x\n /* y */", nil},
		{"SELECT 1; SELECT 2", []string{"SELECT 1", "SELECT 2"}},
		{"SELECT ';' ; SELECT \"a;b\"", []string{"SELECT ';'", `SELECT "a;b"`}},
		{"SELECT $$;$$, $t$ $$; $t$; SELECT $1", []string{"SELECT $$;$$, $t$ $$; $t$", "SELECT $1"}},
		{"SELECT E'\\';' ; x", []string{"SELECT E'\\';'", "x"}},
		{"SELECT 1 /* a /* nested; */ comment; */ + 1", []string{"SELECT 1 /* a /* nested; */ comment; */ + 1"}},
		{"SELECT 'open; SELECT 2", []string{"SELECT 'open; SELECT 2"}},
		{"SELECT 1 -- trailing; comment\n;SELECT 2", []string{"SELECT 1", "SELECT 2"}},
		{"SELECT a$b, x'0a'; y", []string{"SELECT a$b, x'0a'", "y"}},
	}
	for _, c := range cases {
		var got []string
		for _, p := range splitStatements(c.text) {
			got = append(got, p.text)
			if c.text[p.start:p.start+len(p.text)] != p.text {
				t.Errorf("%q: piece %q at %d does not match the text", c.text, p.text, p.start)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("split(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestRewriteAsOfPositions(t *testing.T) {
	pc := splitStatements("SELECT * FROM t AS OF VERSION 3 WHERE x AS OF VERSION 4 ORDER BY zz")[0]
	rw := rewriteAsOf(pc)
	want := "SELECT * FROM t AS OF SYSTEM TIME 3 WHERE x AS OF SYSTEM TIME 4 ORDER BY zz"
	if rw.text != want {
		t.Fatalf("rewritten to %q", rw.text)
	}
	for _, word := range []string{"SELECT", "WHERE", "ORDER", "zz", "3", "4"} {
		newPos := indexOf(rw.text, word)
		if got, orig := rw.orig(newPos), indexOf(pc.text, word); got != orig {
			t.Errorf("%s at %d maps to %d, want %d", word, newPos, got, orig)
		}
	}
	if got := rw.orig(indexOf(rw.text, "TIME 3")); got != indexOf(pc.text, "VERSION 3") {
		t.Errorf("inside the rewrite maps to %d", got)
	}
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestSQLState(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{nil, "00000"},
		{&Error{Code: "42P18"}, "42P18"},
		{fmt.Errorf("wrapped: %w", &Error{Code: "0A000"}), "0A000"},
		{fmt.Errorf("x: %w", storage.ErrNoTable), "42P01"},
		{storage.ErrTableExists, "42P07"},
		{storage.ErrFutureVersion, "22023"},
		{storage.ErrSchemaMismatch, "42804"},
		{storage.ErrInvalidSchema, "42P16"},
		{plan.ErrUnknownColumn, "42703"},
		{plan.ErrTypeMismatch, "42804"},
		{plan.ErrBadValue, "22P02"},
		{plan.ErrOutOfRange, "22003"},
		{query.ErrOverflow, "22003"},
		{query.ErrDivisionByZero, "22012"},
		{query.ErrMemoryLimit, "53200"},
		{context.Canceled, "57014"},
		{fmt.Errorf("run: %w", context.DeadlineExceeded), "57014"},
		{errors.New("something else"), "XX000"},
	}
	for _, c := range cases {
		if got := SQLState(c.err); got != c.want {
			t.Errorf("SQLState(%v) = %s, want %s", c.err, got, c.want)
		}
	}
}
