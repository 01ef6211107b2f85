package sql

import "fmt"

// Error is a SQL error with its PostgreSQL SQLSTATE. Position is the
// 1-based character offset in the statement text it concerns (0: none).
type Error struct {
	Code     string
	Message  string
	Position int
	Err      error // the underlying error, if any
}

func (e *Error) Error() string {
	if e.Position > 0 {
		return fmt.Sprintf("%s (at character %d)", e.Message, e.Position)
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// SQLState returns the PostgreSQL SQLSTATE for any error a statement can
// fail with: an *Error's own code, else the engine's and storage's
// sentinels mapped (42P01 unknown table, 42703 unknown column, 22P02 bad
// value, 22003 overflow, 22012 division by zero, 57014 canceled, ...),
// else XX000.
func SQLState(err error) string { return sqlState(err) }
