package pgcatalog

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stratadb/strata/query/sql"
	"github.com/stratadb/strata/storage"
)

// Benchmarks of whole catalog queries (Prepare and Run) with many tables.
//
//	go test ./server/pgcatalog -run XXX -bench . -count 10 > new.txt
//	benchstat old.txt new.txt
func BenchmarkQueries(b *testing.B) {
	for _, q := range []struct{ name, match string }{
		{"psql_d", `c.relkind IN ('r','p','v','m','S','f','')`},
		{"psql_d_table_columns", `pg_catalog.format_type(a.atttypid, a.atttypmod),`},
		{"jdbc_getColumns", "row_number() OVER"},
		{"jdbc_getTables", "TABLE_CAT"},
	} {
		text := goldenQuery(b, q.match)
		for _, tables := range []int{2, 200} {
			b.Run(fmt.Sprintf("%s/tables=%d", q.name, tables), func(b *testing.B) {
				env := testEnv()
				env.Catalog = manyTables(tables)
				text := withOIDs(text, map[string]uint32{"trades": oidOf(b, "trades")})
				b.ReportAllocs()
				for b.Loop() {
					p, err := Prepare(&sql.SystemQuery{Text: text}, env, nil)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := p.Run(context.Background(), nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// goldenQuery is the first golden query containing match.
func goldenQuery(b *testing.B, match string) string {
	for _, path := range goldenFiles(b) {
		for _, bl := range readGolden(b, path) {
			if strings.Contains(bl.query, match) {
				return bl.query
			}
		}
	}
	b.Fatalf("no golden query contains %q", match)
	return ""
}

// manyTables is the test tables plus n-2 tables of 10 columns.
func manyTables(n int) fakeCatalog {
	cat := testTables()
	for i := len(cat); i < n; i++ {
		def := &storage.TableDef{Name: fmt.Sprintf("t%03d", i)}
		for j := 0; j < 10; j++ {
			def.Columns = append(def.Columns, storage.Column{Name: fmt.Sprintf("c%d", j), Type: storage.TypeInt64, Nullable: true})
		}
		cat[def.Name] = def
	}
	return cat
}
