package storage

// Calendar arithmetic on proleptic Gregorian dates, shared by everything
// that reads dates and timestamps from text (the Kafka record decoder, the
// PostgreSQL wire protocol) and by the engine's date functions.

// DaysFromCivil is the number of days from 1970-01-01 to y-m-d (Howard
// Hinnant's days_from_civil); negative before 1970.
func DaysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// DaysInMonth is the number of days of month m (1-12) of year y.
func DaysInMonth(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
