package pgcatalog

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stratadb/strata/query/sql"
)

// The golden files in testdata/ hold queries and their expected answers:
//
//	# a comment (kept)
//	query [args=a,b] [nopg] [sort] [pg-ignore=3,4]
//	SELECT ... {trades} ...
//	----
//	name:type | name:type
//	value | value
//	<blank line>
//
// {trades} and {events} in a query stand for the test tables' OIDs. An
// error is written "ERROR <SQLSTATE>: message". Options only matter to
// TestGoldenAgainstPostgres: nopg skips the block there, sort compares
// rows in any order, pg-ignore skips columns (by position) whose values differ from
// PostgreSQL's on purpose (sizes, comments, Strata's reloptions).
//
// go test ./server/pgcatalog -run TestGolden -rewrite rewrites the
// expected answers; check the diff against PostgreSQL's (the test
// against PostgreSQL does that where it can).
var rewrite = flag.Bool("rewrite", false, "rewrite the expected answers in testdata/*.txt")

// goldenBlock is one query of a golden file.
type goldenBlock struct {
	comments []string
	options  []string
	query    string
	want     string
}

func (b *goldenBlock) option(name string) (string, bool) {
	for _, o := range b.options {
		k, v, _ := strings.Cut(o, "=")
		if k == name {
			return v, true
		}
	}
	return "", false
}

func (b *goldenBlock) args() []any {
	v, ok := b.option("args")
	if !ok {
		return nil
	}
	var args []any
	for _, a := range strings.Split(v, ",") {
		args = append(args, a)
	}
	return args
}

func readGolden(t testing.TB, path string) []*goldenBlock {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks []*goldenBlock
	var cur *goldenBlock
	var comments []string
	state := 0 // 0 between blocks, 1 in the query, 2 in the answer
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch state {
		case 0:
			switch {
			case strings.HasPrefix(line, "#"):
				comments = append(comments, line)
			case strings.HasPrefix(line, "query"):
				cur = &goldenBlock{comments: comments, options: strings.Fields(line)[1:]}
				comments = nil
				state = 1
			case strings.TrimSpace(line) == "":
			default:
				t.Fatalf("%s: unexpected line %q", path, line)
			}
		case 1:
			if line == "----" {
				cur.query = strings.TrimSuffix(cur.query, "\n")
				state = 2
				continue
			}
			cur.query += line + "\n"
		case 2:
			if strings.TrimSpace(line) == "" {
				blocks = append(blocks, cur)
				state = 0
				continue
			}
			cur.want += line + "\n"
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if state == 1 {
		t.Fatalf("%s: query without ----", path)
	}
	if state == 2 {
		blocks = append(blocks, cur)
	}
	return blocks
}

func writeGolden(t testing.TB, path string, blocks []*goldenBlock) {
	var b strings.Builder
	for i, bl := range blocks {
		if i > 0 {
			b.WriteByte('\n')
		}
		for _, c := range bl.comments {
			b.WriteString(c + "\n")
		}
		b.WriteString(strings.Join(append([]string{"query"}, bl.options...), " ") + "\n")
		b.WriteString(bl.query + "\n----\n" + bl.want)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// withOIDs replaces {trades} and {events} by OIDs.
func withOIDs(q string, oids map[string]uint32) string {
	for name, oid := range oids {
		q = strings.ReplaceAll(q, "{"+name+"}", fmt.Sprint(oid))
	}
	return q
}

func testOIDs(t testing.TB) map[string]uint32 {
	return map[string]uint32{"trades": oidOf(t, "trades"), "events": oidOf(t, "events")}
}

// answer runs a golden query and prints its answer.
func answer(t testing.TB, b *goldenBlock, oids map[string]uint32) string {
	p, rows, err := query(testEnv(), withOIDs(b.query, oids), b.args()...)
	if err != nil {
		var se *sql.Error
		if !errors.As(err, &se) {
			t.Fatalf("not a *sql.Error: %v", err)
		}
		return fmt.Sprintf("ERROR %s: %s\n", se.Code, se.Message)
	}
	return formatResult(p, rows)
}

func goldenFiles(t testing.TB) []string {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	return files
}

func TestGolden(t *testing.T) {
	oids := testOIDs(t)
	for _, path := range goldenFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			blocks := readGolden(t, path)
			for _, b := range blocks {
				got := answer(t, b, oids)
				if *rewrite {
					b.want = got
					continue
				}
				if got != b.want {
					t.Errorf("%s\n%s\n----\ngot:\n%s\nwant:\n%s", strings.Join(b.comments, "\n"), b.query, got, b.want)
				}
			}
			if *rewrite {
				writeGolden(t, path, blocks)
			}
		})
	}
}

// TestGoldenQueriesPrepareAndRunTwice checks that a Prepared runs again
// with the same answer (no state kept between Runs).
func TestGoldenQueriesPrepareAndRunTwice(t *testing.T) {
	oids := testOIDs(t)
	for _, path := range goldenFiles(t) {
		for _, b := range readGolden(t, path) {
			p, err := Prepare(&sql.SystemQuery{Text: withOIDs(b.query, oids)}, testEnv(), nil)
			if err != nil {
				continue
			}
			r1, err1 := p.Run(context.Background(), b.args())
			r2, err2 := p.Run(context.Background(), b.args())
			if (err1 == nil) != (err2 == nil) || err1 == nil && formatResult(p, r1) != formatResult(p, r2) {
				t.Errorf("second run differs:\n%s", b.query)
			}
		}
	}
}
