package pgcatalog

import (
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
)

// tableFunc is a set-returning function usable in FROM.
type tableFunc struct {
	min, max int
	args     []uint32 // coercions (0: any)
	cols     func(args []*expr) []column
	gen      func(ec *evalCtx, args []any, types []uint32) ([][]any, error)
}

var tableFuncs = map[string]tableFunc{
	"generate_series": {min: 2, max: 3, args: []uint32{oidInt8, oidInt8, oidInt8},
		cols: func(args []*expr) []column {
			t := oidInt4
			for _, a := range args {
				if a.typ == oidInt8 {
					t = oidInt8
				}
			}
			return []column{{"generate_series", t}}
		},
		gen: generateSeries},
	"unnest": {min: 1, max: 1, args: []uint32{0},
		cols: func(args []*expr) []column { return []column{{"unnest", elemType(args[0].typ)}} },
		gen: func(ec *evalCtx, args []any, _ []uint32) ([][]any, error) {
			a, _ := args[0].([]any)
			if err := ec.tick(len(a)); err != nil {
				return nil, err
			}
			out := make([][]any, len(a))
			for i, v := range a {
				out[i] = []any{v}
			}
			return out, nil
		}},
}

func generateSeries(ec *evalCtx, args []any, _ []uint32) ([][]any, error) {
	if args[0] == nil || args[1] == nil {
		return nil, nil
	}
	start, stop, step := toInt(args[0]), toInt(args[1]), int64(1)
	if len(args) > 2 {
		if args[2] == nil {
			return nil, nil
		}
		step = toInt(args[2])
	}
	if step == 0 {
		return nil, errorf(codeInvalidParameter, "step size cannot equal zero")
	}
	var out [][]any
	for i := start; step > 0 && i <= stop || step < 0 && i >= stop; i += step {
		if err := ec.tick(1); err != nil {
			return nil, err
		}
		if err := ec.hold(1); err != nil {
			return nil, err
		}
		out = append(out, []any{i})
		if next := i + step; (next > i) != (step > 0) {
			break // overflow
		}
	}
	return out, nil
}

// funcScan is a function in FROM. Its arguments see the FROM items to its
// left (it is run once per left row).
type funcScan struct {
	args  []*expr
	types []uint32
	cols  []column
	gen   func(ec *evalCtx, args []any, types []uint32) ([][]any, error)
}

func (s *funcScan) columns() []column { return s.cols }

func (s *funcScan) rows(ec *evalCtx, f *frame) ([][]any, error) {
	vals, err := evalAll(ec, s.args, f)
	if err != nil {
		return nil, err
	}
	return s.gen(ec, vals, s.types)
}

// compileFuncScan compiles ROWS FROM (f(...)) / f(...) in FROM: a
// set-returning function, or any scalar function as a one-row table.
func (c *compiler) compileFuncScan(rf *tree.RowsFromExpr, left *scope, alias string) (node, string, error) {
	if len(rf.Items) != 1 {
		return nil, "", unsupported("ROWS FROM with several functions")
	}
	fe, ok := rf.Items[0].(*tree.FuncExpr)
	if !ok {
		return nil, "", unsupported(describe(rf.Items[0]))
	}
	name := funcName(fe)
	colName := name
	if alias != "" {
		colName = alias
	}
	tf, ok := tableFuncs[name]
	if !ok {
		x, err := c.compileFunc(fe, left)
		if err != nil {
			return nil, "", err
		}
		return &funcScan{args: []*expr{x}, types: []uint32{x.typ}, cols: []column{{colName, x.typ}},
			gen: func(_ *evalCtx, args []any, _ []uint32) ([][]any, error) { return [][]any{{args[0]}}, nil },
		}, name, nil
	}
	if len(fe.Exprs) < tf.min || len(fe.Exprs) > tf.max {
		return nil, "", errorf(codeUndefinedFunction, "function %s with %d arguments does not exist", name, len(fe.Exprs))
	}
	args := make([]*expr, len(fe.Exprs))
	types := make([]uint32, len(fe.Exprs))
	for i, a := range fe.Exprs {
		x, err := c.compileExpr(a, left)
		if err != nil {
			return nil, "", err
		}
		if want := tf.args[min(i, len(tf.args)-1)]; want != 0 {
			if name == "generate_series" && kindOf(x.typ) == kInt {
				want = x.typ // keep int4's width for the column type
			}
			x = c.coerce(x, want)
		}
		if name == "unnest" && kindOf(x.typ) != kArray {
			if x.typ != oidUnknown {
				return nil, "", errorf(codeUndefinedFunction, "function unnest(%s) does not exist", typeName(x.typ))
			}
			x = c.coerce(x, oidTextArray)
		}
		args[i], types[i] = x, x.typ
	}
	cols := tf.cols(args)
	if len(cols) == 1 {
		cols[0].name = colName
	}
	return &funcScan{args: args, types: types, cols: cols, gen: tf.gen}, name, nil
}
