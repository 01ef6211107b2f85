package storage

import (
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
)

// DefaultBuckets is the number of partitions of a table with a partition key
// and no explicit bucket count.
const DefaultBuckets = 16

// MaxBuckets bounds a table's partitions; each costs a write buffer.
const MaxBuckets = 4096

// Column is one column of a table.
type Column struct {
	Name     string
	Type     ColumnType
	Nullable bool
}

// TableDef describes a table. The zero values of the options are the
// defaults: no partition key (one partition), insertion order.
type TableDef struct {
	Name    string
	Columns []Column
	// PartitionKey names the columns whose hash picks a row's partition.
	// Equality on all of them lets a query read a single partition.
	PartitionKey []string
	// Buckets is the number of partitions when PartitionKey is set
	// (default DefaultBuckets). Without a partition key it must be 0 or 1.
	Buckets int
	// SortKey orders rows inside a sealed chunk (nulls last). Empty keeps
	// insertion order.
	SortKey []string
	// PrimaryKey is reserved: a later write of the same key will replace
	// the earlier row. It must be empty today.
	PrimaryKey []string
}

// ColumnIndex returns the position of the named column, or -1.
func (d *TableDef) ColumnIndex(name string) int {
	for i, c := range d.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// ArrowSchema is the canonical Arrow schema of the table's rows: the schema
// batches are expected to have and query results are built with.
func (d *TableDef) ArrowSchema() *arrow.Schema {
	fields := make([]arrow.Field, len(d.Columns))
	for i, c := range d.Columns {
		fields[i] = arrow.Field{Name: c.Name, Type: c.Type.ArrowType(), Nullable: c.Nullable}
	}
	return arrow.NewSchema(fields, nil)
}

// Clone returns a deep copy, so callers cannot change a stored definition.
func (d TableDef) Clone() TableDef {
	d.Columns = slices.Clone(d.Columns)
	d.PartitionKey = slices.Clone(d.PartitionKey)
	d.SortKey = slices.Clone(d.SortKey)
	d.PrimaryKey = slices.Clone(d.PrimaryKey)
	return d
}

// normalize validates d and fills defaults. It returns a copy.
func (d TableDef) normalize() (TableDef, error) {
	d = d.Clone()
	if err := checkName("table", d.Name); err != nil {
		return d, err
	}
	if len(d.Columns) == 0 {
		return d, fmt.Errorf("%w: table %q has no columns", ErrInvalidSchema, d.Name)
	}
	seen := make(map[string]bool, len(d.Columns))
	for i, c := range d.Columns {
		if err := checkName("column", c.Name); err != nil {
			return d, err
		}
		if seen[c.Name] {
			return d, fmt.Errorf("%w: column %q appears twice", ErrInvalidSchema, c.Name)
		}
		seen[c.Name] = true
		if c.Type == TypeDecimal {
			return d, fmt.Errorf("%w: column %q: decimal columns are not supported yet", ErrUnsupported, c.Name)
		}
		if !c.Type.Valid() {
			return d, fmt.Errorf("%w: column %q (position %d) has invalid type %v", ErrInvalidSchema, c.Name, i+1, c.Type)
		}
	}
	if len(d.PrimaryKey) > 0 {
		return d, fmt.Errorf("%w: primary keys are not supported yet", ErrUnsupported)
	}
	if err := d.checkKey("partition key", d.PartitionKey); err != nil {
		return d, err
	}
	if err := d.checkKey("sort key", d.SortKey); err != nil {
		return d, err
	}
	switch {
	case len(d.PartitionKey) == 0 && d.Buckets > 1:
		return d, fmt.Errorf("%w: %d buckets need a partition key", ErrInvalidSchema, d.Buckets)
	case len(d.PartitionKey) == 0:
		d.Buckets = 1
	case d.Buckets == 0:
		d.Buckets = DefaultBuckets
	case d.Buckets < 1 || d.Buckets > MaxBuckets:
		return d, fmt.Errorf("%w: buckets must be between 1 and %d, got %d", ErrInvalidSchema, MaxBuckets, d.Buckets)
	}
	return d, nil
}

func (d *TableDef) checkKey(what string, key []string) error {
	seen := map[string]bool{}
	for _, name := range key {
		if d.ColumnIndex(name) < 0 {
			return fmt.Errorf("%w: %s names unknown column %q", ErrInvalidSchema, what, name)
		}
		if seen[name] {
			return fmt.Errorf("%w: %s names column %q twice", ErrInvalidSchema, what, name)
		}
		seen[name] = true
	}
	return nil
}

// checkName accepts any non-empty name without control characters and
// reserves the "__" prefix for Strata's own columns.
func checkName(what, name string) error {
	if name == "" {
		return fmt.Errorf("%w: empty %s name", ErrInvalidSchema, what)
	}
	if len(name) > 255 {
		return fmt.Errorf("%w: %s name longer than 255 bytes", ErrInvalidSchema, what)
	}
	for i, r := range name {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%w: %s name %q has a control character at byte %d", ErrInvalidSchema, what, name, i)
		}
	}
	if len(name) >= 2 && name[:2] == "__" {
		return fmt.Errorf("%w: %s name %q: the \"__\" prefix is reserved", ErrInvalidSchema, what, name)
	}
	return nil
}
