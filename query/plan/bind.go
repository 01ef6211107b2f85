package plan

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/stratadb/strata/storage"
)

// Field is a column of a node's output.
type Field struct {
	Name string
	Type storage.ColumnType
}

// Schema is a node's output columns, in order.
type Schema []Field

// Index returns the position of the named column, or -1. Names may repeat
// in a projection; the first wins, as a later reference to an ambiguous
// name is rare and PostgreSQL rejects it anyway.
func (s Schema) Index(name string) int {
	for i, f := range s {
		if f.Name == name {
			return i
		}
	}
	return -1
}

func (s Schema) names() string {
	out := make([]string, len(s))
	for i, f := range s {
		out[i] = f.Name
	}
	return strings.Join(out, ", ")
}

// IsNumeric reports int32, int64 and float64.
func IsNumeric(t storage.ColumnType) bool {
	return t == storage.TypeInt64 || t == storage.TypeInt32 || t == storage.TypeFloat64
}

// IsInteger reports int32 and int64.
func IsInteger(t storage.ColumnType) bool {
	return t == storage.TypeInt64 || t == storage.TypeInt32
}

// IsTemporal reports timestamp and date.
func IsTemporal(t storage.ColumnType) bool {
	return t == storage.TypeTimestamp || t == storage.TypeDate
}

// BindExpr type-checks e against the input schema and returns it with
// untyped constants coerced (a string literal compared with a timestamp
// becomes a timestamp, a NULL takes its peer's type) and its result type.
func BindExpr(e Expr, in Schema) (Expr, storage.ColumnType, error) {
	switch e := e.(type) {
	case Col:
		i := in.Index(e.Name)
		if i < 0 {
			return nil, 0, fmt.Errorf("%w: %q (input has %s)", ErrUnknownColumn, e.Name, in.names())
		}
		return e, in[i].Type, nil
	case ColAt:
		if e.Index < 0 || e.Index >= len(in) {
			return nil, 0, fmt.Errorf("%w: column position %d (input has %d columns)", ErrUnknownColumn, e.Index+1, len(in))
		}
		return e, in[e.Index].Type, nil
	case Lit:
		if e.Value.Type == storage.TypeInvalid && !e.Value.Null {
			return nil, 0, fmt.Errorf("%w: literal without a type", ErrInvalidPlan)
		}
		return e, e.Value.Type, nil
	case Bin:
		return bindBin(e, in)
	case Not:
		x, err := bindBool(e.X, in, "NOT")
		return Not{x}, storage.TypeBool, err
	case Neg:
		x, t, err := BindExpr(e.X, in)
		if err != nil {
			return nil, 0, err
		}
		if t != storage.TypeInvalid && !IsNumeric(t) {
			return nil, 0, fmt.Errorf("%w: cannot negate %v in %v", ErrTypeMismatch, t, e)
		}
		if t == storage.TypeInt32 {
			t = storage.TypeInt64
		}
		return Neg{x}, t, nil
	case IsNull:
		x, _, err := BindExpr(e.X, in)
		return IsNull{x, e.Not}, storage.TypeBool, err
	case In:
		return bindIn(e, in)
	case Between:
		return bindBetween(e, in)
	case DateTrunc:
		x, err := bindTemporal(e.X, in, e.String())
		return DateTrunc{e.Unit, x}, storage.TypeTimestamp, err
	case TimeBucket:
		if e.Width <= 0 {
			return nil, 0, fmt.Errorf("%w: time bucket width must be positive, got %dus", ErrBadValue, e.Width)
		}
		x, err := bindTemporal(e.X, in, e.String())
		return TimeBucket{e.Width, e.Origin, x}, storage.TypeTimestamp, err
	case Case, Coalesce, Like, Cast, Func, Param:
		return bindMore(e, in)
	case nil:
		return nil, 0, fmt.Errorf("%w: missing expression", ErrInvalidPlan)
	}
	return nil, 0, fmt.Errorf("%w: unknown expression %T", ErrInvalidPlan, e)
}

func bindBool(e Expr, in Schema, what string) (Expr, error) {
	x, t, err := BindExpr(e, in)
	if err != nil {
		return nil, err
	}
	if t != storage.TypeBool && t != storage.TypeInvalid {
		return nil, fmt.Errorf("%w: argument of %s must be bool, not %v: %v", ErrTypeMismatch, what, t, e)
	}
	return x, nil
}

