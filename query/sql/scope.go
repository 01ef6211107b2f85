package sql

import (
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// scope is what column names resolve to in one query: the columns of its
// FROM item, which may be qualified by the item's name (its alias, else
// the table's name).
type scope struct {
	qual  string      // "" when there is no FROM item
	table string      // the table's own name, when qual is an alias of it
	cols  plan.Schema // types are TypeInvalid when unknown
	// open: the column list is unknown (planning without the catalog), so
	// any name resolves.
	open bool
}

// emptyScope is the scope of a query without FROM.
var emptyScope = &scope{}

// resolve maps a column reference to the input column.
func (s *scope) resolve(n *tree.UnresolvedName) (plan.Expr, error) {
	if n.Star {
		return nil, unsupported("%s is only allowed in the select list and count(*)", tree.AsString(n))
	}
	col := n.Parts[0]
	if n.NumParts > 1 {
		if err := s.checkQualifier(n); err != nil {
			return nil, err
		}
	}
	if s.open {
		return plan.Col{Name: col}, nil
	}
	i, err := s.index(col, n)
	if err != nil {
		return nil, err
	}
	if s.duplicated(col) {
		return plan.ColAt{Index: i, Name: col}, nil
	}
	return plan.Col{Name: col}, nil
}

// index finds a column by name, refusing an ambiguous one.
func (s *scope) index(col string, n *tree.UnresolvedName) (int, error) {
	found := -1
	for i, c := range s.cols {
		if c.Name != col {
			continue
		}
		if found >= 0 {
			return 0, errorf(codeAmbiguousColumn, "column reference %q is ambiguous", col)
		}
		found = i
	}
	if found < 0 {
		return 0, errorf(codeUndefinedColumn, "column %s does not exist", quotedRef(n))
	}
	return found, nil
}

func (s *scope) duplicated(col string) bool {
	n := 0
	for _, c := range s.cols {
		if c.Name == col {
			n++
		}
	}
	return n > 1
}

// quotedRef prints a column reference as PostgreSQL's messages do:
// "a" for a plain name, t.a for a qualified one.
func quotedRef(n *tree.UnresolvedName) string {
	if n.NumParts == 1 {
		return `"` + n.Parts[0] + `"`
	}
	return tree.AsString(n)
}

// checkQualifier checks the table part (and schema) of t.col or
// public.t.col.
func (s *scope) checkQualifier(n *tree.UnresolvedName) error {
	table := n.Parts[1]
	if n.NumParts > 3 {
		return unsupported("cross-database references are not implemented: %q", tree.AsString(n))
	}
	if n.NumParts == 3 && n.Parts[2] != "public" {
		return errorf(codeNoSchema, "schema %q does not exist", n.Parts[2])
	}
	if s.qual == "" || table != s.qual {
		if table == s.table {
			return errorf(codeUndefinedTable, "invalid reference to FROM-clause entry for table %q", table)
		}
		return errorf(codeUndefinedTable, "missing FROM-clause entry for table %q", table)
	}
	return nil
}

// columnRef is the input column of a star's expansion.
func (s *scope) columnRef(i int) plan.Expr {
	c := s.cols[i]
	if s.duplicated(c.Name) {
		return plan.ColAt{Index: i, Name: c.Name}
	}
	return plan.Col{Name: c.Name}
}

// qualified names an input column in a message: t.a, or "a".
func (s *scope) qualified(col string) string {
	if s.qual == "" {
		return `"` + col + `"`
	}
	return `"` + s.qual + "." + col + `"`
}

// schemaScope is the scope of a node's output.
func schemaScope(qual string, cols plan.Schema) *scope {
	return &scope{qual: qual, cols: cols}
}

// namesScope is a scope whose column names are known but not their types.
func namesScope(qual string, names []string) *scope {
	cols := make(plan.Schema, len(names))
	for i, n := range names {
		cols[i] = plan.Field{Name: n, Type: storage.TypeInvalid}
	}
	return &scope{qual: qual, cols: cols}
}
