package exec

import (
	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// floorDiv divides rounding toward negative infinity, so instants before
// the epoch (or before a bucket origin) fall in the right bucket.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// civil converts days since 1970-01-01 to a proleptic Gregorian date
// (Howard Hinnant's civil_from_days).
func civil(days int64) (y, m, d int64) {
	z := days + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// truncMicros implements date_trunc in UTC on µs since the epoch.
func truncMicros(us int64, unit plan.TruncUnit) int64 {
	switch unit {
	case plan.TruncMicrosecond:
		return us
	case plan.TruncMillisecond:
		return floorDiv(us, 1_000) * 1_000
	case plan.TruncSecond:
		return floorDiv(us, 1_000_000) * 1_000_000
	case plan.TruncMinute:
		return floorDiv(us, 60_000_000) * 60_000_000
	case plan.TruncHour:
		return floorDiv(us, 3_600_000_000) * 3_600_000_000
	}
	days := floorDiv(us, usPerDay)
	switch unit {
	case plan.TruncDay:
	case plan.TruncWeek:
		// 1970-01-01 was a Thursday: Monday-based weeks start 3 days earlier.
		days = floorDiv(days+3, 7)*7 - 3
	default:
		y, m, _ := civil(days)
		switch unit {
		case plan.TruncMonth:
		case plan.TruncQuarter:
			m = (m-1)/3*3 + 1
		case plan.TruncYear:
			m = 1
		}
		days = storage.DaysFromCivil(y, m, 1)
	}
	return days * usPerDay
}

func truncKernel(v *vector, unit plan.TruncUnit) *vector {
	out := &vector{typ: storage.TypeTimestamp, n: v.n, cnst: v.cnst, nulls: v.nulls, ints: make([]int64, len(v.ints))}
	var last, lastOut int64
	for i, x := range v.ints {
		// Time-sorted chunks repeat buckets: skip the calendar math then.
		if i == 0 || x != last {
			last, lastOut = x, truncMicros(x, unit)
		}
		out.ints[i] = lastOut
	}
	return out
}

func bucketKernel(v *vector, width, origin int64) *vector {
	out := &vector{typ: storage.TypeTimestamp, n: v.n, cnst: v.cnst, nulls: v.nulls, ints: make([]int64, len(v.ints))}
	if width <= 0 {
		for i, x := range v.ints {
			out.ints[i] = origin + floorDiv(x-origin, width)*width
		}
		return out
	}
	// Time-sorted chunks stay in one bucket for many rows: a row in the
	// last row's bucket [lo, lo+width) skips the division. The difference
	// is taken unsigned so that it cannot overflow.
	lo, have := int64(0), false
	for i, x := range v.ints {
		if !have || x < lo || uint64(x)-uint64(lo) >= uint64(width) {
			lo, have = origin+floorDiv(x-origin, width)*width, true
		}
		out.ints[i] = lo
	}
	return out
}
