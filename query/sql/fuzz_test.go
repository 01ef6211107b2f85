package sql

import (
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// FuzzParsePrepare feeds arbitrary text through Parse, Prepare (against
// a small catalog) and Bind (NULL arguments of the parameters' types):
// nothing may panic, and every error must be an *Error with a SQLSTATE.
// The seed corpus is every statement of the golden scripts, also kept in
// testdata/fuzz/FuzzParsePrepare (go test -run TestWriteFuzzCorpus
// -write-corpus regenerates it).
//
//	go test ./query/sql -run '^$' -fuzz FuzzParsePrepare -fuzztime 5m
func FuzzParsePrepare(f *testing.F) {
	for _, s := range goldenStatements(f) {
		f.Add(s)
	}
	cat := fuzzCatalog()
	f.Fuzz(func(t *testing.T, text string) {
		stmts, err := Parse(text)
		if err != nil {
			checkError(t, text, "Parse", err)
			return
		}
		for _, st := range stmts {
			prep, err := Prepare(st, cat, nil)
			if err != nil {
				checkError(t, text, "Prepare", err)
				continue
			}
			args := make([]plan.Value, len(prep.Params))
			for i, p := range prep.Params {
				args[i] = plan.NullOf(p)
			}
			if _, err := prep.Bind(args); err != nil {
				checkError(t, text, "Bind", err)
			}
		}
	})
}

func checkError(t *testing.T, text, stage string, err error) {
	var se *Error
	if !errors.As(err, &se) {
		t.Fatalf("%s(%q): error is not an *Error: %T %v", stage, text, err, err)
	}
	if len(se.Code) != 5 || se.Code == codeInternal {
		t.Fatalf("%s(%q): error with SQLSTATE %q: %v", stage, text, se.Code, err)
	}
}

// fuzzCatalog holds the tables the golden scripts use most.
type mapCatalog map[string]*storage.TableDef

func (c mapCatalog) TableDef(name string, asOf uint64) (*storage.TableDef, error) {
	if asOf > 100 {
		return nil, fmt.Errorf("%w: version %d", storage.ErrFutureVersion, asOf)
	}
	if d, ok := c[name]; ok {
		return d, nil
	}
	return nil, fmt.Errorf("%w: %q", storage.ErrNoTable, name)
}

func (c mapCatalog) TableNames() []string {
	var out []string
	for n := range c {
		out = append(out, n)
	}
	return out
}

func fuzzCatalog() mapCatalog {
	col := func(name string, t storage.ColumnType, nullable bool) storage.Column {
		return storage.Column{Name: name, Type: t, Nullable: nullable}
	}
	return mapCatalog{
		"metrics": {Name: "metrics", Columns: []storage.Column{
			col("host", storage.TypeString, false), col("ts", storage.TypeTimestamp, false),
			col("cpu", storage.TypeFloat64, true), col("mem", storage.TypeInt64, true),
			col("region", storage.TypeString, true), col("ok", storage.TypeBool, true),
		}, PartitionKey: []string{"host"}, Buckets: 4, SortKey: []string{"ts"}},
		"sales": {Name: "sales", Columns: []storage.Column{
			col("region", storage.TypeString, true), col("item", storage.TypeString, false),
			col("qty", storage.TypeInt32, false), col("price", storage.TypeFloat64, true),
			col("amount", storage.TypeInt64, true), col("day", storage.TypeDate, true),
		}},
		"ev": {Name: "ev", Columns: []storage.Column{
			col("id", storage.TypeInt64, false), col("ts", storage.TypeTimestamp, false),
			col("d", storage.TypeDate, true), col("name", storage.TypeString, true),
			col("v", storage.TypeFloat64, true), col("n", storage.TypeInt32, true),
			col("raw", storage.TypeBinary, true),
		}},
	}
}

// goldenStatements reads the SQL of every golden block.
func goldenStatements(tb testing.TB) []string {
	files, err := filepath.Glob("testdata/*.sql")
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			tb.Fatal(err)
		}
		blocks, _ := parseGoldenText(string(data))
		for _, b := range blocks {
			var sqlLines []string
			for _, l := range b.sql {
				if !strings.HasPrefix(l, "@") {
					sqlLines = append(sqlLines, l)
				}
			}
			out = append(out, strings.Join(sqlLines, "\n"))
		}
	}
	return out
}

var writeCorpus = flag.Bool("write-corpus", false, "write the golden statements to testdata/fuzz/FuzzParsePrepare")

// TestWriteFuzzCorpus keeps the seed corpus in testdata/fuzz in step with
// the golden scripts.
func TestWriteFuzzCorpus(t *testing.T) {
	if !*writeCorpus {
		t.Skip("run with -write-corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzParsePrepare")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	old, err := filepath.Glob(filepath.Join(dir, "golden-*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range goldenStatements(t) {
		body := fmt.Sprintf("go test fuzz v1\nstring(%q)\n", s)
		name := fmt.Sprintf("golden-%x", sha256.Sum256([]byte(s)))[:len("golden-")+16]
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
