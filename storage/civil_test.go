package storage

import (
	"testing"
	"time"
)

// Against the standard library's calendar, over ±1200 years around 1970.
func TestCivilDatesMatchTime(t *testing.T) {
	for y := 770; y <= 3170; y += 7 {
		for m := 1; m <= 12; m++ {
			first := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
			if want := first.AddDate(0, 1, -1).Day(); DaysInMonth(y, m) != want {
				t.Fatalf("DaysInMonth(%d, %d) = %d, want %d", y, m, DaysInMonth(y, m), want)
			}
			for _, d := range []int{1, 15, DaysInMonth(y, m)} {
				want := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Unix() / 86400
				if got := DaysFromCivil(int64(y), int64(m), int64(d)); got != want {
					t.Fatalf("DaysFromCivil(%d, %d, %d) = %d, want %d", y, m, d, got, want)
				}
			}
		}
	}
}
