package sql

import (
	"errors"
	"fmt"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// errNeedsCatalog stops planning without the catalog (at Parse) where the
// plan depends on the tables' columns (SELECT * beside other items, a
// column alias list): Prepare plans those.
var errNeedsCatalog = errors.New("sql: planning this query needs the catalog")

// maxParams bounds parameter numbers, as PostgreSQL's protocol does.
const maxParams = 65535

// planner plans the queries of one statement. Planning without a catalog
// (at Parse) resolves names syntactically and infers nothing.
type planner struct {
	cat Catalog
	// params[i] is the type of $i+1 (TypeInvalid until known); it grows to
	// the highest parameter number seen.
	params []storage.ColumnType
	hinted []bool
	// limits records the LIMIT and OFFSET parameters of Limit nodes.
	limits map[*plan.Limit]limitParams
	// clock holds the clock values ($clockParamBase+k) until Bind (clock.go).
	clock []tconst
}

// limitParams are the parameter numbers of a LIMIT and its OFFSET (0: a
// constant).
type limitParams struct{ count, offset int }

func newPlanner(cat Catalog, hints []storage.ColumnType) *planner {
	p := &planner{cat: cat}
	for i, h := range hints {
		if h != storage.TypeInvalid {
			p.param(i + 1)
			p.params[i] = h
			p.hinted[i] = true
		}
	}
	for len(p.params) < len(hints) {
		p.params = append(p.params, storage.TypeInvalid)
		p.hinted = append(p.hinted, false)
	}
	return p
}

// param notes a use of $i.
func (p *planner) param(i int) (plan.Param, error) {
	if i < 1 || i > maxParams {
		return plan.Param{}, errorf(codeUndefinedParam, "there is no parameter $%d", i)
	}
	for len(p.params) < i {
		p.params = append(p.params, storage.TypeInvalid)
		p.hinted = append(p.hinted, false)
	}
	return plan.Param{Index: i}, nil
}

// paramType is the type of $i known so far.
func (p *planner) paramType(i int) storage.ColumnType {
	if k := i - clockParamBase; k >= 0 && k < len(p.clock) {
		return p.clock[k].typ
	}
	if i >= 1 && i <= len(p.params) {
		return p.params[i-1]
	}
	return storage.TypeInvalid
}

// setParam gives $i type t unless it has one; it reports a change.
func (p *planner) setParam(i int, t storage.ColumnType) bool {
	if t == storage.TypeInvalid || i < 1 || i > len(p.params) || p.params[i-1] != storage.TypeInvalid {
		return false
	}
	p.params[i-1] = t
	return true
}

// checkParams fails on a parameter whose type is still unknown.
func (p *planner) checkParams() error {
	for i, t := range p.params {
		if t == storage.TypeInvalid {
			return errorf(codeIndeterminate, "could not determine data type of parameter $%d", i+1)
		}
	}
	return nil
}

// tableDef looks a table up in the catalog.
func (p *planner) tableDef(name string, asOf uint64) (*storage.TableDef, error) {
	def, err := p.cat.TableDef(name, asOf)
	switch {
	case errors.Is(err, storage.ErrNoTable):
		return nil, &Error{Code: codeUndefinedTable, Message: fmt.Sprintf("relation %q does not exist", name), Err: err}
	case errors.Is(err, storage.ErrFutureVersion):
		return nil, &Error{Code: codeBadParamValue, Message: fmt.Sprintf("version %d of %q is not applied yet", asOf, name), Err: err}
	case err != nil:
		return nil, asError(err)
	}
	return def, nil
}
