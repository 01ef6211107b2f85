package sql

import (
	"testing"

	"github.com/cockroachdb/cockroachdb-parser/pkg/util/duration"

	"github.com/stratadb/strata/query/plan"
)

// Expected values checked against PostgreSQL 15 (SET TimeZone=UTC;
// SELECT timestamp 'ts' + interval 'iv').
func TestIntervalArithmetic(t *testing.T) {
	for _, c := range []struct{ ts, iv, want string }{
		{"2024-01-31 12:00:00", "1 month", "2024-02-29 12:00:00"},
		{"2024-02-29 00:00:00", "1 year", "2025-02-28 00:00:00"},
		{"2024-01-31 10:00:00", "-1 year -2 mons", "2022-11-30 10:00:00"},
		{"2024-01-31 10:00:00", "-1 month -1 day 3:00", "2023-12-30 13:00:00"},
		{"2024-01-01 00:00:00", "1.5 months", "2024-02-16 00:00:00"},
		{"2024-01-01 00:00:00", "-2 weeks", "2023-12-18 00:00:00"},
		{"2024-01-01 00:00:00", "1 day 2 hours 3 minutes 4.5 seconds", "2024-01-02 02:03:04.5"},
		{"2024-03-31 00:00:00", "-1 mon", "2024-02-29 00:00:00"},
		{"1969-12-31 23:59:59", "1 mon 1 second", "1970-02-01 00:00:00"},
		{"2024-01-01 00:00:00", "00:00:10", "2024-01-01 00:00:10"},
		{"2024-01-01 00:00:00", "100 microseconds", "2024-01-01 00:00:00.0001"},
	} {
		iv, err := parseInterval(c.iv, nil)
		if err != nil {
			t.Errorf("%q: %v", c.iv, err)
			continue
		}
		us, err := plan.ParseTimestamp(c.ts)
		if err != nil {
			t.Fatal(err)
		}
		got, err := addInterval(us, iv)
		if err != nil || plan.FormatTimestamp(got) != c.want {
			t.Errorf("%s + %q = %s, %v; want %s", c.ts, c.iv, plan.FormatTimestamp(got), err, c.want)
		}
	}
	if _, err := parseInterval("5 apples", nil); SQLState(err) != "22007" {
		t.Errorf("5 apples: %v", err)
	}
	if _, err := addInterval(0, mustInterval(t, "300000 years")); SQLState(err) != "22008" {
		t.Errorf("overflow: %v", err)
	}
}

func mustInterval(t *testing.T, s string) duration.Duration {
	d, err := parseInterval(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
