package main

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	stratapb "github.com/stratadb/strata/proto"
)

// The --where grammar (keywords in any case):
//
//	where := cond { AND cond }
//	cond  := column op literal | literal op column
//	       | column IS [NOT] NULL
//	op    := = | != | <> | < | <= | > | >=
//	literal := number | 'string' ('' is a quote) | TRUE | FALSE
//	column  := name | "quoted name"
//
// A string literal compared with a timestamp, date or number column is
// read as one by the server ('2026-01-01', '2026-01-01 12:00:00').

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokIdent
	tokQuotedIdent
	tokNumber
	tokString
	tokOp
)

type token struct {
	kind tokKind
	text string
	pos  int // byte offset, for messages
}

func (t token) keyword(k string) bool { return t.kind == tokIdent && strings.EqualFold(t.text, k) }

func (t token) String() string {
	if t.kind == tokEOF {
		return "the end"
	}
	return strconv.Quote(t.text)
}

// lexWhere splits a --where expression into tokens.
func lexWhere(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'' || c == '"':
			text, n, err := lexQuoted(s[i:], c)
			if err != nil {
				return nil, fmt.Errorf("at %d: %w", i+1, err)
			}
			kind := tokString
			if c == '"' {
				kind = tokQuotedIdent
			}
			toks = append(toks, token{kind, text, i})
			i += n
		case strings.IndexByte("=!<>", c) >= 0:
			n := 1
			if i+1 < len(s) && (s[i:i+2] == "!=" || s[i:i+2] == "<>" || s[i:i+2] == "<=" || s[i:i+2] == ">=") {
				n = 2
			}
			if s[i:i+n] == "!" {
				return nil, fmt.Errorf("at %d: '!' must be followed by '='", i+1)
			}
			toks = append(toks, token{tokOp, s[i : i+n], i})
			i += n
		case c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+':
			n := lexNumber(s[i:])
			if n == 0 {
				return nil, fmt.Errorf("at %d: unexpected %q", i+1, c)
			}
			toks = append(toks, token{tokNumber, s[i : i+n], i})
			i += n
		case c == '_' || unicode.IsLetter(rune(c)):
			n := 1
			for i+n < len(s) && (s[i+n] == '_' || s[i+n] == '.' || unicode.IsLetter(rune(s[i+n])) || unicode.IsDigit(rune(s[i+n]))) {
				n++
			}
			toks = append(toks, token{tokIdent, s[i : i+n], i})
			i += n
		default:
			return nil, fmt.Errorf("at %d: unexpected %q", i+1, c)
		}
	}
	return append(toks, token{kind: tokEOF, pos: len(s)}), nil
}

// lexQuoted reads a quoted string or name; a doubled quote is one quote.
func lexQuoted(s string, q byte) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] != q {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == q {
			b.WriteByte(q)
			i++
			continue
		}
		return b.String(), i + 1, nil
	}
	return "", 0, fmt.Errorf("unterminated %c", q)
}

// lexNumber is the length of the number at the start of s (0: none).
func lexNumber(s string) int {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	digits := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		if s[i] != '.' {
			digits++
		}
		i++
	}
	if digits == 0 {
		return 0
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '-' || s[j] == '+') {
			j++
		}
		if j < len(s) && s[j] >= '0' && s[j] <= '9' {
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			i = j
		}
	}
	return i
}

// parseWhere turns a --where expression into a predicate.
func parseWhere(s string) (*stratapb.Expr, error) {
	toks, err := lexWhere(s)
	if err != nil {
		return nil, fmt.Errorf("--where: %w", err)
	}
	p := &whereParser{toks: toks}
	e, err := p.parse()
	if err != nil {
		return nil, fmt.Errorf("--where %q: %w", s, err)
	}
	return e, nil
}

type whereParser struct {
	toks []token
	i    int
}

func (p *whereParser) peek() token { return p.toks[p.i] }

func (p *whereParser) take() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *whereParser) errorf(t token, format string, args ...any) error {
	return fmt.Errorf("at %d: %s", t.pos+1, fmt.Sprintf(format, args...))
}

func (p *whereParser) parse() (*stratapb.Expr, error) {
	e, err := p.cond()
	if err != nil {
		return nil, err
	}
	for {
		t := p.take()
		switch {
		case t.kind == tokEOF:
			return e, nil
		case t.keyword("AND"):
			r, err := p.cond()
			if err != nil {
				return nil, err
			}
			e = binary(stratapb.BinOp_AND, e, r)
		case t.keyword("OR"):
			return nil, p.errorf(t, "OR is not supported (conditions are joined by AND); run one query per alternative")
		default:
			return nil, p.errorf(t, "expected AND or the end, found %v", t)
		}
	}
}

