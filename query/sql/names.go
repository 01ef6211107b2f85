package sql

import (
	"strings"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/types"
)

// Output column names follow PostgreSQL's FigureColname: a column's name,
// a function's name (count, sum, date_trunc, coalesce, nullif, ...), for a
// cast the name of what is cast or else the type's name (int4, text,
// date), for CASE the name of its ELSE or else "case", and ?column? for
// anything else (operators, constants).

const noName = "?column?"

// columnName is the name PostgreSQL gives an unaliased select item.
func columnName(e tree.Expr) string {
	if name, _ := figureName(e); name != "" {
		return name
	}
	return noName
}

// figureName returns a name and its strength: 2 for a column or
// function name, 1 for a type name or "case", 0 for none.
func figureName(e tree.Expr) (string, int) {
	switch e := e.(type) {
	case *tree.ParenExpr:
		return figureName(e.Expr)
	case *tree.UnresolvedName:
		if e.Star {
			return "", 0
		}
		return e.Parts[0], 2
	case *tree.FuncExpr:
		return funcName(e), 2
	case *tree.NullIfExpr:
		return "nullif", 2
	case *tree.CoalesceExpr:
		return "coalesce", 2
	case *tree.CaseExpr:
		if e.Else != nil {
			if name, s := figureName(e.Else); s > 1 {
				return name, s
			}
		}
		return "case", 1
	case *tree.CastExpr:
		if name, s := figureName(e.Expr); s > 1 {
			return name, s
		}
		if t, ok := tree.GetStaticallyKnownType(e.Type); ok {
			return pgTypeName(t), 1
		}
	case *tree.Array, *tree.ArrayFlatten:
		return "array", 2
	case *tree.Tuple:
		return "row", 2
	}
	return "", 0
}

// funcName is a function call's name, lower case, without its schema.
func funcName(f *tree.FuncExpr) string {
	name := strings.ToLower(f.Func.String())
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	return strings.Trim(name, `"`)
}

// pgTypeName is PostgreSQL's internal name of a type (int4, float8).
func pgTypeName(t *types.T) (name string) {
	defer func() {
		if recover() != nil {
			name = t.SQLStandardName()
		}
	}()
	return t.PGName()
}
