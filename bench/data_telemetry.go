package bench

import (
	"fmt"
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/stratadb/strata/storage"
)

// The telemetry dataset: devops metrics from TelemetryHosts hosts, one
// reading per host every TelemetryInterval. Row i is host i % hosts at
// TelemetryStart + (i / hosts) * TelemetryInterval, so rows arrive in time
// order and a sample of n rows spans n/hosts*10 s from TelemetryStart.
var (
	TelemetryStart    = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	TelemetryInterval = 10 * time.Second
)

const (
	TelemetryHosts    = 1000
	telemetryRegions  = 8
	telemetryServices = 20
	// TelemetryHost is the host of the single-device queries.
	TelemetryHost = "host-0042"
)

var telemetryRegionNames = [telemetryRegions]string{
	"us-east-1", "us-west-2", "eu-west-1", "eu-central-1",
	"ap-south-1", "ap-northeast-1", "sa-east-1", "ca-central-1",
}

var telemetryCols = []column{
	{"host", storage.TypeString, "text", true},
	{"region", storage.TypeString, "text", true},
	{"service", storage.TypeString, "text", true},
	{"ts", storage.TypeTimestamp, "timestamptz", true},
	{"cpu_user", storage.TypeFloat64, "double precision", false},    // %
	{"cpu_system", storage.TypeFloat64, "double precision", false},  // %
	{"mem_used", storage.TypeFloat64, "double precision", false},    // %
	{"disk_io", storage.TypeFloat64, "double precision", false},     // MB/s
	{"net_in", storage.TypeFloat64, "double precision", false},      // KB/s
	{"net_out", storage.TypeFloat64, "double precision", false},     // KB/s
	{"load1", storage.TypeFloat64, "double precision", false},       // 8 cores
	{"load5", storage.TypeFloat64, "double precision", false},       //
	{"temperature", storage.TypeFloat64, "double precision", false}, // °C
	{"latency_ms", storage.TypeFloat64, "double precision", false},  // ms
}

// TelemetryHostName is host h's name, host-0001 for h = 1.
func TelemetryHostName(h int) string { return fmt.Sprintf("host-%04d", h) }

// telemetryHost is a host's fixed attributes, drawn from the seed.
type telemetryHost struct {
	name, region, service string
	cpuBase, memBase      float64
	netBase               float64
	phase                 float64
}

func telemetryHostsFor(seed int64) []telemetryHost {
	hosts := make([]telemetryHost, TelemetryHosts)
	for h := range hosts {
		r := newRNG(seed, 1, int64(h))
		hosts[h] = telemetryHost{
			name:    TelemetryHostName(h),
			region:  telemetryRegionNames[r.intn(telemetryRegions)],
			service: fmt.Sprintf("svc-%02d", r.intn(telemetryServices)),
			cpuBase: 10 + 40*r.float(),
			memBase: 25 + 55*r.float(),
			netBase: 200 + 5000*r.float(),
			phase:   0.1 * r.float(),
		}
	}
	return hosts
}

