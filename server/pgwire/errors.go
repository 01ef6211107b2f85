package pgwire

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/stratadb/strata/query/sql"
)

// pgError is an error answered with PostgreSQL's ErrorResponse fields.
type pgError struct {
	Fatal    bool // FATAL: the session ends after it
	Code     string
	Message  string
	Detail   string
	Hint     string
	Where    string // PostgreSQL's CONTEXT, e.g. "COPY t, line 2, column a: \"x\""
	Position int    // 1-based character in the query text (0: none)
	Err      error  // the cause, if any
}

func (e *pgError) Error() string {
	if e.Where != "" {
		return e.Message + " (" + e.Where + ")"
	}
	return e.Message
}

func (e *pgError) Unwrap() error { return e.Err }

func newError(code, format string, args ...any) *pgError {
	return &pgError{Code: code, Message: fmt.Sprintf(format, args...)}
}

func fatalError(code, format string, args ...any) *pgError {
	e := newError(code, format, args...)
	e.Fatal = true
	return e
}

// SQLSTATEs used here (PostgreSQL's names).
const (
	codeInternal              = "XX000" // internal_error
	codeProtocolViolation     = "08P01" // protocol_violation
	codeFeatureNotSupported   = "0A000" // feature_not_supported
	codeSyntax                = "42601" // syntax_error
	codeUndefinedObject       = "42704" // undefined_object
	codeUndefinedColumn       = "42703" // undefined_column
	codeDuplicateColumn       = "42701" // duplicate_column
	codeIndeterminateType     = "42P18" // indeterminate_datatype
	codeUndefinedParameter    = "42P02" // undefined_parameter
	codeDuplicatePrepared     = "42P05" // duplicate_prepared_statement
	codeDuplicateCursor       = "42P03" // duplicate_cursor
	codeInvalidStatementName  = "26000" // invalid_sql_statement_name
	codeInvalidCursorName     = "34000" // invalid_cursor_name
	codeInvalidText           = "22P02" // invalid_text_representation
	codeInvalidBinary         = "22P03" // invalid_binary_representation
	codeBadCopyFormat         = "22P04" // bad_copy_file_format
	codeOutOfRange            = "22003" // numeric_value_out_of_range
	codeInvalidDatetime       = "22007" // invalid_datetime_format
	codeDatetimeOverflow      = "22008" // datetime_field_overflow
	codeBadEncoding           = "22021" // character_not_in_repertoire
	codeInvalidParameterValue = "22023" // invalid_parameter_value
	codeNotNull               = "23502" // not_null_violation
	codeInFailedTransaction   = "25P02" // in_failed_sql_transaction
	codeActiveTransaction     = "25001" // active_sql_transaction
	codeNoActiveTransaction   = "25P01" // no_active_sql_transaction
	codeCantChangeRuntime     = "55P02" // cant_change_runtime_param
	codeQueryCanceled         = "57014" // query_canceled
	codeAdminShutdown         = "57P01" // admin_shutdown
	codeTooManyConnections    = "53300" // too_many_connections
	codeProgramLimit          = "54000" // program_limit_exceeded
	codeInvalidPassword       = "28P01" // invalid_password
	codeInvalidAuthorization  = "28000" // invalid_authorization_specification
	codeWarning               = "01000" // warning
)

var (
	// Causes a running statement is canceled with.
	errCanceledByUser   = errors.New("canceling statement due to user request")
	errStatementTimeout = errors.New("canceling statement due to statement timeout")

	errAdminShutdown  = fatalError(codeAdminShutdown, "terminating connection due to administrator command")
	errTooManyClients = fatalError(codeTooManyConnections, "sorry, too many clients already")
)

// statementError is the error a statement run under ctx answers: a
// canceled or timed-out context wins over whatever error the statement
// returned on its way out.
func statementError(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil {
		return err
	}
	switch cause := context.Cause(ctx); cause {
	case errCanceledByUser, errStatementTimeout:
		return &pgError{Code: codeQueryCanceled, Message: cause.Error(), Err: err}
	case errShutdown:
		return errAdminShutdown
	}
	return err
}

// errorResponse converts any error to an ErrorResponse: a *pgError's own
// fields, a *sql.Error's code, message and position, else the SQLSTATE
// sql.SQLState maps the error to.
func errorResponse(err error) *pgproto3.ErrorResponse {
	r := &pgproto3.ErrorResponse{Severity: "ERROR", SeverityUnlocalized: "ERROR"}
	var pe *pgError
	var se *sql.Error
	switch {
	case errors.As(err, &pe):
		if pe.Fatal {
			r.Severity, r.SeverityUnlocalized = "FATAL", "FATAL"
		}
		r.Code, r.Message, r.Detail, r.Hint, r.Where = pe.Code, pe.Message, pe.Detail, pe.Hint, pe.Where
		r.Position = int32(pe.Position)
	case errors.As(err, &se):
		r.Code, r.Message, r.Position = se.Code, se.Message, int32(se.Position)
	default:
		r.Code, r.Message = sql.SQLState(err), err.Error()
	}
	if r.Code == "" {
		r.Code = codeInternal
	}
	return r
}

// isFatal reports whether err ends the session.
func isFatal(err error) bool {
	var pe *pgError
	return errors.As(err, &pe) && pe.Fatal
}
