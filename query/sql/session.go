package sql

import (
	"strings"
	"unicode/utf8"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
)

// convertSession maps the session statements: SET, RESET, SHOW of a
// setting, and transaction control (accepted as no-ops).
func convertSession(ast tree.Statement) (Statement, bool, error) {
	switch s := ast.(type) {
	case *tree.SetVar:
		st, err := convertSetVar(s)
		return st, true, err
	case *tree.ShowVar:
		return &ShowVar{Name: strings.ToLower(s.Name)}, true, nil
	case *tree.SetTransaction:
		st, err := convertTxnModes(s.Modes, "transaction_", true)
		return st, true, err
	case *tree.SetSessionCharacteristics:
		st, err := convertTxnModes(s.Modes, "default_transaction_", false)
		return st, true, err
	case *tree.BeginTransaction:
		if s.FormatWithStart {
			return &Transaction{Verb: "START TRANSACTION"}, true, nil
		}
		return &Transaction{Verb: "BEGIN"}, true, nil
	case *tree.CommitTransaction:
		return &Transaction{Verb: "COMMIT"}, true, nil
	case *tree.RollbackTransaction, *tree.RollbackToSavepoint:
		return &Transaction{Verb: "ROLLBACK"}, true, nil
	case *tree.Savepoint:
		return &Transaction{Verb: "SAVEPOINT"}, true, nil
	case *tree.ReleaseSavepoint:
		return &Transaction{Verb: "RELEASE"}, true, nil
	}
	return nil, false, nil
}

// convertSetVar reads SET name {=|TO} value[, ...], SET LOCAL, SET TIME
// ZONE, RESET name and RESET ALL. A value of DEFAULT (and TIME ZONE LOCAL)
// is a RESET. Values are kept as text: strings unquoted, identifiers as
// written (quoted when they need quotes), numbers as written, a list
// joined with ", ".
func convertSetVar(s *tree.SetVar) (Statement, error) {
	name := strings.ToLower(s.Name)
	if s.ResetAll {
		return &SetVar{Name: "all", Reset: true}, nil
	}
	if s.SetRow {
		return nil, unsupported("SET ROW is not supported")
	}
	if s.Reset {
		return &SetVar{Name: name, Reset: true, Local: s.Local}, nil
	}
	vals := make([]string, len(s.Values))
	for i, v := range s.Values {
		if _, ok := v.(tree.DefaultVal); ok {
			return &SetVar{Name: name, Reset: true, Local: s.Local}, nil
		}
		vals[i] = settingText(v)
	}
	value := strings.Join(vals, ", ")
	if name == "timezone" && strings.EqualFold(value, "local") {
		return &SetVar{Name: name, Reset: true, Local: s.Local}, nil
	}
	return &SetVar{Name: name, Value: value, Local: s.Local}, nil
}

// settingText is a SET value as text.
func settingText(e tree.Expr) string {
	switch v := e.(type) {
	case *tree.StrVal:
		return v.RawString()
	case *tree.NumVal:
		return v.String()
	case *tree.DBool:
		if *v {
			return "on"
		}
		return "off"
	case *tree.CastExpr:
		return settingText(v.Expr)
	}
	return tree.AsStringWithFlags(e, tree.FmtBareStrings)
}

// convertTxnModes maps SET TRANSACTION and SET SESSION CHARACTERISTICS
// to the settings they change.
func convertTxnModes(m tree.TransactionModes, prefix string, local bool) (Statement, error) {
	switch {
	case m.Isolation != tree.UnspecifiedIsolation:
		return &SetVar{Name: prefix + "isolation", Value: strings.ToLower(m.Isolation.String()), Local: local}, nil
	case m.ReadWriteMode == tree.ReadOnly:
		return &SetVar{Name: prefix + "read_only", Value: "on", Local: local}, nil
	case m.ReadWriteMode == tree.ReadWrite:
		return &SetVar{Name: prefix + "read_only", Value: "off", Local: local}, nil
	}
	return nil, unsupported("this transaction mode is not supported")
}

// convertCopy reads COPY t [(cols)] FROM STDIN [WITH (FORMAT
// csv|text|binary, HEADER [bool], DELIMITER 'c', NULL 's')], and the old
// spellings the parser maps to the same (WITH CSV HEADER, CSV HEADER
// DELIMITER ';'). The defaults are PostgreSQL's: text with a tab
// delimiter and \N for NULL; csv with a comma and an empty unquoted
// string for NULL; binary has neither (Delimiter 0).
func convertCopy(s *tree.CopyFrom) (Statement, error) {
	if !s.Stdin {
		return nil, unsupported("COPY FROM a file is not supported: use COPY ... FROM STDIN (psql's \\copy)")
	}
	name, err := tableName(&s.Table)
	if err != nil {
		return nil, err
	}
	c := &CopyFrom{Table: name, Format: "text", Delimiter: '\t', Null: `\N`}
	for _, col := range s.Columns {
		c.Columns = append(c.Columns, string(col))
	}
	o := s.Options
	switch o.CopyFormat {
	case tree.CopyFormatCSV:
		c.Format, c.Delimiter, c.Null = "csv", ',', ""
	case tree.CopyFormatBinary:
		c.Format, c.Delimiter, c.Null = "binary", 0, ""
	}
	c.Header = o.Header
	if o.Delimiter != nil {
		d, err := copyString(o.Delimiter, "DELIMITER")
		if err != nil {
			return nil, err
		}
		r, n := utf8.DecodeRuneInString(d)
		if n == 0 || n != len(d) || r >= utf8.RuneSelf {
			return nil, errorf(codeBadParamValue, "COPY delimiter must be a single one-byte character")
		}
		c.Delimiter = r
	}
	if o.Null != nil {
		if c.Null, err = copyString(o.Null, "NULL"); err != nil {
			return nil, err
		}
	}
	if err := checkCopyOptions(o, c.Format); err != nil {
		return nil, err
	}
	return c, nil
}

func copyString(e tree.Expr, what string) (string, error) {
	if s, ok := e.(*tree.StrVal); ok {
		return s.RawString(), nil
	}
	return "", errorf(codeSyntax, "COPY %s must be a string constant", what)
}

// checkCopyOptions refuses the options Strata's COPY does not implement,
// unless they ask for the default.
func checkCopyOptions(o tree.CopyOptions, format string) error {
	if o.Destination != nil {
		return unsupported("COPY DESTINATION is not supported")
	}
	if o.Encoding != nil && !strings.EqualFold(strings.ReplaceAll(o.Encoding.RawString(), "-", ""), "utf8") {
		return unsupported("COPY ENCODING %s is not supported (only UTF8)", o.Encoding.RawString())
	}
	if o.Quote != nil && (format != "csv" || o.Quote.RawString() != `"`) {
		return unsupported(`COPY QUOTE is not supported (CSV quotes with ")`)
	}
	if o.Escape != nil && (format != "csv" || o.Escape.RawString() != `"`) {
		return unsupported(`COPY ESCAPE is not supported (CSV escapes with ")`)
	}
	return nil
}
