package shell

import "strings"

// Splitter cuts SQL text into statements at the semicolons that end them,
// the way psql does: a semicolon inside a string ('...', E'...'), a quoted
// identifier ("..."), a dollar-quoted string ($$...$$, $tag$...$tag$), a
// comment (-- to the end of the line, /* ... */, which nest) or
// parentheses does not end a statement. Text is fed in pieces (lines, as
// a terminal gives them) and the scan resumes where it stopped, so a long
// script costs one pass.
//
// A statement that holds nothing but comments and space is dropped (a
// lone ";" too). The statements returned keep their text as typed,
// without the terminating semicolon and surrounding space.
type Splitter struct {
	buf   []byte // the pending statement's text, from its start
	pos   int    // buf[:pos] is scanned
	state lexState
	depth int    // open parentheses
	nest  int    // open block comments
	tag   string // the open dollar quote's delimiter, "$tag$"
	code  bool   // the pending statement holds more than comments and space
	// In FeedLine: a backslash in code starts a meta-command; metaAt is
	// where it was found (found: metaAt >= 0).
	lineMode bool
	metaAt   int
}

type lexState uint8

const (
	lexNormal lexState = iota
	lexString          // '...'
	lexEscape          // E'...' (backslash escapes)
	lexIdent           // "..."
	lexDollar          // $tag$...$tag$
	lexLine            // -- to the end of the line
	lexBlock           // /* ... */
)

// Feed adds text and returns the statements it completes.
func (s *Splitter) Feed(text string) []string {
	s.buf = append(s.buf, text...)
	return s.scan(false)
}

// FeedLine feeds one line of input (without its newline) in which, as in
// psql, a backslash outside quotes and comments starts a meta-command
// running to the end of the line: it returns the statements completed
// before it and the meta-command ("" if none). Text before the backslash
// that ends no statement stays pending.
func (s *Splitter) FeedLine(line string) (stmts []string, meta string) {
	s.lineMode, s.metaAt = true, -1
	defer func() { s.lineMode = false }()
	stmts = s.Feed(line + "\n")
	if s.metaAt >= 0 {
		meta = strings.TrimSpace(string(s.buf[s.metaAt:]))
		s.buf = s.buf[:s.metaAt]
		s.pos = len(s.buf)
	}
	return stmts, meta
}

// Finish ends the input: it returns the statements still pending (the
// last one may lack its semicolon, or sit in an unterminated string, as
// psql sends it at the end of a file) and resets the splitter.
func (s *Splitter) Finish() []string {
	stmts := s.scan(true)
	if s.code {
		stmts = append(stmts, strings.TrimSpace(string(s.buf)))
	}
	s.Reset()
	return stmts
}

// Reset drops the pending statement.
func (s *Splitter) Reset() { *s = Splitter{buf: s.buf[:0], lineMode: s.lineMode, metaAt: -1} }

// Pending is the text fed since the last complete statement.
func (s *Splitter) Pending() string { return string(s.buf) }

// Empty reports whether nothing but space is pending.
func (s *Splitter) Empty() bool {
	return s.state == lexNormal && strings.TrimSpace(string(s.buf)) == ""
}

// InCode reports whether the scan is outside strings and comments, where
// a backslash starts a meta-command.
func (s *Splitter) InCode() bool { return s.state == lexNormal }

// PromptChar is psql's continuation prompt character for the pending
// text: '=' when nothing is pending, '-' inside a statement, '\” or '"'
// or '$' inside a quote, '*' inside a block comment, '(' inside
// parentheses.
func (s *Splitter) PromptChar() byte {
	switch s.state {
	case lexString, lexEscape:
		return '\''
	case lexIdent:
		return '"'
	case lexDollar:
		return '$'
	case lexBlock:
		return '*'
	}
	switch {
	case s.Empty():
		return '='
	case s.depth > 0:
		return '('
	}
	return '-'
}

// scan advances over buf. Without final it stops before a character
// whose meaning depends on one not fed yet.
func (s *Splitter) scan(final bool) []string {
	var stmts []string
	for s.pos < len(s.buf) {
		n, end := s.step(final)
		if n == 0 {
			break
		}
		s.pos += n
		if end {
			stmt := strings.TrimSpace(string(s.buf[:s.pos-1]))
			if s.code {
				stmts = append(stmts, stmt)
			}
			rest := s.buf[s.pos:]
			s.buf = append(s.buf[:0], rest...)
			s.pos, s.code, s.depth = 0, false, 0
		}
	}
	return stmts
}