func bindTemporal(e Expr, in Schema, where string) (Expr, error) {
	x, t, err := BindExpr(e, in)
	if err != nil {
		return nil, err
	}
	if l, ok := x.(Lit); ok && t == storage.TypeString {
		v, err := coerceLiteral(l.Value, storage.TypeTimestamp)
		return Lit{v}, err
	}
	if !IsTemporal(t) && t != storage.TypeInvalid {
		return nil, fmt.Errorf("%w: %s needs a timestamp or date, not %v", ErrTypeMismatch, where, t)
	}
	return x, nil
}

func bindBin(e Bin, in Schema) (Expr, storage.ColumnType, error) {
	if e.Op.IsLogical() {
		l, err := bindBool(e.L, in, e.Op.String())
		if err != nil {
			return nil, 0, err
		}
		r, err := bindBool(e.R, in, e.Op.String())
		return Bin{e.Op, l, r}, storage.TypeBool, err
	}
	l, lt, err := BindExpr(e.L, in)
	if err != nil {
		return nil, 0, err
	}
	r, rt, err := BindExpr(e.R, in)
	if err != nil {
		return nil, 0, err
	}
	if e.Op.IsComparison() {
		if x, ok := exactIntComparison(e.Op, l, lt, r, rt); ok {
			return x, storage.TypeBool, nil
		}
		l, r, _, err = unify(l, lt, r, rt, e)
		return Bin{e.Op, l, r}, storage.TypeBool, err
	}
	if !e.Op.IsArithmetic() {
		return nil, 0, fmt.Errorf("%w: unknown operator %d", ErrInvalidPlan, e.Op)
	}
	l, lt, err = numericOperand(l, lt, e)
	if err != nil {
		return nil, 0, err
	}
	r, rt, err = numericOperand(r, rt, e)
	if err != nil {
		return nil, 0, err
	}
	out := storage.TypeInt64
	if lt == storage.TypeFloat64 || rt == storage.TypeFloat64 {
		out = storage.TypeFloat64
	}
	if e.Op == OpMod && out == storage.TypeFloat64 {
		return nil, 0, fmt.Errorf("%w: %% needs integers: %v", ErrTypeMismatch, e)
	}
	return Bin{e.Op, l, r}, out, nil
}

func numericOperand(x Expr, t storage.ColumnType, whole Expr) (Expr, storage.ColumnType, error) {
	switch {
	case IsNumeric(t) || t == storage.TypeInvalid:
		return x, t, nil
	case t == storage.TypeString:
		if l, ok := x.(Lit); ok {
			v, err := coerceLiteral(l.Value, storage.TypeFloat64)
			if err == nil && v.Float == float64(int64(v.Float)) && !strings.ContainsAny(l.Value.Str, ".eE") {
				v = Int64(int64(v.Float))
			}
			return Lit{v}, v.Type, err
		}
	}
	return nil, 0, fmt.Errorf("%w: arithmetic on %v in %v", ErrTypeMismatch, t, whole)
}

// unify makes two operands comparable and returns their common type.
func unify(l Expr, lt storage.ColumnType, r Expr, rt storage.ColumnType, whole Expr) (Expr, Expr, storage.ColumnType, error) {
	if ll, ok := l.(Lit); ok && lt != rt && (lt == storage.TypeString || lt == storage.TypeInvalid) && rt != storage.TypeInvalid {
		v, err := coerceLiteral(ll.Value, rt)
		if err != nil {
			return nil, nil, 0, err
		}
		l, lt = Lit{v}, rt
	}
	if rl, ok := r.(Lit); ok && lt != rt && (rt == storage.TypeString || rt == storage.TypeInvalid) && lt != storage.TypeInvalid {
		v, err := coerceLiteral(rl.Value, lt)
		if err != nil {
			return nil, nil, 0, err
		}
		r, rt = Lit{v}, lt
	}
	if t, ok := CommonType(lt, rt); ok {
		return l, r, t, nil
	}
	return nil, nil, 0, fmt.Errorf("%w: cannot compare %v with %v in %v", ErrTypeMismatch, lt, rt, whole)
}

// CommonType is the type two comparable types are compared in: numbers
// mixing integers and floats as float64, a date with a timestamp as a
// timestamp, an untyped NULL as its peer's type.
func CommonType(a, b storage.ColumnType) (storage.ColumnType, bool) {
	switch {
	case a == b:
		return a, true
	case a == storage.TypeInvalid:
		return b, true
	case b == storage.TypeInvalid:
		return a, true
	case IsNumeric(a) && IsNumeric(b):
		if a == storage.TypeFloat64 || b == storage.TypeFloat64 {
			return storage.TypeFloat64, true
		}
		return storage.TypeInt64, true
	case IsTemporal(a) && IsTemporal(b):
		return storage.TypeTimestamp, true
	}
	return 0, false
}

