package plan

import (
	"fmt"
	"strings"
)

// Function names as bound plans spell them (Bind lower-cases names and
// maps the aliases extract and ceiling to these).
const (
	FnAbs      = "abs"
	FnRound    = "round"
	FnFloor    = "floor"
	FnCeil     = "ceil"
	FnLower    = "lower"
	FnUpper    = "upper"
	FnLength   = "length"
	FnNullIf   = "nullif"
	FnGreatest = "greatest"
	FnLeast    = "least"
	FnDatePart = "date_part"
)

var funcAliases = map[string]string{"extract": FnDatePart, "ceiling": FnCeil}

// funcArity gives each function's least and most arguments (-1: any).
var funcArity = map[string][2]int{
	FnAbs: {1, 1}, FnRound: {1, 2}, FnFloor: {1, 1}, FnCeil: {1, 1},
	FnLower: {1, 1}, FnUpper: {1, 1}, FnLength: {1, 1}, FnNullIf: {2, 2},
	FnGreatest: {1, -1}, FnLeast: {1, -1}, FnDatePart: {2, 2},
}

// canonicalFunc resolves a function name and checks its argument count.
func canonicalFunc(e Func) (string, error) {
	name := strings.ToLower(e.Name)
	if a, ok := funcAliases[name]; ok {
		name = a
	}
	ar, ok := funcArity[name]
	if !ok {
		return "", fmt.Errorf("%w: function %s does not exist", ErrInvalidPlan, e.Name)
	}
	if len(e.Args) < ar[0] || (ar[1] >= 0 && len(e.Args) > ar[1]) {
		return "", fmt.Errorf("%w: %s takes %s, got %d: %v", ErrInvalidPlan, name, arityText(ar), len(e.Args), e)
	}
	return name, nil
}

func arityText(ar [2]int) string {
	switch {
	case ar[1] < 0:
		return fmt.Sprintf("at least %d arguments", ar[0])
	case ar[0] == ar[1] && ar[0] == 1:
		return "1 argument"
	case ar[0] == ar[1]:
		return fmt.Sprintf("%d arguments", ar[0])
	}
	return fmt.Sprintf("%d to %d arguments", ar[0], ar[1])
}

// DatePart is a field date_part (EXTRACT) reads.
type DatePart uint8

const (
	PartYear DatePart = iota + 1
	PartQuarter
	PartMonth
	PartDay
	PartHour
	PartMinute
	PartSecond // with its fraction
	PartDow    // 0 = Sunday
	PartDoy    // 1..366
	PartEpoch  // seconds since 1970-01-01 00:00 UTC, with fraction
	PartWeek   // ISO 8601 week number
)

var partNames = []string{"", "year", "quarter", "month", "day", "hour", "minute", "second", "dow", "doy", "epoch", "week"}

func (p DatePart) String() string {
	if int(p) < len(partNames) {
		return partNames[p]
	}
	return "part?"
}

var partAliases = map[string]DatePart{
	"year": PartYear, "years": PartYear, "y": PartYear, "yr": PartYear, "yrs": PartYear,
	"quarter": PartQuarter, "qtr": PartQuarter,
	"month": PartMonth, "months": PartMonth, "mon": PartMonth, "mons": PartMonth,
	"day": PartDay, "days": PartDay, "d": PartDay,
	"hour": PartHour, "hours": PartHour, "h": PartHour, "hr": PartHour, "hrs": PartHour,
	"minute": PartMinute, "minutes": PartMinute, "m": PartMinute, "min": PartMinute, "mins": PartMinute,
	"second": PartSecond, "seconds": PartSecond, "s": PartSecond, "sec": PartSecond, "secs": PartSecond,
	"dow": PartDow, "doy": PartDoy, "epoch": PartEpoch,
	"week": PartWeek, "weeks": PartWeek, "w": PartWeek,
}

// ParseDatePart accepts PostgreSQL's names of the fields date_part knows.
func ParseDatePart(s string) (DatePart, error) {
	if p, ok := partAliases[strings.ToLower(strings.TrimSpace(s))]; ok {
		return p, nil
	}
	return 0, fmt.Errorf("%w: date_part unit %q is not recognized", ErrBadValue, s)
}
