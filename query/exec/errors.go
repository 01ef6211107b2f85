package exec

import "errors"

// Errors of execution. The query package re-exports them.
var (
	ErrOverflow       = errors.New("integer out of range")
	ErrDivisionByZero = errors.New("division by zero")
	ErrMemoryLimit    = errors.New("query memory limit exceeded")
	// ErrInternal: a bug in the engine (a recovered panic); the message
	// carries the stack.
	ErrInternal = errors.New("internal error")
)
