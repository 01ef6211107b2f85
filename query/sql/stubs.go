package sql

import (
	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// Stubs until the parser and planner land (this file is deleted then).

func parse(string) ([]Statement, error) { return nil, ErrNotImplemented }

func prepare(Statement, Catalog, []storage.ColumnType) (*Prepared, error) {
	return nil, ErrNotImplemented
}

func bind(*Prepared, []plan.Value) (Statement, error) { return nil, ErrNotImplemented }

func sqlState(err error) string { return "XX000" }
