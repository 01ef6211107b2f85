package pgcatalog

import (
	"strings"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
)

// funcDef is a scalar function.
type funcDef struct {
	min, max int      // argument counts; max -1: any number
	args     []uint32 // argument types to coerce to (0: any); the last repeats
	ret      uint32   // result type, unless retFn computes it
	retFn    func(args []*expr) uint32
	lazy     bool // NULL arguments are passed in (else any NULL gives NULL)
	fn       func(ec *evalCtx, args []any, types []uint32) (any, error)
}

// funcName is a call's function name, lower case, without its schema.
func funcName(fe *tree.FuncExpr) string {
	if n, ok := fe.Func.FunctionReference.(*tree.UnresolvedName); ok {
		return strings.ToLower(n.Parts[0])
	}
	return strings.ToLower(fe.Func.String())
}

func funcSchema(fe *tree.FuncExpr) string {
	if n, ok := fe.Func.FunctionReference.(*tree.UnresolvedName); ok && n.NumParts > 1 {
		return n.Parts[1]
	}
	return ""
}

func (c *compiler) compileFunc(fe *tree.FuncExpr, sc *scope) (*expr, error) {
	name := funcName(fe)
	if schema := funcSchema(fe); schema != "" && schema != "pg_catalog" && schema != "information_schema" {
		return nil, errorf(codeUndefinedFunction, "function %s.%s does not exist", schema, name)
	}
	if fe.WindowDef != nil {
		return c.compileWindow(fe, name, sc)
	}
	if aggregates[name] {
		return c.compileAggregate(fe, name, sc)
	}
	if fe.Type != 0 || fe.Filter != nil || len(fe.OrderBy) > 0 {
		return nil, errorf(codeSyntax, "DISTINCT, FILTER and ORDER BY are only for aggregate functions, not %s", name)
	}
	switch name {
	case "greatest", "least":
		return c.compileGreatest(fe.Exprs, name == "greatest", sc)
	case "coalesce":
		return c.compileCoalesce(fe.Exprs, sc)
	}
	def, ok := scalarFuncs[name]
	if !ok {
		if _, table := tableFuncs[name]; table {
			return nil, unsupported("set-returning function " + name + " outside FROM")
		}
		return nil, errorf(codeUndefinedFunction, "function %s does not exist", name)
	}
	if len(fe.Exprs) < def.min || def.max >= 0 && len(fe.Exprs) > def.max {
		return nil, errorf(codeUndefinedFunction, "function %s with %d arguments does not exist", name, len(fe.Exprs))
	}
	args := make([]*expr, len(fe.Exprs))
	for i, a := range fe.Exprs {
		if _, star := a.(tree.UnqualifiedStar); star {
			return nil, errorf(codeSyntax, "%s(*) is not valid", name)
		}
		x, err := c.compileExpr(a, sc)
		if err != nil {
			return nil, err
		}
		want := uint32(0)
		if len(def.args) > 0 {
			want = def.args[min(i, len(def.args)-1)]
		}
		switch {
		case want != 0:
			x = c.coerce(x, want)
		case x.typ == oidUnknown:
			x = c.coerce(x, oidText)
		}
		args[i] = x
	}
	typ := def.ret
	if def.retFn != nil {
		typ = def.retFn(args)
	}
	types := make([]uint32, len(args))
	for i, a := range args {
		types[i] = a.typ
	}
	return &expr{typ: typ, eval: func(ec *evalCtx, f *frame) (any, error) {
		vals := make([]any, len(args))
		for i, a := range args {
			v, err := a.eval(ec, f)
			if err != nil {
				return nil, err
			}
			if v == nil && !def.lazy {
				return nil, nil
			}
			vals[i] = v
		}
		return def.fn(ec, vals, types)
	}}, nil
}

func (c *compiler) compileGreatest(exprs tree.Exprs, greatest bool, sc *scope) (*expr, error) {
	xs, typ, err := c.compileCommon(exprs, sc)
	if err != nil {
		return nil, err
	}
	return &expr{typ: typ, eval: func(ec *evalCtx, f *frame) (any, error) {
		var best any
		for _, x := range xs {
			v, err := x.eval(ec, f)
			if err != nil {
				return nil, err
			}
			if v == nil {
				continue
			}
			if best == nil || (compare(v, best) > 0) == greatest && compare(v, best) != 0 {
				best = v
			}
		}
		return best, nil
	}}, nil
}

// Helpers for the function table.

func retArg(i int) func([]*expr) uint32 {
	return func(args []*expr) uint32 {
		if i < len(args) {
			return args[i].typ
		}
		return oidText
	}
}

func constFunc(typ uint32, v any) funcDef {
	return funcDef{max: 0, ret: typ, fn: func(*evalCtx, []any, []uint32) (any, error) { return v, nil }}
}

// nullFunc answers NULL: definitions Strata does not have (indexes,
// constraints, defaults, comments, ...).
func nullFunc(min, max int, typ uint32) funcDef {
	return funcDef{min: min, max: max, ret: typ, lazy: true,
		fn: func(*evalCtx, []any, []uint32) (any, error) { return nil, nil }}
}

// trueFunc answers true: privilege checks (the session's user is a
// superuser) and visibility of objects Strata has no more of.
func trueFunc(min, max int) funcDef {
	return funcDef{min: min, max: max, ret: oidBool, lazy: true,
		fn: func(*evalCtx, []any, []uint32) (any, error) { return true, nil }}
}

func textFunc(min, max int, fn func(ec *evalCtx, s []string) (any, error)) funcDef {
	return funcDef{min: min, max: max, args: []uint32{oidText}, ret: oidText,
		fn: func(ec *evalCtx, args []any, types []uint32) (any, error) {
			s := make([]string, len(args))
			for i, a := range args {
				s[i] = textOf(ec, a, types[i])
			}
			return fn(ec, s)
		}}
}

func argText(ec *evalCtx, args []any, types []uint32, i int) string {
	if i >= len(args) || args[i] == nil {
		return ""
	}
	return textOf(ec, args[i], types[i])
}

func argInt(args []any, i int) int64 {
	if i >= len(args) {
		return 0
	}
	return toInt(args[i])
}
