package exec

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLikeMatch(t *testing.T) {
	cases := []struct {
		s, p string
		fold bool
		want bool
	}{
		{"abc", "a%", false, true}, {"abc", "%c", false, true}, {"abc", "%b%", false, true},
		{"abc", "a_c", false, true}, {"abc", "abc", false, true}, {"abc", "ab", false, false},
		{"héllo", "h_llo", false, true}, {"héllo", "h__llo", false, false},
		{"a_b", `a\_b`, false, true}, {"axb", `a\_b`, false, false},
		{"100%", `%0\%`, false, true}, {"1000", `%0\%`, false, false},
		{"", "", false, true}, {"", "%", false, true}, {"", "_", false, false}, {"a", "", false, false},
		{"abcabc", "%a%c", false, true}, {"ab", "%a%b%", false, true}, {"aXbXc", "a%b%c", false, true},
		{"acb", "a%b%c", false, false}, {"abc", "a%b%bc", false, false},
		{"mississippi", "m%iss%ppi", false, true}, {"mississippi", "%s_i%", false, true},
		{"mississippi", "%s_x%", false, false}, {"ab", "a%%%b", false, true},
		{"ÉCOLE", "é%", true, true}, {"École", "%COLE", true, true}, {"Ab", "aB", true, true}, {"Ab", "aB", false, false},
		{`a\b`, `a\\b`, false, true}, {"a%", `a\%`, false, true}, {"ab", `a\%`, false, false},
	}
	for _, c := range cases {
		m, err := compileLike(c.p, c.fold)
		if err != nil {
			t.Fatalf("%q: %v", c.p, err)
		}
		if got := m.match(c.s); got != c.want {
			t.Errorf("%q LIKE %q (fold %v) = %v, want %v", c.s, c.p, c.fold, got, c.want)
		}
	}
	if _, err := compileLike(`ab\`, false); err == nil {
		t.Error("a pattern ending in an escape compiled")
	}
}

// likeByRegexp is an independent LIKE: the pattern as a regular expression.
func likeByRegexp(s, p string) (bool, bool) {
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	rs := []rune(p)
	for i := 0; i < len(rs); i++ {
		switch rs[i] {
		case '\\':
			if i+1 == len(rs) {
				return false, false
			}
			i++
			b.WriteString(regexp.QuoteMeta(string(rs[i])))
		case '%':
			b.WriteString(`.*`)
		case '_':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(rs[i])))
		}
	}
	b.WriteString(`\z`)
	return regexp.MustCompile(b.String()).MatchString(s), true
}

// FuzzLike checks the matcher (all its fast paths) against regexp.
func FuzzLike(f *testing.F) {
	for _, seed := range [][2]string{{"abc", "a%"}, {"héllo", "h_l%"}, {"mississippi", "%s_i%p_"}, {"a_b", `a\_%`}, {"", "%%"}, {"xyz", "%y%"}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, s, p string) {
		if !utf8.ValidString(s) || !utf8.ValidString(p) {
			return
		}
		want, ok := likeByRegexp(s, p)
		m, err := compileLike(p, false)
		if ok != (err == nil) {
			t.Fatalf("pattern %q: compile error %v, regexp ok %v", p, err, ok)
		}
		if ok && m.match(s) != want {
			t.Fatalf("%q LIKE %q = %v, regexp says %v", s, p, m.match(s), want)
		}
	})
}
