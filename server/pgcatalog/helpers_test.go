package pgcatalog

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stratadb/strata/query/sql"
	"github.com/stratadb/strata/storage"
)

// fakeCatalog is a fixed set of tables.
type fakeCatalog map[string]*storage.TableDef

func (f fakeCatalog) TableNames() []string {
	names := make([]string, 0, len(f))
	for n := range f {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (f fakeCatalog) TableDef(name string, _ uint64) (*storage.TableDef, error) {
	if d, ok := f[name]; ok {
		c := d.Clone()
		return &c, nil
	}
	return nil, fmt.Errorf("%w: %q", storage.ErrNoTable, name)
}

// testTables are the tables the tests query: every column type, as
// created in PostgreSQL for the expected answers with
//
//	create table trades (id bigint not null, qty integer, price double precision,
//	    ok boolean, sym text, raw bytea, ts timestamp with time zone, day date);
//	create table events (a bigint, b text not null, c timestamp with time zone);
func testTables() fakeCatalog {
	col := func(name string, t storage.ColumnType, nullable bool) storage.Column {
		return storage.Column{Name: name, Type: t, Nullable: nullable}
	}
	return fakeCatalog{
		"trades": {Name: "trades", Columns: []storage.Column{
			col("id", storage.TypeInt64, false), col("qty", storage.TypeInt32, true),
			col("price", storage.TypeFloat64, true), col("ok", storage.TypeBool, true),
			col("sym", storage.TypeString, true), col("raw", storage.TypeBinary, true),
			col("ts", storage.TypeTimestamp, true), col("day", storage.TypeDate, true),
		}},
		"events": {Name: "events", Columns: []storage.Column{
			col("a", storage.TypeInt64, true), col("b", storage.TypeString, false),
			col("c", storage.TypeTimestamp, true),
		}, PartitionKey: []string{"a"}, Buckets: 16, SortKey: []string{"c"}},
	}
}

func testEnv() *Env {
	settings := map[string]string{"application_name": "psql", "client_encoding": "UTF8"}
	return &Env{
		Catalog:       testTables(),
		ServerVersion: "15.0 (Strata 0.1.0)",
		Database:      "postgres",
		User:          "postgres",
		Setting: func(name string) (string, bool) {
			v, ok := settings[name]
			return v, ok
		},
	}
}

// oidOf is a test table's OID.
func oidOf(t testing.TB, name string) uint32 {
	tb := newCatalogData(testEnv()).tableByName(name)
	if tb == nil {
		t.Fatalf("no table %q", name)
	}
	return tb.oid
}

// query prepares and runs text against env.
func query(env *Env, text string, args ...any) (*Prepared, [][]any, error) {
	p, err := Prepare(&sql.SystemQuery{Text: text}, env, nil)
	if err != nil {
		return nil, nil, err
	}
	rows, err := p.Run(context.Background(), args)
	return p, rows, err
}

// formatResult prints columns and rows as the golden files hold them.
func formatResult(p *Prepared, rows [][]any) string {
	var b strings.Builder
	for i, c := range p.Columns {
		if i > 0 {
			b.WriteString(" | ")
		}
		name := strconv.Itoa(int(c.OID))
		if t := typeByOID[c.OID]; t != nil {
			name = t.name
		}
		b.WriteString(formatString(c.Name) + ":" + name)
	}
	b.WriteByte('\n')
	for _, r := range rows {
		for i, v := range r {
			if i > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(formatValue(v))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func formatValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case string:
		return formatString(v)
	case []string:
		parts := make([]string, len(v))
		for i, s := range v {
			parts[i] = formatString(s)
		}
		return "{" + strings.Join(parts, ",") + "}"
	case bool:
		if v {
			return "t"
		}
		return "f"
	}
	return fmt.Sprintf("%v", v)
}

// formatString quotes a string when it could be misread.
func formatString(s string) string {
	if s == "" || s == "NULL" || strings.TrimSpace(s) != s || strings.ContainsAny(s, "|\n\t\",{}\\") {
		return strconv.Quote(s)
	}
	return s
}