// Telemetry is the devops metrics dataset.
func Telemetry() Dataset {
	schema := schemaOf(telemetryCols)
	start := TelemetryStart.UnixMicro()
	step := TelemetryInterval.Microseconds()
	hourFrom, hourTo := pgTimestamp(TelemetryStart), pgTimestamp(TelemetryStart.Add(time.Hour))
	return Dataset{
		Name:        "telemetry",
		Table:       "telemetry",
		StrataDDL:   createTable("telemetry", telemetryCols, "partition_by = 'host', buckets = 16, sort_by = 'ts'"),
		PostgresDDL: createTable("telemetry", telemetryCols, ""),
		PostgresIndexes: []string{
			// telemetry_one_host_hour (host equality + ts range),
			// telemetry_last_point (DISTINCT ON (host) ... ORDER BY host, ts DESC).
			"CREATE INDEX telemetry_host_ts ON telemetry (host, ts)",
			// telemetry_hourly, telemetry_5min (time order), and any ts range.
			"CREATE INDEX telemetry_ts ON telemetry (ts)",
		},
		Generate: func(rows, seed int64, batchRows int, yield func(arrow.RecordBatch) error) error {
			hosts := telemetryHostsFor(seed)
			return generate(schema, rows, batchRows, func(b *array.RecordBuilder, from, to int64) {
				host := b.Field(0).(*array.StringBuilder)
				region := b.Field(1).(*array.StringBuilder)
				service := b.Field(2).(*array.StringBuilder)
				ts := b.Field(3).(*array.TimestampBuilder)
				f := make([]*array.Float64Builder, 10)
				for j := range f {
					f[j] = b.Field(4 + j).(*array.Float64Builder)
				}
				for i := from; i < to; i++ {
					h := &hosts[i%TelemetryHosts]
					tick := i / TelemetryHosts
					host.Append(h.name)
					region.Append(h.region)
					service.Append(h.service)
					ts.Append(arrow.Timestamp(start + tick*step))
					r := newRNG(seed, 2, i)
					// Daily cycle: busiest mid-afternoon UTC, shifted per host.
					day := float64(tick%8640)/8640 + h.phase
					cycle := math.Sin(2 * math.Pi * (day - 0.375))
					cpu := clamp(h.cpuBase+15*cycle+10*(r.float()-0.5), 0, 100)
					f[0].Append(round2(cpu))
					f[1].Append(round2(clamp(0.25*cpu+5*r.float(), 0, 100)))
					f[2].Append(round2(clamp(h.memBase+3*cycle+4*(r.float()-0.5), 0, 100)))
					f[3].Append(round2(-math.Log(r.open()) * 12))
					f[4].Append(round2(h.netBase * (1 + 0.5*cycle) * (0.5 + r.float())))
					f[5].Append(round2(h.netBase * 0.6 * (1 + 0.5*cycle) * (0.5 + r.float())))
					load1 := cpu / 100 * 8 * (0.7 + 0.6*r.float())
					f[6].Append(round2(load1))
					f[7].Append(round2(cpu / 100 * 8 * (0.85 + 0.3*r.float())))
					f[8].Append(round2(38 + 0.4*cpu + 4*r.float()))
					lat := 4 + 0.2*cpu - math.Log(r.open())*15
					if r.float() < 0.001 {
						lat += 500 + 1500*r.float() // a rare stall
					}
					f[9].Append(round2(lat))
				}
			}, yield)
		},
		Queries: []Query{
			{Name: "telemetry_full_agg", Ordered: true,
				SQL: "SELECT count(*), avg(cpu_user), max(cpu_system), min(mem_used), sum(net_in), avg(latency_ms) FROM telemetry"},
			{Name: "telemetry_by_region", Ordered: true,
				SQL: "SELECT region, count(*), avg(cpu_user), max(latency_ms), avg(temperature) FROM telemetry GROUP BY region ORDER BY region"},
			{Name: "telemetry_hourly", Ordered: true,
				SQL: "SELECT date_trunc('hour', ts) AS hour, count(*), avg(cpu_user), max(temperature) FROM telemetry GROUP BY hour ORDER BY hour"},
			{Name: "telemetry_5min", Ordered: true,
				SQL: "SELECT date_bin('5 minutes', ts, " + pgTimestamp(TelemetryStart) + ") AS bucket, region, avg(load1), max(disk_io) " +
					"FROM telemetry GROUP BY bucket, region ORDER BY bucket, region",
				DuckDBSQL: "SELECT time_bucket(INTERVAL '5 minutes', ts, TIMESTAMPTZ " + pgTimestamp(TelemetryStart) + ") AS bucket, region, avg(load1), max(disk_io) " +
					"FROM telemetry GROUP BY bucket, region ORDER BY bucket, region",
				DuckDBWhy: "DuckDB has no date_bin; time_bucket(interval, ts, origin) is its equivalent"},
			{Name: "telemetry_one_host_hour", Ordered: true,
				SQL: "SELECT ts, cpu_user, mem_used, latency_ms FROM telemetry WHERE host = '" + TelemetryHost + "' AND ts >= " + hourFrom +
					" AND ts < " + hourTo + " ORDER BY ts"},
			{Name: "telemetry_top_latency_hosts", Ordered: true,
				SQL: "SELECT host, max(latency_ms) AS worst FROM telemetry GROUP BY host ORDER BY worst DESC, host LIMIT 10"},
			{Name: "telemetry_per_host", Ordered: true,
				SQL: "SELECT host, count(*), avg(cpu_user), max(mem_used), sum(net_out) FROM telemetry GROUP BY host ORDER BY host"},
			{Name: "telemetry_last_point", Ordered: true,
				SQL: "SELECT DISTINCT ON (host) host, ts, cpu_user, mem_used, load1 FROM telemetry ORDER BY host, ts DESC"},
			{Name: "telemetry_hosts_per_service", Ordered: true,
				SQL: "SELECT service, count(DISTINCT host), count(*) FROM telemetry WHERE cpu_user > 40 GROUP BY service ORDER BY service"},
		},
	}
}
