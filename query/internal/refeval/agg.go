package refeval

import (
	"cmp"
	"fmt"
	"math"
	"math/big"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// acc accumulates one aggregate of one group.
type acc struct {
	fn       plan.AggFunc
	argType  storage.ColumnType
	outType  storage.ColumnType
	n        int64    // rows (count(*)) or non-NULL values
	isum     *big.Int // exact integer sum
	fsum     float64  // float sum, in row order
	fabs     float64  // sum of the finite values' magnitudes
	best     plan.Value
	has      bool
	distinct map[string]bool
	err      error   // a poisoned argument
	inApprox float64 // error bounds carried in by inexact inputs
	inexact  bool    // some input was inexact
	zeros    [2]bool // min/max saw -0, 0: then a zero result's sign is order's
}

func (a *acc) add(c cell) {
	if a.fn == plan.AggCountStar {
		a.n++
		return
	}
	if c.err != nil {
		if a.err == nil {
			a.err = c.err
		}
		return
	}
	if c.v.Null {
		return
	}
	a.n++
	if c.approx > 0 {
		a.inexact = true
		if a.fn == plan.AggMin || a.fn == plan.AggMax {
			a.inApprox = math.Max(a.inApprox, c.approx)
		} else {
			a.inApprox += c.approx
		}
	}
	switch a.fn {
	case plan.AggSum, plan.AggAvg:
		if a.argType == storage.TypeFloat64 {
			a.fsum += c.v.Float
			if !math.IsInf(c.v.Float, 0) && !math.IsNaN(c.v.Float) {
				a.fabs += math.Abs(c.v.Float)
			}
		} else {
			a.isum.Add(a.isum, big.NewInt(c.v.Int))
		}
	case plan.AggMin, plan.AggMax:
		if c.v.Type == storage.TypeFloat64 && c.v.Float == 0 {
			if math.Signbit(c.v.Float) {
				a.zeros[0] = true
			} else {
				a.zeros[1] = true
			}
		}
	}
	switch a.fn {
	case plan.AggMin:
		if !a.has || Compare(c.v, a.best) < 0 {
			a.best, a.has = c.v, true
		}
	case plan.AggMax:
		if !a.has || Compare(c.v, a.best) > 0 {
			a.best, a.has = c.v, true
		}
	case plan.AggCountDistinct:
		a.distinct[string(appendKey(nil, c.v))] = true
	}
}

// result finishes the aggregate; an integer sum that does not fit int64 is
// an overflow, raised only if something needs the value.
func (a *acc) result(r *run) cell {
	if a.err != nil {
		return cell{err: a.err}
	}
	switch a.fn {
	case plan.AggCountStar, plan.AggCount:
		return cell{v: plan.Int64(a.n)}
	case plan.AggCountDistinct:
		if a.inexact {
			r.unstable = true // which inexact values are distinct is unknown
		}
		return cell{v: plan.Int64(int64(len(a.distinct)))}
	}
	if a.n == 0 {
		return nullCell(a.outType)
	}
	switch a.fn {
	case plan.AggSum:
		if a.argType == storage.TypeFloat64 {
			r.checkStable(a)
			return cell{v: plan.Float64(a.fsum), approx: a.sumApprox()}
		}
		if !a.isum.IsInt64() {
			return r.comp.poison(fmt.Errorf("%w: sum %v", ErrOverflow, a.isum))
		}
		return cell{v: plan.Int64(a.isum.Int64())}
	case plan.AggAvg:
		if a.argType == storage.TypeFloat64 {
			r.checkStable(a)
			return cell{v: plan.Float64(a.fsum / float64(a.n)), approx: a.sumApprox() / float64(a.n)}
		}
		f, _ := new(big.Rat).SetFrac(a.isum, big.NewInt(a.n)).Float64()
		return cell{v: plan.Float64(f)}
	case plan.AggMin, plan.AggMax:
		out := retype(cell{v: a.best, approx: a.inApprox}, a.outType)
		out.signless = a.zeros[0] && a.zeros[1] && a.best.Type == storage.TypeFloat64 && a.best.Float == 0
		return out
	}
	panic(fmt.Sprintf("BUG: refeval: aggregate %v", a.fn))
}

// sumApprox bounds how far another order of addition can move a float
// sum: two values add the same either way, three or more may round
// differently (n·ε·Σ|x|, plus what the inputs carried in).
func (a *acc) sumApprox() float64 {
	e := a.inApprox
	if a.n >= 3 && !math.IsInf(a.fsum, 0) && !math.IsNaN(a.fsum) {
		e += float64(a.n) * 0x1p-52 * a.fabs
	}
	return e
}

// checkStable flags the run when a float sum is ill-conditioned: the
// rounding error of adding its values in another order (n·ε·Σ|x|) could
// exceed the tolerance answers are compared with (1e-9 relative), as when
// huge values cancel out. Infinities and NaNs do not count: they give the
// same result in any order.
func (r *run) checkStable(a *acc) {
	bound := float64(a.n) * 0x1p-52 * a.fabs
	if math.IsInf(a.fsum, 0) || math.IsNaN(a.fsum) {
		return
	}
	if bound > 1e-9*math.Max(math.Abs(a.fsum), 1) {
		r.unstable = true
	}
}

// aggSpec is a compiled aggregate call.
type aggSpec struct {
	fn       plan.AggFunc
	arg      fn // nil for count(*)
	argType  storage.ColumnType
	outType  storage.ColumnType
	distinct bool
}

func (s aggSpec) newAcc() *acc {
	a := &acc{fn: s.fn, argType: s.argType, outType: s.outType, isum: new(big.Int)}
	if s.fn == plan.AggCountDistinct {
		a.distinct = map[string]bool{}
	}
	return a
}

func (r *run) compileAgg(a plan.Agg, sch plan.Schema) (aggSpec, error) {
	s := aggSpec{fn: a.Func, outType: storage.TypeInt64}
	if a.Func != plan.AggCountStar {
		f, t, err := r.comp.compile(a.Arg, sch)
		if err != nil {
			return s, err
		}
		s.arg, s.argType = f, t
	}
	switch a.Func {
	case plan.AggSum:
		if s.argType == storage.TypeFloat64 {
			s.outType = storage.TypeFloat64
		}
	case plan.AggAvg:
		s.outType = storage.TypeFloat64
	case plan.AggMin, plan.AggMax:
		if s.argType != storage.TypeInvalid {
			s.outType = s.argType
		}
	}
	return s, nil
}

// group is one group's keys and accumulators. err poisons the group's
// row when one of its input rows' existence was poisoned.
type group struct {
	keys []cell
	accs []*acc
	err  error
}

// aggregate groups rows by the keys' values (NULLs together, -0 with 0,
// NaNs together). A poisoned key is a definite error: no engine can place
// the row without it.
func (r *run) aggregate(n *plan.Aggregate) (*rel, error) {
	in, err := r.node(n.Input)
	if err != nil {
		return nil, err
	}
	out := &rel{}
	keyFns := make([]fn, len(n.GroupBy))
	for i, g := range n.GroupBy {
		f, t, err := r.comp.compile(g.Expr, in.schema)
		if err != nil {
			return nil, err
		}
		if t == storage.TypeInvalid {
			t = storage.TypeString
		}
		keyFns[i] = f
		out.schema = append(out.schema, plan.Field{Name: g.Name, Type: t})
	}
	specs := make([]aggSpec, len(n.Aggs))
	for i, a := range n.Aggs {
		if specs[i], err = r.compileAgg(a.Agg, in.schema); err != nil {
			return nil, err
		}
		out.schema = append(out.schema, plan.Field{Name: a.Name, Type: specs[i].outType})
	}
	groups, err := r.group(in, keyFns, specs, out.schema)
	if err != nil {
		return nil, err
	}
	if len(groups) == 0 && len(n.GroupBy) == 0 {
		groups = append(groups, newGroup(nil, specs))
	}
	for _, g := range groups {
		cells := append([]cell(nil), g.keys...)
		for _, a := range g.accs {
			cells = append(cells, a.result(r))
		}
		out.rows = append(out.rows, tuple{cells: cells, err: g.err})
	}
	return out, nil
}

func newGroup(keys []cell, specs []aggSpec) *group {
	g := &group{keys: keys, accs: make([]*acc, len(specs))}
	for i, s := range specs {
		g.accs[i] = s.newAcc()
	}
	return g
}

func (r *run) group(in *rel, keyFns []fn, specs []aggSpec, sch plan.Schema) ([]*group, error) {
	byKey := map[string]*group{}
	var order []*group
	var keyErr error
	for _, t := range in.rows {
		keys := make([]cell, len(keyFns))
		var id []byte
		var err error
		for i, f := range keyFns {
			c := f(t.cells)
			if c.err != nil && err == nil {
				err = c.err
			}
			keys[i] = retype(c, sch[i].Type)
			if k := keys[i].v; k.Type == storage.TypeFloat64 && !k.Null && k.Float == 0 {
				keys[i].signless = true
			}
			if c.approx > 0 {
				r.unstable = true // rows may fall into other groups
			}
			id = appendKey(id, keys[i].v)
		}
		if err != nil {
			// Definite, but evaluate the rest so that every error an
			// engine may meet first is noted.
			keyErr = cmp.Or(keyErr, err)
			for _, s := range specs {
				if s.arg != nil {
					s.arg(t.cells)
				}
			}
			continue
		}
		g, ok := byKey[string(id)]
		if !ok {
			g = newGroup(keys, specs)
			byKey[string(id)] = g
			order = append(order, g)
		}
		if t.err != nil && g.err == nil {
			g.err = t.err
		}
		for i, s := range specs {
			var c cell
			if s.arg != nil {
				c = s.arg(t.cells)
			}
			g.accs[i].add(c)
		}
	}
	if keyErr != nil {
		return nil, keyErr
	}
	for _, g := range order {
		for _, a := range g.accs {
			a.result(r) // notes sum overflows
		}
	}
	return order, nil
}
