package main

import (
	"fmt"
	"strconv"
	"strings"

	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/query/plan"
)

// inferSampleRows is how many leading rows of a CSV or JSONL file decide
// the types of a table created with --create.
const inferSampleRows = 10_000

// candidates tracks which types every value of a column seen so far fits.
type candidates struct {
	values                                int // non-NULL values seen
	nulls                                 bool
	int64, float64, bool, date, timestamp bool
	nested                                bool
}

func newCandidates() candidates {
	return candidates{int64: true, float64: true, bool: true, date: true, timestamp: true}
}

// see narrows the candidates by one value. CSV text may be any type; JSON
// values keep their JSON type, except that strings may hold dates and
// timestamps.
func (c *candidates) see(v rawValue) {
	switch v.kind {
	case rawNull:
		c.nulls = true
		return
	case rawText:
		c.int64 = c.int64 && isInteger(v.s)
		c.float64 = c.float64 && isDecimal(v.s)
		c.bool = c.bool && isBoolWord(v.s)
		c.date = c.date && isDate(v.s)
		c.timestamp = c.timestamp && (isDate(v.s) || isTimestamp(v.s))
	case rawString:
		c.int64, c.float64, c.bool = false, false, false
		c.date = c.date && isDate(v.s)
		c.timestamp = c.timestamp && (isDate(v.s) || isTimestamp(v.s))
	case rawNumber:
		c.int64 = c.int64 && isInteger(v.s)
		c.bool, c.date, c.timestamp = false, false, false
	case rawBool:
		c.int64, c.float64, c.date, c.timestamp = false, false, false, false
	case rawNested:
		c.nested = true
	}
	c.values++
}

// columnType is the narrowest type that fits every value: int64, then
// float64, bool, date, timestamp, else string (also for a column with no
// values).
func (c *candidates) columnType() stratapb.ColumnType {
	switch {
	case c.values == 0:
		return stratapb.ColumnType_STRING
	case c.int64:
		return stratapb.ColumnType_INT64
	case c.float64:
		return stratapb.ColumnType_FLOAT64
	case c.bool:
		return stratapb.ColumnType_BOOL
	case c.date:
		return stratapb.ColumnType_DATE
	case c.timestamp:
		return stratapb.ColumnType_TIMESTAMP
	}
	return stratapb.ColumnType_STRING
}

// inferColumns infers a table's columns from sampled rows. Every column is
// nullable: the sample is only the head of the file, and a NULL further
// down must not fail a load half applied.
func inferColumns(names []string, rows []textRow) ([]*stratapb.Column, error) {
	cands := make([]candidates, len(names))
	for i := range cands {
		cands[i] = newCandidates()
	}
	for _, row := range rows {
		for i, v := range row.vals {
			cands[i].see(v)
		}
	}
	cols := make([]*stratapb.Column, len(names))
	for i, name := range names {
		if cands[i].nested {
			return nil, fmt.Errorf("column %q holds JSON objects or arrays, which Strata does not store; flatten them first", name)
		}
		cols[i] = &stratapb.Column{Name: name, Type: cands[i].columnType(), Nullable: true}
	}
	return cols, nil
}

func isInteger(s string) bool {
	_, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return err == nil
}

// isDecimal accepts plain decimal numbers (not NaN, Inf or hex floats,
// which ParseFloat also reads).
func isDecimal(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || strings.Trim(s, "0123456789+-.eE") != "" || !strings.ContainsAny(s, "0123456789") {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

func isBoolWord(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "false":
		return true
	}
	return false
}

func isDate(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) != 10 {
		return false
	}
	_, err := plan.ParseDate(s)
	return err == nil
}

func isTimestamp(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) < 16 { // "2006-01-02 15:04" at least
		return false
	}
	_, err := plan.ParseTimestamp(s)
	return err == nil
}
