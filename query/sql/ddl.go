package sql

import (
	"strconv"
	"strings"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/types"

	"github.com/stratadb/strata/storage"
)

// CREATE TABLE t (col type [NOT NULL | NULL], ...)
//     [WITH (partition_by = 'a,b', buckets = 16, sort_by = 'ts')]
//
// Column types: bigint/int8, integer/int/int4 (smallint/int2 too, stored
// as integer), double precision/float8/float (real/float4 too, stored as
// double precision), boolean, text/varchar[(n)] (the length is not
// enforced), bytea, timestamp/timestamptz (both stored as UTC
// microseconds), date. Anything else is 0A000 naming the type.
//
// Options (all optional; without them a table has one partition and keeps
// insertion order):
//   - partition_by: the partition key, a string of comma-separated column
//     names (each read as an identifier: lower-cased unless in double
//     quotes); rows are spread over buckets by its hash.
//   - buckets: the number of partitions, 1 to storage.MaxBuckets (default
//     storage.DefaultBuckets with a partition key; needs one above 1).
//   - sort_by: the sort key, like partition_by; rows inside a chunk are
//     sorted by it.
//
// Constraints other than NOT NULL (PRIMARY KEY, UNIQUE, CHECK, REFERENCES,
// DEFAULT, generated columns, serial), temporary tables, CREATE TABLE AS
// and PARTITION BY are refused with 0A000.

func convertCreateTable(s *tree.CreateTable) (Statement, error) {
	switch {
	case s.As():
		return nil, unsupported("CREATE TABLE AS is not supported")
	case s.PartitionByTable != nil:
		return nil, unsupported("PARTITION BY is not supported: use WITH (partition_by = 'col, ...')")
	case s.Persistence.IsTemporary():
		return nil, unsupported("temporary tables are not supported")
	case s.Persistence.IsUnlogged():
		return nil, unsupported("unlogged tables are not supported")
	case s.Locality != nil:
		return nil, unsupported("LOCALITY is not supported")
	}
	name, err := newTableName(&s.Table)
	if err != nil {
		return nil, err
	}
	def := storage.TableDef{Name: name}
	for _, d := range s.Defs {
		col, ok := d.(*tree.ColumnTableDef)
		if !ok {
			return nil, unsupported("table constraints are not supported: %s", tree.AsString(d))
		}
		c, err := columnDef(col)
		if err != nil {
			return nil, err
		}
		if def.ColumnIndex(c.Name) >= 0 {
			return nil, errorf(codeDuplicateColumn, "column %q specified more than once", c.Name)
		}
		def.Columns = append(def.Columns, c)
	}
	if len(def.Columns) == 0 {
		return nil, unsupported("tables without columns are not supported")
	}
	if err := tableOptions(&def, s.StorageParams); err != nil {
		return nil, err
	}
	return &CreateTable{Def: def, IfNotExists: s.IfNotExists}, nil
}

// columnDef reads one column definition.
func columnDef(d *tree.ColumnTableDef) (storage.Column, error) {
	name := string(d.Name)
	switch {
	case d.IsSerial:
		return storage.Column{}, unsupported("column %q: serial columns are not supported", name)
	case d.PrimaryKey.IsPrimaryKey:
		return storage.Column{}, unsupported("column %q: primary keys are not supported", name)
	case d.Unique.IsUnique:
		return storage.Column{}, unsupported("column %q: UNIQUE is not supported", name)
	case d.DefaultExpr.Expr != nil:
		return storage.Column{}, unsupported("column %q: DEFAULT is not supported", name)
	case len(d.CheckExprs) > 0:
		return storage.Column{}, unsupported("column %q: CHECK constraints are not supported", name)
	case d.References.Table != nil:
		return storage.Column{}, unsupported("column %q: REFERENCES is not supported", name)
	case d.IsComputed(), d.GeneratedIdentity.IsGeneratedAsIdentity, d.OnUpdateExpr.Expr != nil:
		return storage.Column{}, unsupported("column %q: generated columns are not supported", name)
	}
	if strings.HasPrefix(name, "__") {
		return storage.Column{}, errorf(codeReservedName, "column name %q is reserved: names starting with \"__\" are Strata's", name)
	}
	t, err := columnType(d.Type)
	if err != nil {
		return storage.Column{}, err
	}
	return storage.Column{Name: name, Type: t, Nullable: d.Nullable.Nullability != tree.NotNull}, nil
}

