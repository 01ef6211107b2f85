package plan

import "errors"

// Errors of planning. Messages name the expression or column at fault.
var (
	ErrUnknownColumn = errors.New("unknown column")
	ErrTypeMismatch  = errors.New("type mismatch")
	ErrBadValue      = errors.New("invalid value")
	ErrInvalidPlan   = errors.New("invalid plan")
)
