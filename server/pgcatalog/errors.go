package pgcatalog

import (
	"context"
	"errors"
	"fmt"

	"github.com/stratadb/strata/query/sql"
)

// SQLSTATE codes this package answers with.
const (
	codeUndefinedTable    = "42P01"
	codeUndefinedColumn   = "42703"
	codeUndefinedFunction = "42883"
	codeUndefinedObject   = "42704"
	codeAmbiguousColumn   = "42702"
	codeSyntax            = "42601"
	codeDatatypeMismatch  = "42804"
	codeGrouping          = "42803"
	codeInvalidColumnRef  = "42P10"
	codeIndeterminateType = "42P18"
	codeUnsupported       = "0A000"
	codeInvalidText       = "22P02"
	codeOutOfRange        = "22003"
	codeDivisionByZero    = "22012"
	codeInvalidParameter  = "22023"
	codeCardinality       = "21000"
	codeProtocol          = "08P01"
	codeTooComplex        = "54001"
	codeCanceled          = "57014"
	codeInternal          = "XX000"
)

func errorf(code, format string, args ...any) *sql.Error {
	return &sql.Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func unsupported(what string) *sql.Error {
	return errorf(codeUnsupported, "%s is not supported in system catalog queries", what)
}

// ctxError maps a context's error to a SQL error.
func ctxError(err error) *sql.Error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &sql.Error{Code: codeCanceled, Message: "canceling statement due to statement timeout", Err: err}
	}
	return &sql.Error{Code: codeCanceled, Message: "canceling statement due to user request", Err: err}
}
