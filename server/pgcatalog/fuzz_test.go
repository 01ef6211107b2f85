package pgcatalog

import (
	"context"
	"errors"
	"testing"

	"github.com/stratadb/strata/query/sql"
)

// FuzzPrepareRun feeds query texts (seeded with every golden query) to
// Prepare and Run without their panic guard: neither may panic, and every
// error must be an *sql.Error with a SQLSTATE.
//
//	go test ./server/pgcatalog -run XXX -fuzz FuzzPrepareRun -fuzztime 2m -parallel 1
func FuzzPrepareRun(f *testing.F) {
	oids := testOIDs(f)
	for _, path := range goldenFiles(f) {
		for _, b := range readGolden(f, path) {
			f.Add(withOIDs(b.query, oids), "16389")
		}
	}
	for _, q := range []string{
		"SELECT $1::regclass", "SELECT $1::int[]", "SELECT ARRAY[$1]", "SELECT $1 || $1",
		"SELECT (SELECT $1)", "SELECT * FROM unnest($1::text[]) WITH ORDINALITY",
		"SELECT oid FROM pg_type WHERE oid = ANY($1::oid[])",
	} {
		f.Add(q, "{1,2}")
	}
	env := testEnv()
	f.Fuzz(func(t *testing.T, text, arg string) {
		lowLimits(t)
		p, err := prepare(&sql.SystemQuery{Text: text}, env, nil)
		if err != nil {
			checkSQLError(t, text, err)
			return
		}
		args := make([]any, len(p.Params))
		for i := range args {
			args[i] = arg
		}
		rows, err := p.run(context.Background(), args)
		if err != nil {
			checkSQLError(t, text, err)
			return
		}
		for _, r := range rows {
			if len(r) != len(p.Columns) {
				t.Fatalf("%q: row of %d values for %d columns", text, len(r), len(p.Columns))
			}
		}
	})
}

func checkSQLError(t *testing.T, text string, err error) {
	var se *sql.Error
	if !errors.As(err, &se) || len(se.Code) != 5 {
		t.Fatalf("%q: error without a SQLSTATE: %v", text, err)
	}
}
