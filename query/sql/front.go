package sql

import (
	"strconv"
	"strings"
)

// The front parser reads, from the tokens of lex.go, the statements no
// PostgreSQL grammar has, before cockroachdb-parser sees anything:
//
//	ROLLBACK TABLE t TO VERSION n      -> RollbackTable
//	SHOW VERSIONS OF t                 -> ShowVersions
//	DESCRIBE t  (or DESC t)            -> Describe
//	CREATE/START/STOP/DROP PIPELINE, SHOW PIPELINES (pipeline.go)
//	EXPLAIN [ANALYZE] [VERBOSE] query
//	EXPLAIN (option [value], ...) query -> Select with Explain set
//
// EXPLAIN is read here because the parser's EXPLAIN grammar is
// CockroachDB's: it refuses PostgreSQL's EXPLAIN (ANALYZE, BUFFERS). Of
// the options, ANALYZE [true|false|on|off] chooses the mode; VERBOSE,
// COSTS, SETTINGS, BUFFERS, WAL, TIMING, SUMMARY and FORMAT TEXT are
// accepted and change nothing; other formats are refused.
//
// A table name is an identifier, optionally qualified by schema public.
// SHOW TABLES and SHOW COLUMNS FROM t are left to the parser, which has
// them. SELECT ... AS OF VERSION n is a rewrite, see asof.go.

// frontParser walks the tokens of one statement.
type frontParser struct {
	text string // the whole query string, for error positions
	pc   piece
	i    int
}

// parseFront parses pc if it is one of the front parser's statements.
func parseFront(text string, pc piece) (Statement, bool, error) {
	f := &frontParser{text: text, pc: pc}
	toks := pc.toks
	if st, ok, err := f.parsePipeline(); ok {
		return st, true, err
	}
	switch {
	case toks[0].is("explain"):
		st, err := f.explain()
		return st, true, err
	case toks[0].is("rollback") && len(toks) > 1 && toks[1].is("table"):
		st, err := f.rollbackTable()
		return st, true, err
	case toks[0].is("show") && len(toks) > 1 && toks[1].is("versions"):
		f.i = 2
		st, err := f.tableStatement("of", func(t string) Statement { return &ShowVersions{Table: t} })
		return st, true, err
	case toks[0].is("describe") || toks[0].is("desc"):
		f.i = 1
		st, err := f.tableStatement("", func(t string) Statement { return &Describe{Table: t} })
		return st, true, err
	}
	return nil, false, nil
}

// errHere is a syntax error at the current token (or the end).
func (f *frontParser) errHere() *Error {
	if f.i >= len(f.pc.toks) {
		return &Error{Code: codeSyntax, Message: "syntax error at end of input", Position: charPos(f.text, f.pc.start+len(f.pc.text))}
	}
	t := f.pc.toks[f.i]
	return &Error{Code: codeSyntax, Message: `syntax error at or near "` + t.text + `"`, Position: charPos(f.text, f.pc.start+t.pos)}
}

func (f *frontParser) peek() (token, bool) {
	if f.i < len(f.pc.toks) {
		return f.pc.toks[f.i], true
	}
	return token{}, false
}

// keyword consumes kw if it is next.
func (f *frontParser) keyword(kw string) bool {
	if t, ok := f.peek(); ok && t.is(kw) {
		f.i++
		return true
	}
	return false
}

func (f *frontParser) expect(kw string) error {
	if !f.keyword(kw) {
		return f.errHere()
	}
	return nil
}

func (f *frontParser) end() error {
	if f.i < len(f.pc.toks) {
		return f.errHere()
	}
	return nil
}

// tableName reads [public.]name.
func (f *frontParser) tableName() (string, error) {
	t, ok := f.peek()
	if !ok || !t.isName() {
		return "", f.errHere()
	}
	f.i++
	if dot, ok := f.peek(); ok && dot.kind == tokPunct && dot.text == "." {
		f.i++
		n, ok := f.peek()
		if !ok || !n.isName() {
			return "", f.errHere()
		}
		f.i++
		if t.name() != "public" {
			return "", errorf(codeNoSchema, "schema %q does not exist", t.name())
		}
		return n.name(), nil
	}
	return t.name(), nil
}

// tableStatement reads [kw] table-name and the end of the statement.
func (f *frontParser) tableStatement(kw string, mk func(string) Statement) (Statement, error) {
	if kw != "" {
		if err := f.expect(kw); err != nil {
			return nil, err
		}
	}
	name, err := f.tableName()
	if err != nil {
		return nil, err
	}
	if err := f.end(); err != nil {
		return nil, err
	}
	return mk(name), nil
}

