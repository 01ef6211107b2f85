package pgcatalog

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/stratadb/strata/bench/pgtest"
)

// TestGoldenAgainstPostgres runs every golden query (except those marked
// nopg) on a real PostgreSQL holding the same tables and checks that it
// answers what the golden file says Strata answers: same column names,
// same column types (as Strata declares them), same rows. It needs the
// PostgreSQL server binaries and skips without them or with -short.
func TestGoldenAgainstPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	if _, err := pgtest.BinDir(); err != nil {
		t.Skip(err)
	}
	ctx := context.Background()
	srv := pgtest.Start(t)
	conn, err := pgx.Connect(ctx, srv.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, stmt := range []string{
		`create table trades (id bigint not null, qty integer, price double precision,
			ok boolean, sym text, raw bytea, ts timestamp with time zone, day date)`,
		`create table events (a bigint, b text not null, c timestamp with time zone)`,
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	pgOIDs := map[string]uint32{}
	mine := testOIDs(t)
	toMine := map[string]string{}
	for name := range mine {
		var oid uint32
		if err := conn.QueryRow(ctx, "select $1::regclass::oid", name).Scan(&oid); err != nil {
			t.Fatal(err)
		}
		pgOIDs[name] = oid
		toMine[fmt.Sprint(oid)] = fmt.Sprint(mine[name])
	}
	ec := &evalCtx{env: testEnv(), cat: newCatalogData(testEnv())}
	for _, path := range goldenFiles(t) {
		for _, b := range readGolden(t, path) {
			if _, skip := b.option("nopg"); skip {
				continue
			}
			if code, ok := strings.CutPrefix(b.want, "ERROR "); ok {
				code, _, _ = strings.Cut(code, ":")
				_, err := postgresAnswer(ctx, conn, withOIDs(b.query, pgOIDs), b.args(), toMine)
				var pe *pgconn.PgError
				if !errors.As(err, &pe) || pe.Code != code {
					t.Errorf("%s: PostgreSQL answers %v, not SQLSTATE %s\n%s", path, err, code, b.query)
				}
				continue
			}
			pgAnswer, err := postgresAnswer(ctx, conn, withOIDs(b.query, pgOIDs), b.args(), toMine)
			if err != nil {
				t.Errorf("%s: PostgreSQL: %v\n%s", path, err, b.query)
				continue
			}
			p, rows, err := query(testEnv(), withOIDs(b.query, mine), b.args()...)
			if err != nil {
				t.Errorf("%s: %v\n%s", path, err, b.query)
				continue
			}
			got := strataAnswer(ec, p, rows)
			ignore, _ := b.option("pg-ignore")
			_, sorted := b.option("sort")
			if g, w := comparable(got, ignore, sorted), comparable(pgAnswer, ignore, sorted); g != w {
				t.Errorf("%s: Strata and PostgreSQL differ\n%s\n----\nStrata:\n%s\nPostgreSQL:\n%s", path, b.query, g, w)
			}
		}
	}
}

// postgresAnswer runs q on PostgreSQL and prints its answer as the
// golden files do, with the types Strata would declare and table OIDs
// replaced by Strata's.
func postgresAnswer(ctx context.Context, conn *pgx.Conn, q string, args []any, toMine map[string]string) (string, error) {
	qargs := append([]any{pgx.QueryExecModeSimpleProtocol}, args...)
	rows, err := conn.Query(ctx, q, qargs...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var b strings.Builder
	for i, fd := range rows.FieldDescriptions() {
		if i > 0 {
			b.WriteString(" | ")
		}
		typ := outputType(baseType(fd.DataTypeOID))
		b.WriteString(formatString(fd.Name) + ":" + typeByOID[typ].name)
	}
	b.WriteByte('\n')
	for rows.Next() {
		for i, raw := range rows.RawValues() {
			if i > 0 {
				b.WriteString(" | ")
			}
			if raw == nil {
				b.WriteString("NULL")
				continue
			}
			s := string(raw)
			if m, ok := toMine[s]; ok {
				s = m
			}
			b.WriteString(formatString(s))
		}
		b.WriteByte('\n')
	}
	return b.String(), rows.Err()
}

// baseType maps information_schema's domains to their base types.
func baseType(oid uint32) uint32 {
	switch oid {
	case 13221:
		return oidInt4
	case 13224, 13234:
		return oidVarchar
	case 13226:
		return oidName
	case 13232:
		return oidTimestampTZ
	}
	return oid
}

// strataAnswer prints Strata's answer with values in PostgreSQL's text
// form (reg* values as names).
func strataAnswer(ec *evalCtx, p *Prepared, rows [][]any) string {
	var b strings.Builder
	for i, c := range p.Columns {
		if i > 0 {
			b.WriteString(" | ")
		}
		b.WriteString(formatString(c.Name) + ":" + typeByOID[c.OID].name)
	}
	b.WriteByte('\n')
	for _, r := range rows {
		for i, v := range r {
			if i > 0 {
				b.WriteString(" | ")
			}
			if v == nil {
				b.WriteString("NULL")
				continue
			}
			b.WriteString(formatString(pgText(ec, v, p.Columns[i].OID)))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func pgText(ec *evalCtx, v any, typ uint32) string {
	switch v := v.(type) {
	case bool:
		if v {
			return "t"
		}
		return "f"
	case uint32:
		if isReg(typ) {
			return ec.regName(int64(v), typ)
		}
		return strconv.FormatUint(uint64(v), 10)
	case float64:
		return formatFloat(v)
	case string:
		return v
	case []string:
		a := make([]any, len(v))
		for i, s := range v {
			a[i] = s
		}
		return formatArray(ec, a, oidText)
	}
	return fmt.Sprint(v)
}

// comparable blanks ignored columns (1-based positions) and sorts rows
// when order does not matter.
func comparable(answer, ignore string, sorted bool) string {
	lines := strings.Split(strings.TrimSuffix(answer, "\n"), "\n")
	skip := map[int]bool{}
	for _, p := range strings.Split(ignore, ",") {
		if n, err := strconv.Atoi(p); err == nil {
			skip[n-1] = true
		}
	}
	for i := 1; i < len(lines); i++ {
		cells := strings.Split(lines[i], " | ")
		for j := range cells {
			if skip[j] {
				cells[j] = "<ignored>"
			}
		}
		lines[i] = strings.Join(cells, " | ")
	}
	if sorted && len(lines) > 1 {
		body := lines[1:]
		sortStrings(body)
	}
	return strings.Join(lines, "\n")
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
