//go:build !race

package sql

import (
	"strings"
	"testing"
	"time"
)

// Planning stays near-linear in the size of a statement: long AND/OR
// chains, sums, IN lists, multi-row INSERTs and aggregate expressions
// (generated SQL has them) must not take quadratic or exponential time.
func TestPlanningScales(t *testing.T) {
	if testing.Short() {
		t.Skip("sizeable statements")
	}
	cases := map[string]string{
		"or":     "SELECT 1 FROM metrics WHERE " + strings.Repeat("mem = 1 OR ", 5000) + "false",
		"and":    "SELECT 1 FROM metrics WHERE " + strings.Repeat("mem = $1 AND ", 2000) + "true",
		"sum":    "SELECT " + strings.Repeat("cpu + ", 5000) + "1.5 FROM metrics",
		"div":    "SELECT " + strings.Repeat("sum(mem) / ", 1000) + "count(*) FROM metrics",
		"in":     "SELECT 1 FROM metrics WHERE mem IN (" + strings.Repeat("1, ", 20000) + "2)",
		"case":   "SELECT CASE " + strings.Repeat("WHEN mem > 1 THEN cpu ", 2000) + " END FROM metrics",
		"parens": "SELECT " + strings.Repeat("(", 500) + "mem" + strings.Repeat(")", 500) + " FROM metrics",
		"insert": "INSERT INTO sales VALUES " + strings.Repeat("('eu', 'apple', 3, 1.5, 300, '2024-03-01'), ", 10000) + "(NULL, 'x', 1, NULL, NULL, NULL)",
	}
	for name, q := range cases {
		start := time.Now()
		stmts, err := Parse(q)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := Prepare(stmts[0], fuzzCatalog(), nil); err != nil && name != "and" {
			t.Fatalf("%s: %v", name, err)
		}
		d := time.Since(start)
		t.Logf("%s: %v", name, d)
		if d > 10*time.Second {
			t.Errorf("%s took %v", name, d)
		}
	}
}