// rollbackTable reads ROLLBACK TABLE t TO VERSION n.
func (f *frontParser) rollbackTable() (Statement, error) {
	f.i = 2
	name, err := f.tableName()
	if err != nil {
		return nil, err
	}
	if err := f.expect("to"); err != nil {
		return nil, err
	}
	if err := f.expect("version"); err != nil {
		return nil, err
	}
	t, ok := f.peek()
	if !ok || t.kind != tokNumber {
		return nil, f.errHere()
	}
	v, err := strconv.ParseUint(t.text, 10, 64)
	if err != nil {
		return nil, errorf(codeBadParamValue, "invalid version %q: a version is a positive integer", t.text)
	}
	f.i++
	if err := f.end(); err != nil {
		return nil, err
	}
	return &RollbackTable{Table: name, Version: v}, nil
}

// explain reads EXPLAIN's options, then parses the query after them.
func (f *frontParser) explain() (Statement, error) {
	f.i = 1
	mode := ExplainPlan
	switch {
	case f.keyword("analyze") || f.keyword("analyse"):
		mode = ExplainAnalyze
		f.keyword("verbose")
	case f.keyword("verbose"):
	default:
		if t, ok := f.peek(); ok && t.kind == tokPunct && t.text == "(" {
			var err error
			if mode, err = f.explainOptions(); err != nil {
				return nil, err
			}
		}
	}
	if f.i >= len(f.pc.toks) {
		return nil, f.errHere()
	}
	inner := f.pc.sub(f.i)
	st, err := parsePiece(f.text, inner)
	if err != nil {
		return nil, err
	}
	sel, ok := st.(*Select)
	if !ok {
		return nil, unsupported("EXPLAIN is supported for queries only, not %s", tagOf(st))
	}
	sel.Explain = mode
	return sel, nil
}

func tagOf(st Statement) string {
	if _, ok := st.(*SystemQuery); ok {
		return "queries on system catalogs"
	}
	if t := st.Tag(); t != "" {
		return t
	}
	return "an empty statement"
}

// explainOptions reads ( option [value] [, ...] ).
func (f *frontParser) explainOptions() (ExplainMode, error) {
	mode := ExplainPlan
	f.i++ // (
	for {
		t, ok := f.peek()
		if !ok || t.kind != tokWord {
			return 0, f.errHere()
		}
		f.i++
		opt := strings.ToLower(t.text)
		val, err := f.explainValue()
		if err != nil {
			return 0, err
		}
		switch opt {
		case "analyze", "analyse":
			if val == "" || isTrue(val) {
				mode = ExplainAnalyze
			} else {
				mode = ExplainPlan
			}
		case "verbose", "costs", "settings", "buffers", "wal", "timing", "summary", "generic_plan":
		case "format":
			if val != "text" {
				return 0, unsupported("EXPLAIN format %s is not supported (only text)", val)
			}
		default:
			return 0, errorf(codeSyntax, "unrecognized EXPLAIN option %q", opt)
		}
		p, ok := f.peek()
		if !ok || p.kind != tokPunct {
			return 0, f.errHere()
		}
		f.i++
		switch p.text {
		case ",":
			continue
		case ")":
			return mode, nil
		}
		f.i--
		return 0, f.errHere()
	}
}

// explainValue reads an option's value, if it has one.
func (f *frontParser) explainValue() (string, error) {
	t, ok := f.peek()
	if !ok || t.kind == tokPunct {
		return "", nil
	}
	switch v := strings.ToLower(t.text); {
	case t.kind == tokNumber || t.kind == tokWord && explainValues[v]:
		f.i++
		return v, nil
	case t.kind == tokString:
		f.i++
		return strings.ToLower(strings.Trim(t.text, "'")), nil
	}
	return "", f.errHere()
}

// explainValues are the words an EXPLAIN option takes.
var explainValues = map[string]bool{
	"true": true, "false": true, "on": true, "off": true,
	"text": true, "json": true, "xml": true, "yaml": true,
}

func isTrue(v string) bool {
	switch v {
	case "true", "on", "1", "yes":
		return true
	}
	return false
}

// sub is the statement that starts at token i of pc.
func (pc piece) sub(i int) piece {
	off := pc.toks[i].pos
	toks := make([]token, len(pc.toks)-i)
	for j, t := range pc.toks[i:] {
		t.pos -= off
		t.end -= off
		toks[j] = t
	}
	return piece{start: pc.start + off, text: pc.text[off:], toks: toks}
}
