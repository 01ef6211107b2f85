package sql

import (
	"strings"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
)

// SELECT ... FROM t AS OF VERSION n reads the snapshot at version n. No
// PostgreSQL grammar has it; CockroachDB's has FROM ... AS OF SYSTEM TIME
// expr in exactly that place (after the FROM list, before WHERE). So
// before parsing, a lexical pass rewrites, outside strings, identifiers
// and comments, every `AS OF VERSION <integer>` into
// `AS OF SYSTEM TIME <integer>`, and the planner reads an integer AS OF
// SYSTEM TIME back as a version (so that spelling is accepted too; any
// other AS OF SYSTEM TIME value is refused). It applies to every table of
// that FROM clause, including those of its subqueries that do not say
// otherwise. Error positions are mapped back to the text as written.

// rewritten is a statement's text after the rewrite, with what maps a
// byte offset in it back to the original.
type rewritten struct {
	text  string
	edits []edit
}

// edit replaced the original bytes [origPos, origEnd) with the rewritten
// bytes [newPos, newEnd).
type edit struct{ newPos, newEnd, origPos, origEnd int }

func rewriteAsOf(pc piece) rewritten {
	toks := pc.toks
	var b strings.Builder
	var edits []edit
	last := 0
	for i := 0; i+3 < len(toks); i++ {
		if !(toks[i].is("as") && toks[i+1].is("of") && toks[i+2].is("version") && toks[i+3].kind == tokNumber) {
			continue
		}
		v := toks[i+2]
		b.WriteString(pc.text[last:v.pos])
		newPos := b.Len()
		b.WriteString("SYSTEM TIME")
		edits = append(edits, edit{newPos, b.Len(), v.pos, v.end})
		last = v.end
	}
	if len(edits) == 0 {
		return rewritten{text: pc.text}
	}
	b.WriteString(pc.text[last:])
	return rewritten{text: b.String(), edits: edits}
}

// orig maps a byte offset in the rewritten text to the original text.
func (r rewritten) orig(p int) int {
	shift := 0
	for _, e := range r.edits {
		switch {
		case p >= e.newEnd:
			shift += (e.origEnd - e.origPos) - (e.newEnd - e.newPos)
		case p >= e.newPos:
			return e.origPos
		default:
			return p + shift
		}
	}
	return p + shift
}

// asOfVersion reads the version of a FROM clause's AS OF (0: none).
func asOfVersion(c tree.AsOfClause) (uint64, error) {
	if c.Expr == nil {
		return 0, nil
	}
	if n, ok := c.Expr.(*tree.NumVal); ok {
		v, err := n.AsInt64()
		if err == nil && v > 0 {
			return uint64(v), nil
		}
		if err == nil {
			return 0, errorf(codeBadParamValue, "AS OF VERSION %d: a version is a positive integer", v)
		}
	}
	return 0, unsupported("AS OF SYSTEM TIME %s is not supported: use AS OF VERSION n", tree.AsString(c.Expr))
}