// columnType maps a SQL type to a column type.
func columnType(ref tree.ResolvableTypeReference) (storage.ColumnType, error) {
	t, ok := tree.GetStaticallyKnownType(ref)
	if !ok {
		return 0, errorf(codeUndefinedObject, "type %q does not exist", ref.SQLString())
	}
	if ct, ok := storageType(t); ok {
		return ct, nil
	}
	return 0, unsupported("type %s is not supported", sqlTypeName(t))
}

// storageType maps the SQL types Strata stores.
func storageType(t *types.T) (storage.ColumnType, bool) {
	switch t.Family() {
	case types.IntFamily:
		if t.Width() == 64 {
			return storage.TypeInt64, true
		}
		return storage.TypeInt32, true
	case types.FloatFamily:
		return storage.TypeFloat64, true
	case types.BoolFamily:
		return storage.TypeBool, true
	case types.StringFamily:
		if o := t.Oid(); o == types.String.Oid() || o == types.VarChar.Oid() {
			return storage.TypeString, true
		}
	case types.BytesFamily:
		return storage.TypeBinary, true
	case types.TimestampFamily, types.TimestampTZFamily:
		return storage.TypeTimestamp, true
	case types.DateFamily:
		return storage.TypeDate, true
	}
	return 0, false
}

// sqlTypeName is a type's name as PostgreSQL writes it in messages.
func sqlTypeName(t *types.T) string {
	if t.Family() == types.ArrayFamily {
		return sqlTypeName(t.ArrayContents()) + "[]"
	}
	return t.SQLStandardName()
}

// tableOptions reads WITH (partition_by = '...', buckets = n, sort_by = '...').
func tableOptions(def *storage.TableDef, params tree.StorageParams) error {
	for _, p := range params {
		var err error
		switch strings.ToLower(p.Key) {
		case "partition_by":
			def.PartitionKey, err = keyOption(def, p)
		case "sort_by":
			def.SortKey, err = keyOption(def, p)
		case "buckets":
			def.Buckets, err = bucketsOption(p.Value)
		default:
			err = errorf(codeBadParamValue, "unrecognized parameter %q (Strata's table options are partition_by, buckets and sort_by)", p.Key)
		}
		if err != nil {
			return err
		}
	}
	if len(def.PartitionKey) == 0 && def.Buckets > 1 {
		return errorf(codeBadParamValue, "buckets = %d needs a partition key (partition_by)", def.Buckets)
	}
	return nil
}

// keyOption reads a list of column names.
func keyOption(def *storage.TableDef, p tree.StorageParam) ([]string, error) {
	var text string
	switch v := p.Value.(type) {
	case *tree.StrVal:
		text = v.RawString()
	case *tree.UnresolvedName:
		text = tree.AsString(v)
	default:
		return nil, errorf(codeBadParamValue, "%s must be a string of column names, like '%s = ''a, b'''", p.Key, p.Key)
	}
	var cols []string
	for _, part := range strings.Split(text, ",") {
		name := identifierText(strings.TrimSpace(part))
		if name == "" {
			return nil, errorf(codeBadParamValue, "%s: empty column name in %q", p.Key, text)
		}
		if def.ColumnIndex(name) < 0 {
			return nil, errorf(codeUndefinedColumn, "column %q named in %s does not exist", name, p.Key)
		}
		for _, c := range cols {
			if c == name {
				return nil, errorf(codeDuplicateColumn, "column %q appears twice in %s", name, p.Key)
			}
		}
		cols = append(cols, name)
	}
	return cols, nil
}

// identifierText reads an identifier as SQL does: "Quoted" as written,
// else lower-cased.
func identifierText(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	}
	return strings.ToLower(s)
}

func bucketsOption(e tree.Expr) (int, error) {
	var n int64
	var err error
	switch v := e.(type) {
	case *tree.NumVal:
		n, err = v.AsInt64()
	case *tree.StrVal:
		n, err = strconv.ParseInt(strings.TrimSpace(v.RawString()), 10, 64)
	default:
		err = strconv.ErrSyntax
	}
	if err != nil || n < 1 || n > storage.MaxBuckets {
		return 0, errorf(codeBadParamValue, "buckets must be an integer from 1 to %d, got %s", storage.MaxBuckets, tree.AsString(e))
	}
	return int(n), nil
}

// convertDropTable reads DROP TABLE [IF EXISTS] t [CASCADE | RESTRICT].
func convertDropTable(s *tree.DropTable) (Statement, error) {
	if len(s.Names) != 1 {
		return nil, unsupported("DROP TABLE of several tables is not supported: drop them one by one")
	}
	name, err := tableName(&s.Names[0])
	if err != nil {
		return nil, err
	}
	return &DropTable{Name: name, IfExists: s.IfExists}, nil
}
