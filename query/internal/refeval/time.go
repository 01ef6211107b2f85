package refeval

import (
	"fmt"
	"math/big"
	"time"

	"github.com/stratadb/strata/query/plan"
)

// dateTrunc truncates µs since the epoch to a calendar unit in UTC, through
// the calendar arithmetic of package time (correct before 1970 too).
func dateTrunc(u plan.TruncUnit, us int64) (int64, error) {
	t := time.UnixMicro(us).UTC()
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	ns := t.Nanosecond() // always in [0, 1e9), so truncating it floors
	var out time.Time
	switch u {
	case plan.TruncMicrosecond:
		return us, nil
	case plan.TruncMillisecond:
		out = time.Date(y, mo, d, h, mi, s, ns/1_000_000*1_000_000, time.UTC)
	case plan.TruncSecond:
		out = time.Date(y, mo, d, h, mi, s, 0, time.UTC)
	case plan.TruncMinute:
		out = time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
	case plan.TruncHour:
		out = time.Date(y, mo, d, h, 0, 0, 0, time.UTC)
	case plan.TruncDay:
		out = time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	case plan.TruncWeek:
		back := (int(t.Weekday()) + 6) % 7 // days since Monday
		out = time.Date(y, mo, d-back, 0, 0, 0, 0, time.UTC)
	case plan.TruncMonth:
		out = time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC)
	case plan.TruncQuarter:
		q := (int(mo)-1)/3*3 + 1
		out = time.Date(y, time.Month(q), 1, 0, 0, 0, 0, time.UTC)
	case plan.TruncYear:
		out = time.Date(y, time.January, 1, 0, 0, 0, 0, time.UTC)
	default:
		return 0, fmt.Errorf("BUG: refeval: date_trunc unit %v", u)
	}
	return out.UnixMicro(), nil
}

// timeBucket is origin + floor((us-origin)/width)*width, computed exactly;
// a result outside int64 is an overflow.
func timeBucket(width, origin, us int64) (int64, error) {
	d := new(big.Int).Sub(big.NewInt(us), big.NewInt(origin))
	w := big.NewInt(width)
	q := new(big.Int).Div(d, w) // Euclidean; with w > 0 that is floor
	r := q.Mul(q, w).Add(q, big.NewInt(origin))
	if !r.IsInt64() {
		return 0, fmt.Errorf("%w: time_bucket(%d, %d, %d)", ErrOverflow, width, us, origin)
	}
	return r.Int64(), nil
}
