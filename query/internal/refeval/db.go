package refeval

import (
	"errors"
	"fmt"
	"math"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// Errors of evaluation. They mirror the engine's sentinels (query's
// ErrOverflow and ErrDivisionByZero, storage's ErrFutureVersion and
// ErrNoTable) without sharing them, so the reference depends on nothing the
// engine is built from; callers map one set onto the other. Plan errors
// come from plan.Bind unchanged.
var (
	ErrOverflow       = errors.New("refeval: integer out of range")
	ErrDivisionByZero = errors.New("refeval: division by zero")
	ErrFutureVersion  = errors.New("refeval: version not applied yet")
	ErrNoTable        = errors.New("refeval: no such table")
)

// Latest reads the latest applied version (as does 0).
const Latest uint64 = math.MaxUint64

// DB is everything the reference reads: every table with every row ever
// written to it and its rollbacks, and the latest applied version.
type DB struct {
	Tables  map[string]*Table
	Applied uint64
}

// Table is one table's definition and history.
type Table struct {
	Def     storage.TableDef
	Created uint64 // version that created the table
	// Rows are every row ever written, in any order. Values are in Def's
	// column order; a NULL may be plan.Null() or plan.NullOf(type).
	Rows []Row
	// Rollbacks in ascending At order.
	Rollbacks []Rollback
}

// Row is one written row and the version that wrote it.
type Row struct {
	Version uint64
	Values  []plan.Value
}

// Rollback: from version At on, reads see what a read at To saw plus rows
// written after At.
type Rollback struct{ At, To uint64 }

// Visible reports whether a row written at w is seen by a read at v:
// w <= v, unless a rollback at r <= v intervenes, after which the read sees
// rows written in (r, v] plus whatever a read at the rollback's target saw
// (recursively, so a rollback to a version after an earlier rollback keeps
// that rollback's effect).
func (t *Table) Visible(w, v uint64) bool {
	for i := len(t.Rollbacks) - 1; i >= 0; i-- {
		rb := t.Rollbacks[i]
		if rb.At > v {
			continue
		}
		if w > rb.At && w <= v {
			return true
		}
		return t.Visible(w, rb.To)
	}
	return w <= v
}

// VisibleRows returns the rows a read at v sees, in written order, with
// NULLs typed.
func (t *Table) VisibleRows(v uint64) [][]plan.Value {
	var out [][]plan.Value
	for _, r := range t.Rows {
		if !t.Visible(r.Version, v) {
			continue
		}
		vals := make([]plan.Value, len(t.Def.Columns))
		for i, c := range t.Def.Columns {
			vals[i] = r.Values[i]
			if vals[i].Null {
				vals[i] = plan.NullOf(c.Type)
			}
		}
		out = append(out, vals)
	}
	return out
}

// resolve turns a requested read version into the one read, or an error.
func (db *DB) resolve(v uint64) (uint64, error) {
	if v == 0 || v == Latest {
		return db.Applied, nil
	}
	if v > db.Applied {
		return 0, fmt.Errorf("%w: version %d, applied %d", ErrFutureVersion, v, db.Applied)
	}
	return v, nil
}

// table returns the table a scan at version v (already resolved) reads.
func (db *DB) table(name string, v uint64) (*Table, error) {
	t, ok := db.Tables[name]
	if !ok || t.Created > v {
		return nil, fmt.Errorf("%w: %q at version %d", ErrNoTable, name, v)
	}
	return t, nil
}

// catalog serves plan.Bind for a query reading at version (0: latest).
type catalog struct {
	db      *DB
	version uint64
}

func (c catalog) TableDef(name string, asOf uint64) (*storage.TableDef, error) {
	v, err := c.scanVersion(asOf)
	if err != nil {
		return nil, err
	}
	t, err := c.db.table(name, v)
	if err != nil {
		return nil, err
	}
	return &t.Def, nil
}

// scanVersion is the version a scan with the given AsOf reads.
func (c catalog) scanVersion(asOf uint64) (uint64, error) {
	if asOf != 0 {
		return c.db.resolve(asOf)
	}
	return c.db.resolve(c.version)
}
