package plan

import "errors"

// Errors of planning. Messages name the expression or column at fault.
var (
	ErrUnknownColumn = errors.New("unknown column")
	ErrTypeMismatch  = errors.New("type mismatch")
	ErrBadValue      = errors.New("invalid value")
	ErrInvalidPlan   = errors.New("invalid plan")
	// ErrOutOfRange is CastValue's and ParseAs's error for a value outside
	// the target type's range. Bind never returns it: it leaves such a cast
	// to the engine, which reports its own overflow error when (and only
	// when) a row needs the value.
	ErrOutOfRange = errors.New("value out of range")
)
