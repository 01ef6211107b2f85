package exec

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// likeKind is the shape of a compiled LIKE pattern. Patterns of literal
// text and % only are matched with string searches; _ needs the general
// matcher.
type likeKind uint8

const (
	likeExact    likeKind = iota // no wildcard
	likePrefix                   // abc%
	likeSuffix                   // %abc
	likeContains                 // %abc%
	likePieces                   // a%b%c: anchored ends, pieces in order between
	likeGeneral                  // has _
)

// likeTok is a token of a general pattern.
type likeTok struct {
	kind byte   // 'l' literal text, '_' one character, '%' any run
	lit  string // for 'l'
}

// likeMatcher is a compiled LIKE pattern.
type likeMatcher struct {
	kind   likeKind
	pieces []string // literal text between the %s (kinds other than general)
	toks   []likeTok
	fold   bool // ILIKE: compare lower-cased text
}

// compileLike parses a pattern: % any run, _ one character, a backslash
// makes the next character literal. For ILIKE the pattern is lower-cased
// and so is every value matched.
func compileLike(pattern string, fold bool) (*likeMatcher, error) {
	if fold {
		pattern = strings.ToLower(pattern)
	}
	m := &likeMatcher{fold: fold}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			m.toks = append(m.toks, likeTok{kind: 'l', lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; c {
		case '\\':
			if i+1 == len(pattern) {
				return nil, fmt.Errorf("%w: LIKE pattern must not end with escape character: %q", plan.ErrBadValue, pattern)
			}
			i++
			lit.WriteByte(pattern[i]) // continuation bytes follow as literals
		case '%', '_':
			flush()
			if c == '_' || len(m.toks) == 0 || m.toks[len(m.toks)-1].kind != '%' {
				m.toks = append(m.toks, likeTok{kind: c})
			}
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	m.classify()
	return m, nil
}

// classify picks the fastest matcher for the tokens.
func (m *likeMatcher) classify() {
	pieces := []string{""}
	for _, t := range m.toks {
		switch t.kind {
		case '_':
			m.kind = likeGeneral
			return
		case '%':
			pieces = append(pieces, "")
		default:
			pieces[len(pieces)-1] = t.lit
		}
	}
	m.pieces = pieces
	switch {
	case len(pieces) == 1:
		m.kind = likeExact
	case len(pieces) == 2 && pieces[1] == "":
		m.kind = likePrefix
	case len(pieces) == 2 && pieces[0] == "":
		m.kind = likeSuffix
	case len(pieces) == 3 && pieces[0] == "" && pieces[2] == "":
		m.kind = likeContains
	default:
		m.kind = likePieces
	}
}

func (m *likeMatcher) match(s string) bool {
	if m.fold {
		s = strings.ToLower(s)
	}
	switch m.kind {
	case likeExact:
		return s == m.pieces[0]
	case likePrefix:
		return strings.HasPrefix(s, m.pieces[0])
	case likeSuffix:
		return strings.HasSuffix(s, m.pieces[1])
	case likeContains:
		return strings.Contains(s, m.pieces[1])
	case likePieces:
		return matchPieces(m.pieces, s)
	}
	return matchGeneral(m.toks, s)
}

// matchPieces matches p0%p1%...%pn: s starts with p0, ends with pn, and
// holds the middle pieces in order in between; taking each at its leftmost
// occurrence is optimal.
func matchPieces(pieces []string, s string) bool {
	first, last := pieces[0], pieces[len(pieces)-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	mid := s[len(first) : len(s)-len(last)]
	for _, p := range pieces[1 : len(pieces)-1] {
		i := strings.Index(mid, p)
		if i < 0 {
			return false
		}
		mid = mid[i+len(p):]
	}
	return true
}

// matchGeneral is the greedy wildcard match with backtracking to the last
// %: O(len(s)·len(toks)) at worst. _ consumes one UTF-8 character (an
// invalid byte counts as one).
func matchGeneral(toks []likeTok, s string) bool {
	ti, si := 0, 0
	starT, starS := -1, 0
	for si < len(s) || ti < len(toks) {
		if ti < len(toks) {
			switch t := toks[ti]; t.kind {
			case '%':
				starT, starS = ti, si
				ti++
				continue
			case '_':
				if si < len(s) {
					_, w := utf8.DecodeRuneInString(s[si:])
					si += w
					ti++
					continue
				}
			default:
				if strings.HasPrefix(s[si:], t.lit) {
					si += len(t.lit)
					ti++
					continue
				}
			}
		}
		if starT < 0 || starS >= len(s) {
			return false
		}
		_, w := utf8.DecodeRuneInString(s[starS:])
		starS += w
		si, ti = starS, starT+1
	}
	return true
}

func compileLikeExpr(e plan.Like, in plan.Schema) (expr, error) {
	x, err := compileExpr(e.X, in)
	if err != nil {
		return expr{}, err
	}
	p, err := compileExpr(e.Pattern, in)
	if err != nil {
		return expr{}, err
	}
	x, p = castTo(x, storage.TypeString), castTo(p, storage.TypeString)
	fold, not := e.CaseInsensitive, e.Not
	return expr{storage.TypeBool, binary(x.eval, p.eval, func(a, b *vector) (*vector, error) {
		return likeKernel(a, b, fold, not)
	})}, nil
}

// likeKernel matches x against p. A constant pattern is compiled once per
// batch, and a dictionary-encoded x is matched once per dictionary entry
// its rows use. NULL on either side is NULL.
func likeKernel(x, p *vector, fold, not bool) (*vector, error) {
	n, cnst := resultShape(x, p)
	out := &vector{typ: storage.TypeBool, n: max(x.n, p.n), cnst: cnst, nulls: mergeNulls(x, p, n, cnst), bools: make([]bool, n)}
	if x.typ == storage.TypeInvalid || p.typ == storage.TypeInvalid || allNull(out.nulls) {
		return out, nil
	}
	if !p.cnst {
		return out, likeRows(out, x, p, fold, not)
	}
	m, err := compileLike(p.strs[0], fold)
	if err != nil {
		return nil, err
	}
	if x.codes != nil && !x.cnst {
		likeCodes(out, x, m, not)
		return out, nil
	}
	for k := range out.bools {
		if out.nulls == nil || !out.nulls[k] {
			out.bools[k] = m.match(x.strs[x.at(k)]) != not
		}
	}
	return out, nil
}

func allNull(nulls []bool) bool {
	if nulls == nil {
		return false
	}
	for _, n := range nulls {
		if !n {
			return false
		}
	}
	return true
}

// likeCodes matches each dictionary entry a non-null row uses, once.
func likeCodes(out, x *vector, m *likeMatcher, not bool) {
	const unknown, no, yes = 0, 1, 2
	hit := make([]uint8, len(x.dict))
	for k, c := range x.codes {
		if out.nulls != nil && out.nulls[k] {
			continue
		}
		if hit[c] == unknown {
			hit[c] = no
			if m.match(x.dict[c]) {
				hit[c] = yes
			}
		}
		out.bools[k] = (hit[c] == yes) != not
	}
}

// likeRows handles a pattern that varies by row, compiling each distinct
// consecutive pattern once.
func likeRows(out, x, p *vector, fold, not bool) error {
	var m *likeMatcher
	last := ""
	for k := range out.bools {
		if out.nulls != nil && out.nulls[k] {
			continue
		}
		pat := p.strs[p.at(k)]
		if m == nil || pat != last {
			var err error
			if m, err = compileLike(pat, fold); err != nil {
				return err
			}
			last = pat
		}
		out.bools[k] = m.match(x.strs[x.at(k)]) != not
	}
	return nil
}
