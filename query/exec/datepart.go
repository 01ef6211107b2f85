package exec

import (
	"fmt"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

func compileDatePart(e plan.Func, args []expr) (expr, error) {
	l, ok := e.Args[0].(plan.Lit)
	if !ok {
		return expr{}, fmt.Errorf("%w: date_part's field must be a constant", plan.ErrInvalidPlan)
	}
	part, err := plan.ParseDatePart(l.Value.Str)
	if err != nil {
		return expr{}, err
	}
	x := castTo(args[1], storage.TypeTimestamp)
	return expr{storage.TypeFloat64, unary(x.eval, func(v *vector) *vector { return datePartKernel(v, part) })}, nil
}

// datePartKernel reads a calendar field of timestamps (µs, UTC) as
// float64, one loop per field.
func datePartKernel(v *vector, part plan.DatePart) *vector {
	out := &vector{typ: storage.TypeFloat64, n: v.n, cnst: v.cnst, nulls: v.nulls, flts: make([]float64, len(v.ints))}
	switch part {
	case plan.PartEpoch:
		for i, us := range v.ints {
			out.flts[i] = float64(us) / 1e6
		}
	case plan.PartSecond:
		for i, us := range v.ints {
			out.flts[i] = float64(us-floorDiv(us, 60_000_000)*60_000_000) / 1e6
		}
	case plan.PartMinute, plan.PartHour:
		unit, per := int64(60_000_000), int64(60)
		if part == plan.PartHour {
			unit, per = 3_600_000_000, 24
		}
		for i, us := range v.ints {
			out.flts[i] = float64(floorDiv(us, unit) - floorDiv(us, unit*per)*per)
		}
	case plan.PartDow:
		for i, us := range v.ints {
			d := floorDiv(us, usPerDay) + 4 // 1970-01-01 was a Thursday
			out.flts[i] = float64(d - floorDiv(d, 7)*7)
		}
	default:
		for i, us := range v.ints {
			out.flts[i] = float64(calendarPart(floorDiv(us, usPerDay), part))
		}
	}
	return out
}

// calendarPart computes the date fields of a day (days since the epoch).
func calendarPart(days int64, part plan.DatePart) int64 {
	y, m, d := civil(days)
	switch part {
	case plan.PartYear:
		return y
	case plan.PartQuarter:
		return (m-1)/3 + 1
	case plan.PartMonth:
		return m
	case plan.PartDay:
		return d
	case plan.PartDoy:
		return days - storage.DaysFromCivil(y, 1, 1) + 1
	case plan.PartWeek:
		return isoWeek(days)
	}
	panic(fmt.Sprintf("BUG: date part %v", part))
}

// isoWeek is the ISO 8601 week number: weeks start on Monday, and week 1
// is the one holding the year's first Thursday.
func isoWeek(days int64) int64 {
	monday := floorDiv(days+3, 7)*7 - 3 // as truncMicros finds weeks
	thursday := monday + 3
	y, _, _ := civil(thursday)
	return (thursday-storage.DaysFromCivil(y, 1, 1))/7 + 1
}