// coerceLiteral converts a string (or untyped NULL) constant to type t, the
// way PostgreSQL reads an untyped literal in context.
func coerceLiteral(v Value, t storage.ColumnType) (Value, error) {
	if v.Null {
		return NullOf(t), nil
	}
	if v.Type != storage.TypeString {
		return v, nil
	}
	s := strings.TrimSpace(v.Str)
	switch t {
	case storage.TypeTimestamp:
		us, err := ParseTimestamp(s)
		return TimestampMicros(us), err
	case storage.TypeDate:
		d, err := ParseDate(s)
		return Value{Type: storage.TypeDate, Int: d}, err
	case storage.TypeInt64, storage.TypeInt32:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return v, fmt.Errorf("%w: invalid integer %q", ErrBadValue, v.Str)
		}
		return Int64(n), nil
	case storage.TypeFloat64:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return v, fmt.Errorf("%w: invalid number %q", ErrBadValue, v.Str)
		}
		return Float64(f), nil
	case storage.TypeBool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return v, fmt.Errorf("%w: invalid boolean %q", ErrBadValue, v.Str)
		}
		return Bool(b), nil
	case storage.TypeBinary:
		return Binary([]byte(v.Str)), nil
	}
	return v, nil
}

func bindIn(e In, in Schema) (Expr, storage.ColumnType, error) {
	x, xt, err := BindExpr(e.X, in)
	if err != nil {
		return nil, 0, err
	}
	if len(e.List) == 0 {
		return nil, 0, fmt.Errorf("%w: empty IN list", ErrInvalidPlan)
	}
	list := make([]Expr, len(e.List))
	for i, item := range e.List {
		lit, ok := item.(Lit)
		if !ok {
			return nil, 0, fmt.Errorf("%w: IN list items must be constants, got %v", ErrInvalidPlan, item)
		}
		_, r, _, err := unify(x, xt, lit, lit.Value.Type, e)
		if err != nil {
			return nil, 0, err
		}
		list[i] = r
	}
	return In{x, list, e.Not}, storage.TypeBool, nil
}

func bindBetween(e Between, in Schema) (Expr, storage.ColumnType, error) {
	x, xt, err := BindExpr(e.X, in)
	if err != nil {
		return nil, 0, err
	}
	lo, lt, err := BindExpr(e.Lo, in)
	if err != nil {
		return nil, 0, err
	}
	hi, ht, err := BindExpr(e.Hi, in)
	if err != nil {
		return nil, 0, err
	}
	x1, lo, _, err := unify(x, xt, lo, lt, e)
	if err != nil {
		return nil, 0, err
	}
	_, hi, _, err = unify(x, xt, hi, ht, e)
	if err != nil {
		return nil, 0, err
	}
	return Between{x1, lo, hi, e.Not}, storage.TypeBool, nil
}

// BindAgg type-checks an aggregate and returns its result type.
func BindAgg(a Agg, in Schema) (Agg, storage.ColumnType, error) {
	if a.Func == AggCountStar {
		if a.Arg != nil {
			return a, 0, fmt.Errorf("%w: count(*) takes no argument", ErrInvalidPlan)
		}
		return a, storage.TypeInt64, nil
	}
	arg, t, err := BindExpr(a.Arg, in)
	if err != nil {
		return a, 0, err
	}
	a.Arg = arg
	bad := func() (Agg, storage.ColumnType, error) {
		return a, 0, fmt.Errorf("%w: %v is not defined for %v", ErrTypeMismatch, a.Func, t)
	}
	switch a.Func {
	case AggCount, AggCountDistinct:
		return a, storage.TypeInt64, nil
	case AggSum:
		switch {
		case IsInteger(t), t == storage.TypeInvalid:
			return a, storage.TypeInt64, nil
		case t == storage.TypeFloat64:
			return a, storage.TypeFloat64, nil
		}
		return bad()
	case AggAvg:
		if IsNumeric(t) || t == storage.TypeInvalid {
			return a, storage.TypeFloat64, nil
		}
		return bad()
	case AggMin, AggMax:
		if t == storage.TypeBool || t == storage.TypeBinary {
			return bad()
		}
		if t == storage.TypeInvalid {
			t = storage.TypeInt64
		}
		return a, t, nil
	}
	return a, 0, fmt.Errorf("%w: unknown aggregate %d", ErrInvalidPlan, a.Func)
}
