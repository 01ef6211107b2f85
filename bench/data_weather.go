package bench

import (
	"fmt"
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/stratadb/strata/storage"
)

// The weather dataset: hourly observations from WeatherStations stations.
// Row i is station i % stations at WeatherStart + (i / stations) hours.
// Temperature follows the season and the hour of day, scaled by each
// station's latitude; precipitation is mostly 0, in steps of 0.25 mm (so
// sums are exact in binary and both engines rank them alike), and 1% of
// it is NULL (a missing reading).
var WeatherStart = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

const WeatherStations = 500

// WeatherStation is the station of the single-station queries.
var WeatherStation = WeatherStationID(42)

var weatherCols = []column{
	{"station_id", storage.TypeString, "text", true},
	{"year", storage.TypeInt32, "integer", true},
	{"month", storage.TypeInt32, "integer", true},
	{"day", storage.TypeInt32, "integer", true},
	{"hour", storage.TypeInt32, "integer", true},
	{"temperature", storage.TypeFloat64, "double precision", false},    // °C
	{"dewpoint", storage.TypeFloat64, "double precision", false},       // °C
	{"pressure", storage.TypeFloat64, "double precision", false},       // hPa
	{"wind_direction", storage.TypeFloat64, "double precision", false}, // degrees
	{"wind_speed", storage.TypeFloat64, "double precision", false},     // m/s
	{"precip_1h", storage.TypeFloat64, "double precision", false},      // mm
}

// WeatherStationID is station s's identifier, GHCN style (USW00012000...).
func WeatherStationID(s int) string { return fmt.Sprintf("USW000%05d", 12000+17*s) }

type weatherStation struct {
	id             string
	mean, seasonal float64 // annual mean temperature and half its yearly swing
	wet            float64 // chance of rain in an hour
}

func weatherStationsFor(seed int64) []weatherStation {
	st := make([]weatherStation, WeatherStations)
	for s := range st {
		r := newRNG(seed, 3, int64(s))
		lat := 25 + 45*r.float()
		st[s] = weatherStation{
			id:       WeatherStationID(s),
			mean:     24 - 0.55*(lat-25),
			seasonal: 4 + 0.35*(lat-25),
			wet:      0.03 + 0.12*r.float(),
		}
	}
	return st
}

// Weather is the hourly weather observations dataset.
func Weather() Dataset {
	schema := schemaOf(weatherCols)
	return Dataset{
		Name:        "weather",
		Table:       "weather",
		StrataDDL:   createTable("weather", weatherCols, "partition_by = 'station_id', buckets = 16, sort_by = 'year, month, day, hour'"),
		PostgresDDL: createTable("weather", weatherCols, ""),
		PostgresIndexes: []string{
			// weather_one_station_month (station, year, month equality),
			// weather_station_year and weather_top_precip (grouped by station, year).
			"CREATE INDEX weather_station_year ON weather (station_id, year, month)",
			// weather_monthly (grouped by month over every station).
			"CREATE INDEX weather_year_month ON weather (year, month)",
		},
		Generate: func(rows, seed int64, batchRows int, yield func(arrow.RecordBatch) error) error {
			stations := weatherStationsFor(seed)
			return generate(schema, rows, batchRows, func(b *array.RecordBuilder, from, to int64) {
				station := b.Field(0).(*array.StringBuilder)
				year := b.Field(1).(*array.Int32Builder)
				month := b.Field(2).(*array.Int32Builder)
				day := b.Field(3).(*array.Int32Builder)
				hour := b.Field(4).(*array.Int32Builder)
				temp := b.Field(5).(*array.Float64Builder)
				dew := b.Field(6).(*array.Float64Builder)
				pres := b.Field(7).(*array.Float64Builder)
				wdir := b.Field(8).(*array.Float64Builder)
				wspd := b.Field(9).(*array.Float64Builder)
				prcp := b.Field(10).(*array.Float64Builder)
				lastHour := int64(-1)
				var y, m, d, hr int32
				var season, diurnal float64
				for i := from; i < to; i++ {
					st := &stations[i%WeatherStations]
					if h := i / WeatherStations; h != lastHour {
						lastHour = h
						t := WeatherStart.Add(time.Duration(h) * time.Hour)
						yy, mm, dd := t.Date()
						y, m, d, hr = int32(yy), int32(mm), int32(dd), int32(t.Hour())
						// Coldest around 20 January, warmest mid-afternoon.
						season = -math.Cos(2 * math.Pi * float64(t.YearDay()-20) / 365.25)
						diurnal = -math.Cos(2 * math.Pi * float64(hr-3) / 24)
					}
					station.Append(st.id)
					year.Append(y)
					month.Append(m)
					day.Append(d)
					hour.Append(hr)
					r := newRNG(seed, 4, i)
					t := st.mean + st.seasonal*season + 4*diurnal + 6*(r.float()-0.5)
					temp.Append(round1(t))
					dew.Append(round1(t - 1 - 9*r.float()))
					pres.Append(round1(1013 + 12*(r.float()+r.float()-1)))
					wdir.Append(float64(10 * r.intn(36)))
					wspd.Append(round1(-math.Log(r.open()) * 3.5))
					switch u := r.float(); {
					case u < 0.01:
						prcp.AppendNull()
					case u < 0.01+st.wet:
						prcp.Append(0.25 * float64(1+int(-math.Log(r.open())*5)))
					default:
						prcp.Append(0)
					}
				}
			}, yield)
		},
		Queries: []Query{
			{Name: "weather_monthly_high_low", Ordered: true,
				SQL: "SELECT station_id, month, max(temperature) AS high, min(temperature) AS low FROM weather " +
					"GROUP BY station_id, month ORDER BY station_id, month"},
			{Name: "weather_top_precip", Ordered: true,
				SQL: "SELECT station_id, year, sum(precip_1h) AS total FROM weather GROUP BY station_id, year " +
					"ORDER BY total DESC, station_id, year LIMIT 10"},
			{Name: "weather_station_year", Ordered: true,
				SQL: "SELECT station_id, year, count(*), avg(temperature), avg(pressure), max(wind_speed) FROM weather " +
					"GROUP BY station_id, year ORDER BY station_id, year"},
			{Name: "weather_monthly", Ordered: true,
				SQL: "SELECT year, month, count(precip_1h), count(*) - count(precip_1h) AS missing, " +
					"sum(CASE WHEN precip_1h > 0 THEN 1 ELSE 0 END) AS wet_hours, avg(dewpoint) FROM weather " +
					"GROUP BY year, month ORDER BY year, month"},
			{Name: "weather_hottest_hours", Ordered: true,
				SQL: "SELECT station_id, year, month, day, hour, temperature FROM weather " +
					"ORDER BY temperature DESC, station_id, year, month, day, hour LIMIT 10"},
			{Name: "weather_one_station_month", Ordered: true,
				SQL: fmt.Sprintf("SELECT day, hour, temperature, wind_speed, precip_1h FROM weather "+
					"WHERE station_id = '%s' AND year = %d AND month = 1 ORDER BY day, hour", WeatherStation, WeatherStart.Year())},
		},
	}
}
