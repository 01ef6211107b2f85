package plan

import (
	"errors"
	"fmt"

	"github.com/stratadb/strata/storage"
)

// bindMore binds the expressions of expr_more.go.
func bindMore(e Expr, in Schema) (Expr, storage.ColumnType, error) {
	switch e := e.(type) {
	case Case:
		return bindCase(e, in)
	case Coalesce:
		if len(e.Args) == 0 {
			return nil, 0, fmt.Errorf("%w: coalesce without arguments", ErrInvalidPlan)
		}
		args, t, err := bindUnified(e.Args, in, "COALESCE")
		return Coalesce{args}, t, err
	case Like:
		return bindLike(e, in)
	case Cast:
		return bindCast(e, in)
	case Func:
		return bindFunc(e, in)
	case Param:
		return nil, 0, fmt.Errorf("%w: parameter $%d has no value", ErrInvalidPlan, e.Index)
	}
	return nil, 0, fmt.Errorf("%w: unknown expression %T", ErrInvalidPlan, e)
}

func bindCase(e Case, in Schema) (Expr, storage.ColumnType, error) {
	if len(e.Whens) == 0 {
		return nil, 0, fmt.Errorf("%w: CASE without WHEN", ErrInvalidPlan)
	}
	out := Case{Whens: make([]When, len(e.Whens))}
	branches := make([]Expr, 0, len(e.Whens)+1)
	for i, w := range e.Whens {
		c, err := bindBool(w.Cond, in, "CASE/WHEN")
		if err != nil {
			return nil, 0, err
		}
		out.Whens[i].Cond = c
		branches = append(branches, w.Then)
	}
	if e.Else != nil {
		branches = append(branches, e.Else)
	}
	bound, t, err := bindUnified(branches, in, "CASE")
	if err != nil {
		return nil, 0, err
	}
	for i := range out.Whens {
		out.Whens[i].Then = bound[i]
	}
	if e.Else != nil {
		out.Else = bound[len(bound)-1]
	}
	return out, t, nil
}

// bindUnified binds expressions whose values meet in one column (CASE
// branches, COALESCE, GREATEST and LEAST arguments, a VALUES column).
func bindUnified(es []Expr, in Schema, what string) ([]Expr, storage.ColumnType, error) {
	xs := make([]Expr, len(es))
	ts := make([]storage.ColumnType, len(es))
	for i, e := range es {
		var err error
		if xs[i], ts[i], err = BindExpr(e, in); err != nil {
			return nil, 0, err
		}
	}
	return unifyAll(xs, ts, what)
}

// unifyAll gives bound expressions their common type, as PostgreSQL
// resolves CASE and UNION types: the typed ones decide it (integers widen
// to int64, integers with floats make float64, dates with timestamps make
// timestamps), and untyped constants (string literals, NULL) are read as
// that type; when nothing is typed the result is text. It returns the
// expressions with constants coerced and the result type, to which the
// engine converts every value.
func unifyAll(xs []Expr, ts []storage.ColumnType, what string) ([]Expr, storage.ColumnType, error) {
	t := storage.TypeInvalid
	for i, x := range xs {
		if untypedLit(x, ts[i]) {
			continue
		}
		c, ok := CommonType(t, ts[i])
		if !ok {
			return nil, 0, fmt.Errorf("%w: %s types %s and %s cannot be matched", ErrTypeMismatch, what, SQLTypeName(t), SQLTypeName(ts[i]))
		}
		t = c
	}
	if t == storage.TypeInvalid {
		t = storage.TypeString
	}
	out := make([]Expr, len(xs))
	final := storage.TypeInvalid
	for i, x := range xs {
		xt := ts[i]
		if untypedLit(x, xt) {
			v, err := coerceLiteral(x.(Lit).Value, t)
			if err != nil {
				return nil, 0, err
			}
			x, xt = Lit{v}, v.Type
		}
		out[i] = x
		// A literal read as an int32 column's peer comes back int64.
		final, _ = CommonType(final, xt)
	}
	if final == storage.TypeInvalid {
		final = storage.TypeString
	}
	return out, final, nil
}

func untypedLit(x Expr, t storage.ColumnType) bool {
	_, ok := x.(Lit)
	return ok && (t == storage.TypeString || t == storage.TypeInvalid)
}

func bindLike(e Like, in Schema) (Expr, storage.ColumnType, error) {
	x, err := bindText(e.X, in, e)
	if err != nil {
		return nil, 0, err
	}
	p, err := bindText(e.Pattern, in, e)
	if err != nil {
		return nil, 0, err
	}
	return Like{X: x, Pattern: p, Not: e.Not, CaseInsensitive: e.CaseInsensitive}, storage.TypeBool, nil
}

// bindText binds an argument that must be text (a NULL becomes a text NULL).
func bindText(e Expr, in Schema, whole Expr) (Expr, error) {
	x, t, err := BindExpr(e, in)
	if err != nil {
		return nil, err
	}
	switch t {
	case storage.TypeString:
		return x, nil
	case storage.TypeInvalid:
		if _, ok := x.(Lit); ok {
			return Lit{NullOf(storage.TypeString)}, nil
		}
		return x, nil
	}
	return nil, fmt.Errorf("%w: %v needs text, not %s", ErrTypeMismatch, whole, SQLTypeName(t))
}

// bindCast checks the conversion exists and folds the cast of a constant,
// as PostgreSQL reads a typed literal while planning: a string that does
// not parse fails here. A constant out of the target's range is left to
// the engine, which raises its overflow error if a row needs the value.
func bindCast(e Cast, in Schema) (Expr, storage.ColumnType, error) {
	if !e.To.Valid() {
		return nil, 0, fmt.Errorf("%w: cast to unknown type %v", ErrInvalidPlan, e.To)
	}
	x, t, err := BindExpr(e.X, in)
	if err != nil {
		return nil, 0, err
	}
	if !CanCast(t, e.To) {
		return nil, 0, fmt.Errorf("%w: cannot cast type %s to %s: %v", ErrTypeMismatch, SQLTypeName(t), SQLTypeName(e.To), e)
	}
	// A cast to text stays: folded, it would be a string literal, which
	// binding reads as untyped ('2' = int_column), not as text.
	if l, ok := x.(Lit); ok && e.To != storage.TypeString {
		v, err := CastValue(l.Value, e.To)
		switch {
		case err == nil:
			return Lit{v}, e.To, nil
		case !errors.Is(err, ErrOutOfRange):
			return nil, 0, err
		}
	}
	return Cast{X: x, To: e.To}, e.To, nil
}
