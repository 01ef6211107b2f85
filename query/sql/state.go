package sql

import (
	"context"
	"errors"
	"fmt"

	"github.com/stratadb/strata/query"
	"github.com/stratadb/strata/query/exec"
	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// The SQLSTATEs this package answers with (PostgreSQL's errcodes).
const (
	codeSyntax            = "42601" // syntax_error
	codeUnsupported       = "0A000" // feature_not_supported
	codeUndefinedTable    = "42P01" // undefined_table
	codeUndefinedColumn   = "42703" // undefined_column
	codeAmbiguousColumn   = "42702" // ambiguous_column
	codeDatatypeMismatch  = "42804" // datatype_mismatch
	codeUndefinedFunction = "42883" // undefined_function (also "operator does not exist")
	codeUndefinedObject   = "42704" // undefined_object (an unknown type)
	codeGrouping          = "42803" // grouping_error
	codeBadColumnRef      = "42P10" // invalid_column_reference
	codeIndeterminate     = "42P18" // indeterminate_datatype
	codeUndefinedParam    = "42P02" // undefined_parameter
	codeProtocol          = "08P01" // protocol_violation
	codeBadText           = "22P02" // invalid_text_representation
	codeOutOfRange        = "22003" // numeric_value_out_of_range
	codeDivisionByZero    = "22012" // division_by_zero
	codeBadParamValue     = "22023" // invalid_parameter_value
	codeBadLimit          = "2201W" // invalid_row_count_in_limit_clause
	codeBadOffset         = "2201X" // invalid_row_count_in_result_offset_clause
	codeNotNull           = "23502" // not_null_violation
	codeDuplicateTable    = "42P07" // duplicate_table
	codeDuplicateColumn   = "42701" // duplicate_column
	codeBadTableDef       = "42P16" // invalid_table_definition
	codeReservedName      = "42939" // reserved_name
	codeNoSchema          = "3F000" // invalid_schema_name
	codeCanceled          = "57014" // query_canceled
	codeShutdown          = "57P01" // admin_shutdown
	codeOutOfMemory       = "53200" // out_of_memory
	codeCorrupt           = "XX001" // data_corrupted
	codeInternal          = "XX000" // internal_error
)

// errorf makes an *Error.
func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// unsupported is the 0A000 error for a construct Strata does not have.
func unsupported(format string, args ...any) *Error {
	return errorf(codeUnsupported, format, args...)
}

// sentinelStates maps the engine's and storage's sentinel errors, most
// specific first.
var sentinelStates = []struct {
	err  error
	code string
}{
	{storage.ErrNoTable, codeUndefinedTable},
	{storage.ErrTableExists, codeDuplicateTable},
	{storage.ErrFutureVersion, codeBadParamValue},
	{storage.ErrCompacted, codeBadParamValue},
	{storage.ErrInvalidSchema, codeBadTableDef},
	{storage.ErrSchemaMismatch, codeDatatypeMismatch},
	{storage.ErrUnsupported, codeUnsupported},
	{storage.ErrCorrupt, codeCorrupt},
	{storage.ErrClosed, codeShutdown},
	{storage.ErrVersionOrder, codeInternal},
	{plan.ErrUnknownColumn, codeUndefinedColumn},
	{plan.ErrTypeMismatch, codeDatatypeMismatch},
	{plan.ErrBadValue, codeBadText},
	{plan.ErrOutOfRange, codeOutOfRange},
	{plan.ErrInvalidPlan, codeUnsupported},
	{query.ErrOverflow, codeOutOfRange},
	{query.ErrDivisionByZero, codeDivisionByZero},
	{query.ErrMemoryLimit, codeOutOfMemory},
	{exec.ErrInternal, codeInternal},
	{context.Canceled, codeCanceled},
	{context.DeadlineExceeded, codeCanceled},
}

func sqlState(err error) string {
	if err == nil {
		return "00000"
	}
	var se *Error
	if errors.As(err, &se) && se.Code != "" {
		return se.Code
	}
	for _, s := range sentinelStates {
		if errors.Is(err, s.err) {
			return s.code
		}
	}
	return codeInternal
}

// asError returns err as an *Error, mapping sentinels to their SQLSTATE
// and keeping err's message.
func asError(err error) error {
	if err == nil {
		return nil
	}
	var se *Error
	if errors.As(err, &se) {
		return err
	}
	return &Error{Code: sqlState(err), Message: err.Error(), Err: err}
}
