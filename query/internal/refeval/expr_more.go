package refeval

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// compileMore compiles the expressions of plan's expr_more.go, row by
// row: CASE and COALESCE evaluate a branch only for a row that reaches it
// (so its poison spreads only then), the others evaluate every argument.
func (c *compiler) compileMore(e plan.Expr, sch plan.Schema) (fn, storage.ColumnType, error) {
	switch e := e.(type) {
	case plan.Case:
		return c.compileCase(e, sch)
	case plan.Coalesce:
		return c.compileCoalesce(e, sch)
	case plan.Like:
		return c.compileLike(e, sch)
	case plan.Cast:
		return c.compileCast(e, sch)
	case plan.Func:
		return c.compileFunc(e, sch)
	}
	return nil, 0, fmt.Errorf("BUG: refeval: unknown expression %T", e)
}

// compileAll compiles expressions and returns their types too.
func (c *compiler) compileAll(es []plan.Expr, sch plan.Schema) ([]fn, []storage.ColumnType, error) {
	fns := make([]fn, len(es))
	ts := make([]storage.ColumnType, len(es))
	for i, e := range es {
		var err error
		if fns[i], ts[i], err = c.compile(e, sch); err != nil {
			return nil, nil, err
		}
	}
	return fns, ts, nil
}

// widest is the type values of the given types meet in: integers widen to
// int64, integers and floats make float64, dates and timestamps make
// timestamps; nothing typed makes text.
func widest(ts ...storage.ColumnType) storage.ColumnType {
	out := storage.TypeInvalid
	for _, t := range ts {
		switch {
		case t == storage.TypeInvalid || t == out:
		case out == storage.TypeInvalid:
			out = t
		case isNumeric(out) && isNumeric(t):
			if out == storage.TypeFloat64 || t == storage.TypeFloat64 {
				out = storage.TypeFloat64
			} else {
				out = storage.TypeInt64
			}
		case isTemporal(out) && isTemporal(t):
			out = storage.TypeTimestamp
		default:
			panic(fmt.Sprintf("BUG: refeval: types %v and %v do not meet", out, t))
		}
	}
	if out == storage.TypeInvalid {
		return storage.TypeString
	}
	return out
}

// convert gives a clean value type t, one of the types it widens to.
func convert(a cell, t storage.ColumnType) cell {
	switch {
	case a.err != nil:
		return a
	case a.v.Null:
		return nullCell(t)
	case a.v.Type == t:
		return a
	case t == storage.TypeFloat64:
		return cell{v: plan.Float64(float64(a.v.Int))}
	case t == storage.TypeInt64:
		return cell{v: plan.Int64(a.v.Int)}
	case t == storage.TypeTimestamp:
		return cell{v: plan.TimestampMicros(micros(a.v))}
	}
	panic(fmt.Sprintf("BUG: refeval: cannot widen %v to %v", a.v.Type, t))
}

func (c *compiler) compileCase(e plan.Case, sch plan.Schema) (fn, storage.ColumnType, error) {
	conds := make([]plan.Expr, len(e.Whens))
	branches := make([]plan.Expr, 0, len(e.Whens)+1)
	for i, w := range e.Whens {
		conds[i] = w.Cond
		branches = append(branches, w.Then)
	}
	if e.Else != nil {
		branches = append(branches, e.Else)
	}
	cs, _, err := c.compileAll(conds, sch)
	if err != nil {
		return nil, 0, err
	}
	bs, ts, err := c.compileAll(branches, sch)
	if err != nil {
		return nil, 0, err
	}
	t := widest(ts...)
	return func(row []cell) cell {
		for i, cond := range cs {
			k := cond(row)
			if k.err != nil {
				return k
			}
			if isTrue(k) {
				return convert(bs[i](row), t)
			}
		}
		if e.Else != nil {
			return convert(bs[len(bs)-1](row), t)
		}
		return nullCell(t)
	}, t, nil
}

func (c *compiler) compileCoalesce(e plan.Coalesce, sch plan.Schema) (fn, storage.ColumnType, error) {
	fs, ts, err := c.compileAll(e.Args, sch)
	if err != nil {
		return nil, 0, err
	}
	t := widest(ts...)
	return func(row []cell) cell {
		for _, f := range fs {
			if a := f(row); a.err != nil || !a.v.Null {
				return convert(a, t)
			}
		}
		return nullCell(t)
	}, t, nil
}

// compileLike matches by translating the pattern to a regular expression
// (the engine has its own matcher). ILIKE lower-cases both sides.
func (c *compiler) compileLike(e plan.Like, sch plan.Schema) (fn, storage.ColumnType, error) {
	x, _, err := c.compile(e.X, sch)
	if err != nil {
		return nil, 0, err
	}
	p, _, err := c.compile(e.Pattern, sch)
	if err != nil {
		return nil, 0, err
	}
	cache := map[string]*regexp.Regexp{}
	return func(row []cell) cell {
		a, b := x(row), p(row)
		switch {
		case a.err != nil:
			return a
		case b.err != nil:
			return b
		case a.v.Null || b.v.Null:
			return nullCell(storage.TypeBool)
		}
		s, pat := a.v.Str, b.v.Str
		if e.CaseInsensitive {
			s, pat = strings.ToLower(s), strings.ToLower(pat)
		}
		re, ok := cache[pat]
		if !ok {
			var err error
			if re, err = likeRegexp(pat); err != nil {
				return c.poison(err)
			}
			cache[pat] = re
		}
		return boolCell(re.MatchString(s) != e.Not)
	}, storage.TypeBool, nil
}

// likeRegexp translates a LIKE pattern: % is .*, _ is one character, a
// backslash quotes the next character; a trailing backslash is an error.
func likeRegexp(pat string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	rs := []rune(pat)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; r {
		case '\\':
			if i+1 == len(rs) {
				return nil, fmt.Errorf("%w: LIKE pattern %q ends with an escape character", plan.ErrBadValue, pat)
			}
			i++
			b.WriteString(regexp.QuoteMeta(string(rs[i])))
		case '%':
			b.WriteString(`.*`)
		case '_':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`\z`)
	return regexp.Compile(b.String())
}