func (p *whereParser) cond() (*stratapb.Expr, error) {
	first := p.peek()
	if isColumnToken(first) {
		p.take()
		if p.peek().keyword("IS") {
			return p.isNull(first)
		}
		op, err := p.op()
		if err != nil {
			return nil, err
		}
		lit, err := p.literal()
		if err != nil {
			return nil, err
		}
		return binary(op, column(first.text), lit), nil
	}
	lit, err := p.literal()
	if err != nil {
		return nil, p.errorf(first, "expected a column, found %v", first)
	}
	op, err := p.op()
	if err != nil {
		return nil, err
	}
	col := p.take()
	if !isColumnToken(col) {
		return nil, p.errorf(col, "expected a column, found %v", col)
	}
	return binary(flip(op), column(col.text), lit), nil
}

func (p *whereParser) isNull(col token) (*stratapb.Expr, error) {
	p.take() // IS
	not := false
	if p.peek().keyword("NOT") {
		p.take()
		not = true
	}
	if t := p.take(); !t.keyword("NULL") {
		return nil, p.errorf(t, "expected NULL after IS, found %v", t)
	}
	return &stratapb.Expr{Kind: &stratapb.Expr_IsNull{IsNull: &stratapb.IsNullExpr{X: column(col.text), Not: not}}}, nil
}

var whereOps = map[string]stratapb.BinOp{
	"=": stratapb.BinOp_EQ, "!=": stratapb.BinOp_NE, "<>": stratapb.BinOp_NE,
	"<": stratapb.BinOp_LT, "<=": stratapb.BinOp_LE, ">": stratapb.BinOp_GT, ">=": stratapb.BinOp_GE,
}

func (p *whereParser) op() (stratapb.BinOp, error) {
	t := p.take()
	if op, ok := whereOps[t.text]; ok && t.kind == tokOp {
		return op, nil
	}
	return 0, p.errorf(t, "expected one of = != <> < <= > >= or IS, found %v", t)
}

func (p *whereParser) literal() (*stratapb.Expr, error) {
	t := p.take()
	switch {
	case t.kind == tokNumber:
		return numberLiteral(t.text)
	case t.kind == tokString:
		return literal(&stratapb.Value{Type: stratapb.ColumnType_STRING, Bytes: []byte(t.text)}), nil
	case t.keyword("TRUE"), t.keyword("FALSE"):
		v := int64(0)
		if t.keyword("TRUE") {
			v = 1
		}
		return literal(&stratapb.Value{Type: stratapb.ColumnType_BOOL, Int: v}), nil
	case t.keyword("NULL"):
		return nil, p.errorf(t, "a comparison with NULL is never true: use col IS NULL or col IS NOT NULL")
	}
	return nil, p.errorf(t, "expected a number, 'string', TRUE or FALSE, found %v", t)
}

func numberLiteral(s string) (*stratapb.Expr, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return literal(&stratapb.Value{Type: stratapb.ColumnType_INT64, Int: n}), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("invalid number %q", s)
	}
	return literal(&stratapb.Value{Type: stratapb.ColumnType_FLOAT64, Float: f}), nil
}

var keywords = map[string]bool{"AND": true, "OR": true, "IS": true, "NOT": true, "NULL": true, "TRUE": true, "FALSE": true}

func isColumnToken(t token) bool {
	return t.kind == tokQuotedIdent || t.kind == tokIdent && !keywords[strings.ToUpper(t.text)]
}

// flip turns "lit op col" into "col op' lit".
func flip(op stratapb.BinOp) stratapb.BinOp {
	switch op {
	case stratapb.BinOp_LT:
		return stratapb.BinOp_GT
	case stratapb.BinOp_LE:
		return stratapb.BinOp_GE
	case stratapb.BinOp_GT:
		return stratapb.BinOp_LT
	case stratapb.BinOp_GE:
		return stratapb.BinOp_LE
	}
	return op
}

func column(name string) *stratapb.Expr {
	return &stratapb.Expr{Kind: &stratapb.Expr_Column{Column: name}}
}

func literal(v *stratapb.Value) *stratapb.Expr {
	return &stratapb.Expr{Kind: &stratapb.Expr_Literal{Literal: v}}
}

func binary(op stratapb.BinOp, l, r *stratapb.Expr) *stratapb.Expr {
	return &stratapb.Expr{Kind: &stratapb.Expr_Binary{Binary: &stratapb.BinaryExpr{Op: op, Left: l, Right: r}}}
}