// step consumes the token at pos: how many bytes (0: wait for more
// input), and whether it was a statement's terminating semicolon.
func (s *Splitter) step(final bool) (int, bool) {
	switch s.state {
	case lexNormal:
		return s.stepNormal(final)
	case lexString, lexIdent, lexEscape:
		return s.stepQuoted(final), false
	case lexDollar:
		return s.stepDollar(final), false
	case lexLine:
		if s.buf[s.pos] == '\n' {
			s.state = lexNormal
		}
		return 1, false
	}
	return s.stepBlock(final), false
}

// peek is the byte after pos+k, and whether it is known: known is false
// only when more input may come.
func (s *Splitter) peek(k int, final bool) (byte, bool) {
	if i := s.pos + k; i < len(s.buf) {
		return s.buf[i], true
	}
	return 0, final
}

func (s *Splitter) stepNormal(final bool) (int, bool) {
	c := s.buf[s.pos]
	switch c {
	case ';':
		if s.depth == 0 {
			return 1, true
		}
	case ' ', '\t', '\n', '\r', '\f':
		return 1, false
	case '\\':
		if s.lineMode {
			s.metaAt = s.pos
			return 0, false // stop: the rest of the line is a meta-command
		}
	case '\'':
		s.state = lexString
		if s.pos > 0 && (s.buf[s.pos-1] == 'E' || s.buf[s.pos-1] == 'e') && (s.pos < 2 || !identByte(s.buf[s.pos-2])) {
			s.state = lexEscape
		}
	case '"':
		s.state = lexIdent
	case '(':
		s.depth++
	case ')':
		s.depth = max(0, s.depth-1)
	case '-', '/':
		next, ok := s.peek(1, final)
		if !ok {
			return 0, false
		}
		if c == '-' && next == '-' {
			s.state = lexLine
			return 2, false
		}
		if c == '/' && next == '*' {
			s.state, s.nest = lexBlock, 1
			return 2, false
		}
	case '$':
		return s.startDollar(final), false
	}
	s.code = true
	return 1, false
}

// startDollar opens a dollar quote at pos if one starts there ($$ or
// $tag$ not preceded by an identifier character; $1 is a parameter).
func (s *Splitter) startDollar(final bool) int {
	s.code = true
	if s.pos > 0 && identByte(s.buf[s.pos-1]) {
		return 1 // inside an identifier such as a$b
	}
	for i := s.pos + 1; ; i++ {
		if i == len(s.buf) {
			if final {
				return 1
			}
			return 0
		}
		c := s.buf[i]
		if c == '$' {
			s.tag = string(s.buf[s.pos : i+1])
			s.state = lexDollar
			return i + 1 - s.pos
		}
		if !identByte(c) || (i == s.pos+1 && c >= '0' && c <= '9') {
			return 1
		}
	}
}

func (s *Splitter) stepQuoted(final bool) int {
	c := s.buf[s.pos]
	quote := byte('\'')
	if s.state == lexIdent {
		quote = '"'
	}
	if c == '\\' && s.state == lexEscape {
		if _, ok := s.peek(1, final); !ok {
			return 0
		}
		return 2
	}
	if c != quote {
		return 1
	}
	next, ok := s.peek(1, final)
	if !ok {
		return 0
	}
	if next == quote && s.pos+1 < len(s.buf) {
		return 2 // a doubled quote stands for itself
	}
	s.state = lexNormal
	return 1
}

func (s *Splitter) stepDollar(final bool) int {
	if s.buf[s.pos] != '$' {
		return 1
	}
	rest := s.buf[s.pos:]
	if len(rest) < len(s.tag) && !final && strings.HasPrefix(s.tag, string(rest)) {
		return 0
	}
	if strings.HasPrefix(string(rest), s.tag) {
		s.state = lexNormal
		return len(s.tag)
	}
	return 1
}

func (s *Splitter) stepBlock(final bool) int {
	c := s.buf[s.pos]
	if c != '/' && c != '*' {
		return 1
	}
	next, ok := s.peek(1, final)
	if !ok {
		return 0
	}
	switch {
	case c == '/' && next == '*':
		s.nest++
		return 2
	case c == '*' && next == '/':
		s.nest--
		if s.nest == 0 {
			s.state = lexNormal
		}
		return 2
	}
	return 1
}

// identByte reports whether c may continue an identifier (bytes of
// multi-byte UTF-8 characters included, as in PostgreSQL).
func identByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// Split cuts a whole text into statements (see Splitter).
func Split(text string) []string {
	var s Splitter
	return append(s.Feed(text), s.Finish()...)
}
