package sql

import (
	"strings"
	"unicode/utf8"
)

// A small lexer that knows just enough of PostgreSQL's lexical rules
// (strings, quoted identifiers, dollar quotes, nested comments,
// parameters) to split a query string into statements at the semicolons
// that end them, and to give the front parser (front.go) the words of
// Strata's own statements. Everything else is cockroachdb-parser's job.

type tokKind uint8

const (
	tokWord   tokKind = iota + 1 // keyword or unquoted identifier
	tokIdent                     // "quoted identifier"
	tokString                    // any string constant: '...', E'...', $$...$$
	tokNumber                    // 12, 1.5, 1e3
	tokParam                     // $1
	tokPunct                     // any other character
	tokBroken                    // an unterminated string, identifier or comment: the rest of the text
)

// token is one lexical token of a statement.
type token struct {
	kind tokKind
	pos  int    // byte offset of its first byte
	end  int    // byte offset just past it
	text string // as written
}

// name is the identifier a word or quoted identifier stands for: a word
// lower-cased, a quoted identifier as written between its quotes.
func (t token) name() string {
	if t.kind == tokIdent {
		return strings.ReplaceAll(t.text[1:len(t.text)-1], `""`, `"`)
	}
	return strings.ToLower(t.text)
}

// is reports whether t is the keyword kw.
func (t token) is(kw string) bool {
	return t.kind == tokWord && strings.EqualFold(t.text, kw)
}

// isName reports whether t can be an identifier.
func (t token) isName() bool { return t.kind == tokWord || t.kind == tokIdent }

// piece is the text of one statement, from its first token to its last,
// without the semicolon that ends it.
type piece struct {
	start int // byte offset of the first token in the whole text
	text  string
	toks  []token // offsets relative to start
}

// splitStatements cuts text into statements. Pieces without tokens (a
// lone semicolon, a comment) are left out. An unterminated string or
// comment runs to the end of the text, for the parser to report.
func splitStatements(text string) []piece {
	var out []piece
	var toks []token
	flush := func() {
		if len(toks) == 0 {
			return
		}
		start, end := toks[0].pos, toks[len(toks)-1].end
		for i := range toks {
			toks[i].pos -= start
			toks[i].end -= start
		}
		out = append(out, piece{start: start, text: text[start:end], toks: toks})
		toks = nil
	}
	for i := 0; ; {
		tok, ok := scanToken(text, i)
		if !ok {
			flush()
			return out
		}
		i = tok.end
		if tok.kind == tokPunct && tok.text == ";" {
			flush()
			continue
		}
		toks = append(toks, tok)
	}
}

// tokenize scans every token of s (which holds one statement).
func tokenize(s string) []token {
	var toks []token
	for i := 0; ; {
		tok, ok := scanToken(s, i)
		if !ok {
			return toks
		}
		toks = append(toks, tok)
		i = tok.end
	}
}

// scanToken returns the token at or after byte i, skipping white space
// and comments; false at the end of the text.
func scanToken(s string, i int) (token, bool) {
	i, ok := skipSpace(s, i)
	if !ok {
		return token{kind: tokBroken, pos: i, end: len(s), text: s[i:]}, true
	}
	if i >= len(s) {
		return token{}, false
	}
	end, kind := scanAt(s, i)
	return token{kind: kind, pos: i, end: end, text: s[i:end]}, true
}

// skipSpace skips white space and comments; false when a comment is not
// closed (i is then where it starts).
func skipSpace(s string, i int) (int, bool) {
	for i < len(s) {
		switch {
		case isSpaceByte(s[i]):
			i++
		case strings.HasPrefix(s[i:], "--"):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return len(s), true
			}
			i += j + 1
		case strings.HasPrefix(s[i:], "/*"):
			j, ok := skipBlockComment(s, i)
			if !ok {
				return i, false
			}
			i = j
		default:
			return i, true
		}
	}
	return i, true
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// skipBlockComment skips a /* comment */, which nests in PostgreSQL.
func skipBlockComment(s string, i int) (int, bool) {
	depth := 0
	for i < len(s) {
		switch {
		case strings.HasPrefix(s[i:], "/*"):
			depth++
			i += 2
		case strings.HasPrefix(s[i:], "*/"):
			depth--
			i += 2
			if depth == 0 {
				return i, true
			}
		default:
			i++
		}
	}
	return i, false
}

// scanAt scans the token starting at s[i] and returns its end and kind.
func scanAt(s string, i int) (int, tokKind) {
	c := s[i]
	switch {
	case c == '\'':
		return scanQuoted(s, i+1, '\'', false, tokString)
	case c == '"':
		return scanQuoted(s, i+1, '"', false, tokIdent)
	case c == '$':
		return scanDollar(s, i)
	case isDigit(c) || c == '.' && i+1 < len(s) && isDigit(s[i+1]):
		return scanNumber(s, i), tokNumber
	case isIdentStart(s, i):
		j := i
		for j < len(s) && isIdentPart(s, j) {
			_, n := utf8.DecodeRuneInString(s[j:])
			j += n
		}
		// A string with a prefix: E'...', B'...', X'...', N'...'.
		if j == i+1 && j < len(s) && s[j] == '\'' && strings.ContainsRune("eEbBxXnN", rune(c)) {
			return scanQuoted(s, j+1, '\'', c == 'e' || c == 'E', tokString)
		}
		return j, tokWord
	}
	_, n := utf8.DecodeRuneInString(s[i:])
	return i + n, tokPunct
}

// scanQuoted scans to the closing quote q (a doubled quote stands for
// itself; with backslashes, a backslash escapes the next byte).
func scanQuoted(s string, i int, q byte, backslashes bool, kind tokKind) (int, tokKind) {
	for i < len(s) {
		switch {
		case backslashes && s[i] == '\\':
			i += 2
		case s[i] == q && i+1 < len(s) && s[i+1] == q:
			i += 2
		case s[i] == q:
			return i + 1, kind
		default:
			i++
		}
	}
	return len(s), tokBroken
}

// scanDollar scans $1 (a parameter) or a dollar-quoted string $tag$...$tag$.
func scanDollar(s string, i int) (int, tokKind) {
	j := i + 1
	if j < len(s) && isDigit(s[j]) {
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		return j, tokParam
	}
	for j < len(s) && s[j] != '$' && isIdentPart(s, j) {
		_, n := utf8.DecodeRuneInString(s[j:])
		j += n
	}
	if j >= len(s) || s[j] != '$' || (j > i+1 && !isIdentStart(s, i+1)) {
		return i + 1, tokPunct
	}
	tag := s[i : j+1]
	k := strings.Index(s[j+1:], tag)
	if k < 0 {
		return len(s), tokBroken
	}
	return j + 1 + k + len(tag), tokString
}

func scanNumber(s string, i int) int {
	for i < len(s) && (isDigit(s[i]) || s[i] == '.' || s[i] == '_') {
		i++
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			return j
		}
	}
	return i
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isIdentStart(s string, i int) bool {
	c := s[i]
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentPart(s string, i int) bool {
	return isIdentStart(s, i) || isDigit(s[i]) || s[i] == '$'
}

// charPos converts a byte offset in text to PostgreSQL's 1-based
// character position.
func charPos(text string, byteOff int) int {
	byteOff = min(max(byteOff, 0), len(text))
	return utf8.RuneCountInString(text[:byteOff]) + 1
}
