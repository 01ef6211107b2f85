package sql

import (
	"errors"
	"fmt"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// Columns of the statements that answer rows the server builds: the one
// definition both the wire protocol's row description (through Prepare)
// and the server's rows use.
var (
	ShowTablesColumns = []Column{
		{Name: "table_name", Type: storage.TypeString},
		{Name: "rows", Type: storage.TypeInt64},
		{Name: "columns", Type: storage.TypeInt64},
		{Name: "partitions", Type: storage.TypeInt64},
		{Name: "latest_version", Type: storage.TypeInt64},
	}
	DescribeColumns = []Column{
		{Name: "column_name", Type: storage.TypeString},
		{Name: "data_type", Type: storage.TypeString},
		{Name: "nullable", Type: storage.TypeBool},
		{Name: "partition_key", Type: storage.TypeBool},
		{Name: "sort_key", Type: storage.TypeInt32},
	}
	ShowVersionsColumns = []Column{
		{Name: "version", Type: storage.TypeInt64},
		{Name: "kind", Type: storage.TypeString},
		{Name: "rows", Type: storage.TypeInt64},
		{Name: "rolled_back_to", Type: storage.TypeInt64},
	}
	// ShowAllColumns answer SHOW ALL; SHOW name answers one text column
	// named after the setting.
	ShowAllColumns = []Column{
		{Name: "name", Type: storage.TypeString},
		{Name: "setting", Type: storage.TypeString},
		{Name: "description", Type: storage.TypeString},
	}
	// ExplainColumns answer EXPLAIN: one line of the plan a row.
	ExplainColumns = []Column{{Name: "QUERY PLAN", Type: storage.TypeString}}
)

func prepare(stmt Statement, cat Catalog, hints []storage.ColumnType) (*Prepared, error) {
	if cat == nil {
		cat = noTables{}
	}
	switch s := stmt.(type) {
	case *Select:
		return prepareSelect(s, cat, hints)
	case *Insert:
		return prepareInsert(s, cat, hints)
	case *CreateTable:
		if _, err := cat.TableDef(s.Def.Name, 0); err == nil && !s.IfNotExists {
			return nil, errorf(codeDuplicateTable, "relation %q already exists", s.Def.Name)
		}
	case *DropTable:
		if err := tableExists(cat, s.Name); err != nil && !s.IfExists {
			return nil, err
		}
	case *RollbackTable:
		return prepared(s, hints, nil, tableExists(cat, s.Table))
	case *ShowVersions:
		return prepared(s, hints, ShowVersionsColumns, tableExists(cat, s.Table))
	case *Describe:
		return prepared(s, hints, DescribeColumns, tableExists(cat, s.Table))
	case *ShowTables:
		return prepared(s, hints, ShowTablesColumns, nil)
	case *ShowPipelines:
		return prepared(s, hints, ShowPipelinesColumns, nil)
	case *ShowVar:
		if s.Name == "all" {
			return prepared(s, hints, ShowAllColumns, nil)
		}
		return prepared(s, hints, []Column{{Name: s.Name, Type: storage.TypeString}}, nil)
	case *CopyFrom:
		return prepared(s, hints, nil, copyColumns(cat, s))
	case *SystemQuery:
		return &Prepared{Stmt: s}, nil
	case nil:
		return nil, errorf(codeInternal, "no statement to prepare")
	}
	return prepared(stmt, hints, nil, nil)
}

// noTables is the catalog of a Prepare given none.
type noTables struct{}

func (noTables) TableDef(name string, _ uint64) (*storage.TableDef, error) {
	return nil, fmt.Errorf("%w: %q", storage.ErrNoTable, name)
}

func (noTables) TableNames() []string { return nil }

// prepared is the Prepared of a statement without parameters: hints
// declare unused ones, which PostgreSQL allows.
func prepared(stmt Statement, hints []storage.ColumnType, cols []Column, err error) (*Prepared, error) {
	if err != nil {
		return nil, err
	}
	p := newPlanner(nil, hints)
	if err := p.checkParams(); err != nil {
		return nil, err
	}
	return &Prepared{Stmt: stmt, Params: p.params, Columns: cols}, nil
}

// tableExists answers 42P01 for an unknown table.
func tableExists(cat Catalog, name string) error {
	_, err := (&planner{cat: cat}).tableDef(name, 0)
	if err != nil {
		var se *Error
		if errors.As(err, &se) && se.Code == codeUndefinedTable {
			se.Message = "table \"" + name + "\" does not exist"
		}
	}
	return err
}

// copyColumns checks COPY's table and columns.
func copyColumns(cat Catalog, c *CopyFrom) error {
	def, err := (&planner{cat: cat}).tableDef(c.Table, 0)
	if err != nil {
		return err
	}
	_, err = insertColumns(&Insert{Table: c.Table, Columns: c.Columns}, def)
	return err
}

// prepareSelect plans a query against the catalog (again, from its parse
// tree, when it came from Parse), infers its parameters' types and
// computes its result columns.
func prepareSelect(s *Select, cat Catalog, hints []storage.ColumnType) (*Prepared, error) {
	p := newPlanner(cat, hints)
	p.limits = map[*plan.Limit]limitParams{}
	n := s.Plan
	if s.src != nil {
		var err error
		if n, err = p.planQuery(s.src); err != nil {
			return nil, asError(err)
		}
		n = p.pruneUnderSort(n)
	} else if n == nil {
		return nil, errorf(codeInternal, "SELECT without a plan")
	} else {
		p.noteParams(n)
	}
	n, cols, err := p.resultColumns(n)
	if err != nil {
		return nil, err
	}
	if s.Explain != ExplainNone {
		cols = ExplainColumns
	}
	out := &Select{Plan: n, Explain: s.Explain, src: s.src, limits: p.limits, clock: p.clock}
	return &Prepared{Stmt: out, Params: p.params, Columns: cols}, nil
}

// noteParams records the parameters of a plan built without the parser.
func (p *planner) noteParams(n plan.Node) {
	visitExprs(n, func(e plan.Expr) {
		if par, ok := e.(plan.Param); ok {
			_, _ = p.param(par.Index)
		}
	})
}

// resultColumns infers the parameters, type-checks the plan, makes its
// numeric divisions exact and describes its output.
func (p *planner) resultColumns(n plan.Node) (plan.Node, []Column, error) {
	if err := p.checkAggs(n); err != nil {
		return nil, nil, err
	}
	if err := p.inferPlan(n); err != nil {
		return nil, nil, err
	}
	if err := p.checkParams(); err != nil {
		return nil, nil, err
	}
	numeric, err := p.numericCols(n)
	if err != nil {
		return nil, nil, err
	}
	n = p.exactDivision(n)
	schema, err := p.schemaOf(n)
	if err != nil {
		return nil, nil, err
	}
	cols := make([]Column, len(schema))
	for i, f := range schema {
		cols[i] = Column{Name: f.Name, Type: f.Type, Numeric: i < len(numeric) && numeric[i]}
	}
	return n, cols, nil
}
