package sql

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/parser"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/pgwire/pgerror"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/types"
	"github.com/cockroachdb/errors"
)

// parse splits text into statements and parses each: Strata's own
// statements and EXPLAIN with the front parser (front.go), the rest with
// cockroachdb-parser. Text without any statement is one Empty.
func parse(text string) ([]Statement, error) {
	var out []Statement
	for _, pc := range splitStatements(text) {
		st, err := parsePiece(text, pc)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	if len(out) == 0 {
		out = append(out, &Empty{})
	}
	return out, nil
}

// parsePiece parses one statement of text.
func parsePiece(text string, pc piece) (Statement, error) {
	if st, ok, err := parseFront(text, pc); ok {
		return st, err
	}
	return parseStandard(text, pc)
}

// parseStandard parses a statement with cockroachdb-parser, after the
// AS OF VERSION rewrite (asof.go), and converts its AST.
func parseStandard(text string, pc piece) (Statement, error) {
	rw := rewriteAsOf(pc)
	stmts, err := parser.ParseWithInt(rw.text, types.Int4)
	if err != nil {
		return nil, syntaxError(err, text, pc, rw)
	}
	if len(stmts) != 1 {
		// The splitter and the parser disagree on where statements end
		// (a construct the splitter does not know): refuse it.
		return nil, errorf(codeSyntax, "syntax error: expected one statement, found %d", len(stmts))
	}
	return convertStatement(stmts[0].AST, pc.text)
}

var atOrNear = regexp.MustCompile(`^at or near "((?:[^"]|"")*)": (.*)$`)

// syntaxError converts a parser error to an *Error in PostgreSQL's form,
// `syntax error at or near "x"` with the 1-based character position in
// the whole text.
func syntaxError(err error, text string, pc piece, rw rewritten) *Error {
	code := pgerror.GetPGCode(err).String()
	if code == "" || code == codeInternal {
		code = codeSyntax
	}
	msg := err.Error()
	off, hasPos := caretOffset(err)
	pos := 0
	if hasPos {
		off = rw.orig(off)
		pos = charPos(text, pc.start+off)
	}
	if t, ok := brokenToken(pc.toks); ok {
		return &Error{Code: codeSyntax, Message: unterminated(t), Position: charPos(text, pc.start+t.pos), Err: err}
	}
	m := atOrNear.FindStringSubmatch(msg)
	if m == nil {
		msg = strings.TrimPrefix(msg, "lexical error: ")
		if !strings.HasPrefix(msg, "syntax error") {
			msg = "syntax error: " + msg
		}
		return &Error{Code: code, Message: msg, Position: pos, Err: err}
	}
	near, rest := m[1], m[2]
	if near == "EOF" {
		near = ""
		if hasPos {
			pos = charPos(text, pc.start+len(pc.text)) + 0
		}
	} else if t, ok := tokenAt(pc.toks, off); ok {
		near = t.text
	}
	where := "at end of input"
	if near != "" {
		where = `at or near "` + near + `"`
	}
	if strings.Contains(rest, "unimplemented: this syntax") {
		msg = "syntax not supported " + where
	} else if strings.HasPrefix(rest, "syntax error") {
		rest = strings.TrimPrefix(strings.TrimPrefix(rest, "syntax error"), ":")
		msg = strings.TrimSpace("syntax error " + where + ":" + rest)
		msg = strings.TrimSuffix(msg, ":")
	} else {
		msg = rest + " " + where
	}
	return &Error{Code: code, Message: msg, Position: pos, Err: err}
}

// brokenToken finds an unterminated string, identifier or comment.
func brokenToken(toks []token) (token, bool) {
	if n := len(toks); n > 0 && toks[n-1].kind == tokBroken {
		return toks[n-1], true
	}
	return token{}, false
}

// unterminated words the error of an unterminated token as PostgreSQL's
// lexer does.
func unterminated(t token) string {
	what := "quoted string"
	switch {
	case strings.HasPrefix(t.text, `"`):
		what = "quoted identifier"
	case strings.HasPrefix(t.text, "/*"):
		what = "/* comment"
	case strings.HasPrefix(t.text, "$"):
		what = "dollar-quoted string"
	}
	return fmt.Sprintf("unterminated %s at or near \"%s\"", what, t.text)
}

// caretOffset reads the byte offset the parser's error points at from the
// "source SQL" detail it attaches (the SQL up to the line of the error,
// then a caret under the offending token).
func caretOffset(err error) (int, bool) {
	for _, d := range errors.GetAllDetails(err) {
		src, ok := strings.CutPrefix(d, "source SQL:\n")
		if !ok {
			continue
		}
		nl := strings.LastIndexByte(src, '\n')
		if nl < 0 {
			continue
		}
		sqlText, caret := src[:nl], src[nl+1:]
		col := strings.IndexByte(caret, '^')
		if col < 0 {
			continue
		}
		lineStart := strings.LastIndexByte(sqlText, '\n') + 1
		return lineStart + col, true
	}
	return 0, false
}

// tokenAt finds the token starting at byte off.
func tokenAt(toks []token, off int) (token, bool) {
	for _, t := range toks {
		if t.pos == off {
			return t, true
		}
	}
	return token{}, false
}

// convertStatement maps a parsed statement to this package's types.
func convertStatement(ast tree.Statement, text string) (Statement, error) {
	switch s := ast.(type) {
	case *tree.Select:
		return convertSelect(s, text)
	case *tree.CreateTable:
		return convertCreateTable(s)
	case *tree.DropTable:
		return convertDropTable(s)
	case *tree.Insert:
		return convertInsert(s)
	case *tree.CopyFrom:
		return convertCopy(s)
	case *tree.ShowTables:
		if s.ObjectNamePrefix.ExplicitSchema || s.ObjectNamePrefix.ExplicitCatalog || s.WithComment {
			return nil, unsupported("SHOW TABLES takes no options")
		}
		return &ShowTables{}, nil
	case *tree.ShowColumns:
		tn := s.Table.ToTableName()
		name, err := tableName(&tn)
		if err != nil {
			return nil, err
		}
		return &Describe{Table: name}, nil
	case *tree.CopyTo:
		return nil, unsupported("COPY TO is not supported")
	case *tree.Explain, *tree.ExplainAnalyze:
		return nil, unsupported("EXPLAIN of this form is not supported")
	}
	if st, ok, err := convertSession(ast); ok {
		return st, err
	}
	return nil, unsupported("%s is not supported", ast.StatementTag())
}

// convertSelect returns a SystemQuery for a query on PostgreSQL's
// catalogs, else a Select planned without the catalog. Planning errors
// are Prepare's to report (it plans the query again against the
// catalog), as PostgreSQL reports them when it analyzes a statement,
// after running the statements before it: Plan is then nil.
func convertSelect(s *tree.Select, text string) (Statement, error) {
	if isSystemQuery(s) {
		return &SystemQuery{AST: s, Text: text}, nil
	}
	sel := &Select{src: s}
	if n, err := newPlanner(nil, nil).planQuery(s); err == nil {
		sel.Plan = n
	}
	return sel, nil
}

// tableName reads a table name: unqualified or in schema public (every
// table is in public).
func tableName(tn *tree.TableName) (string, error) {
	if tn.ExplicitCatalog {
		return "", unsupported("cross-database references are not implemented: %q", tree.AsString(tn))
	}
	if tn.ExplicitSchema && string(tn.SchemaName) != "public" {
		return "", errorf(codeUndefinedTable, "relation %q does not exist", string(tn.SchemaName)+"."+string(tn.ObjectName))
	}
	return string(tn.ObjectName), nil
}

// newTableName reads the name of a table to create: its schema, if
// given, must be public.
func newTableName(tn *tree.TableName) (string, error) {
	if tn.ExplicitSchema && !tn.ExplicitCatalog && string(tn.SchemaName) != "public" {
		return "", errorf(codeNoSchema, "schema %q does not exist", string(tn.SchemaName))
	}
	return tableName(tn)
}
