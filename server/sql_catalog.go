package server

import (
	"github.com/stratadb/strata/query/sql"
	"github.com/stratadb/strata/storage"
)

// storeCatalog is a store's tables as SQL planning sees them.
type storeCatalog struct{ s *storage.Store }

var _ sql.Catalog = storeCatalog{}

func (c storeCatalog) TableNames() []string { return c.s.ListTables() }

// TableDef is the table's definition at asOf (0: the latest version).
func (c storeCatalog) TableDef(name string, asOf uint64) (*storage.TableDef, error) {
	if asOf == 0 {
		asOf = storage.Latest
	}
	def, err := c.s.TableDef(name, asOf)
	if err != nil {
		return nil, err
	}
	return &def, nil
}

// Catalog is the node's tables now, for planning SQL.
func (n *Node) Catalog() sql.Catalog { return storeCatalog{n.fsm.Store()} }
