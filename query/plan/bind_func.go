package plan

import (
	"fmt"

	"github.com/stratadb/strata/storage"
)

// bindFunc type-checks a function call. Result types follow PostgreSQL
// except that round of an integer keeps its integer type: abs keeps its
// argument's type, floor and ceil make float64, lower and upper text,
// length int32 (characters of text, bytes of binary), nullif the type its
// arguments are compared in, greatest and least their unified type,
// date_part float64.
func bindFunc(e Func, in Schema) (Expr, storage.ColumnType, error) {
	name, err := canonicalFunc(e)
	if err != nil {
		return nil, 0, err
	}
	if name == FnDatePart {
		return bindDatePart(e, in)
	}
	out := Func{Name: name, Args: make([]Expr, len(e.Args))}
	types := make([]storage.ColumnType, len(e.Args))
	if name == FnGreatest || name == FnLeast {
		args, t, err := bindUnified(e.Args, in, name)
		out.Args = args
		return out, t, err
	}
	for i, a := range e.Args {
		if out.Args[i], types[i], err = BindExpr(a, in); err != nil {
			return nil, 0, err
		}
	}
	switch name {
	case FnAbs, FnRound, FnFloor, FnCeil:
		return bindMath(out, types)
	case FnLower, FnUpper:
		x, err := textArg(out.Args[0], types[0], out)
		out.Args[0] = x
		return out, storage.TypeString, err
	case FnLength:
		if types[0] == storage.TypeBinary {
			return out, storage.TypeInt32, nil
		}
		x, err := textArg(out.Args[0], types[0], out)
		out.Args[0] = x
		return out, storage.TypeInt32, err
	case FnNullIf:
		l, r, t, err := unify(out.Args[0], types[0], out.Args[1], types[1], out)
		if err != nil {
			return nil, 0, err
		}
		if t == storage.TypeInvalid {
			t = storage.TypeString
			l, r = nullAs(l, t), nullAs(r, t)
		}
		out.Args[0], out.Args[1] = l, r
		return out, t, nil
	}
	return nil, 0, fmt.Errorf("BUG: function %s has no binding", name)
}

// nullAs gives an untyped NULL constant type t.
func nullAs(x Expr, t storage.ColumnType) Expr {
	if l, ok := x.(Lit); ok && l.Value.Null && l.Value.Type == storage.TypeInvalid {
		return Lit{NullOf(t)}
	}
	return x
}

func textArg(x Expr, t storage.ColumnType, whole Expr) (Expr, error) {
	switch t {
	case storage.TypeString:
		return x, nil
	case storage.TypeInvalid:
		return nullAs(x, storage.TypeString), nil
	}
	return nil, fmt.Errorf("%w: %v needs text, not %s", ErrTypeMismatch, whole, SQLTypeName(t))
}

func bindMath(f Func, types []storage.ColumnType) (Expr, storage.ColumnType, error) {
	x, t, err := numericOperand(f.Args[0], types[0], f)
	if err != nil {
		return nil, 0, err
	}
	if t == storage.TypeInvalid {
		t = storage.TypeFloat64
		x = nullAs(x, t)
	}
	f.Args[0] = x
	if len(f.Args) == 2 {
		d, dt, err := numericOperand(f.Args[1], types[1], f)
		if err != nil {
			return nil, 0, err
		}
		if !IsInteger(dt) && dt != storage.TypeInvalid {
			return nil, 0, fmt.Errorf("%w: round's digits must be an integer, not %s: %v", ErrTypeMismatch, SQLTypeName(dt), f)
		}
		f.Args[1] = nullAs(d, storage.TypeInt64)
	}
	switch f.Name {
	case FnFloor, FnCeil:
		return f, storage.TypeFloat64, nil
	}
	return f, t, nil
}

// bindDatePart checks date_part's field, a string constant, and binds its
// argument as a timestamp (or date); the bound call names the field
// canonically.
func bindDatePart(e Func, in Schema) (Expr, storage.ColumnType, error) {
	l, ok := e.Args[0].(Lit)
	if !ok || l.Value.Type != storage.TypeString || l.Value.Null {
		return nil, 0, fmt.Errorf("%w: date_part's field must be a string constant: %v", ErrInvalidPlan, e)
	}
	p, err := ParseDatePart(l.Value.Str)
	if err != nil {
		return nil, 0, err
	}
	x, err := bindTemporal(e.Args[1], in, e.String())
	if err != nil {
		return nil, 0, err
	}
	x = nullAs(x, storage.TypeTimestamp)
	return Func{Name: FnDatePart, Args: []Expr{Lit{String(p.String())}, x}}, storage.TypeFloat64, nil
}
