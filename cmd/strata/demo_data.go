package main

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/stratadb/strata/client"
	"github.com/stratadb/strata/storage"
)

// telemetryDef is the demo's table: one reading per host every few
// milliseconds, partitioned by host, sorted by time.
var telemetryDef = storage.TableDef{
	Name: "telemetry",
	Columns: []storage.Column{
		{Name: "ts", Type: storage.TypeTimestamp},
		{Name: "host", Type: storage.TypeString},
		{Name: "region", Type: storage.TypeString},
		{Name: "service", Type: storage.TypeString},
		{Name: "cpu", Type: storage.TypeFloat64, Nullable: true},
		{Name: "mem_mb", Type: storage.TypeInt64},
		{Name: "net_rx_kb", Type: storage.TypeInt64},
		{Name: "errors", Type: storage.TypeInt32},
	},
	PartitionKey: []string{"host"},
	SortKey:      []string{"ts"},
}

const demoHosts = 200

var (
	regions  = []string{"eu-west", "eu-north", "us-east", "us-west", "ap-south"}
	services = []string{"api", "web", "db", "cache", "queue", "batch", "auth", "search"}
	hostName = func() []string {
		names := make([]string, demoHosts)
		for h := range names {
			names[h] = fmt.Sprintf("host-%03d", h)
		}
		return names
	}()
)

// mix is splitmix64: a deterministic pseudo-random value for row k.
func mix(k uint64) uint64 {
	k += 0x9e3779b97f4a7c15
	k = (k ^ (k >> 30)) * 0xbf58476d1ce4e5b9
	k = (k ^ (k >> 27)) * 0x94d049bb133111eb
	return k ^ (k >> 31)
}

// telemetryBatch makes readings first..first+n-1 of the stream: reading k
// is of host k%200, at t0 + j*step µs (j = k-first). Values are a pure
// function of k and the time: a daily-ish wave per host, noise, a few
// hot hosts, and a NULL cpu (a missed reading) every 997th row.
func telemetryBatch(mem memory.Allocator, first int64, n int, t0, step int64) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, telemetryDef.ArrowSchema())
	defer b.Release()
	for _, f := range b.Fields() {
		f.Reserve(n)
	}
	ts := b.Field(0).(*array.TimestampBuilder)
	host, region, service := b.Field(1).(*array.StringBuilder), b.Field(2).(*array.StringBuilder), b.Field(3).(*array.StringBuilder)
	cpu, mem64, rx, errs := b.Field(4).(*array.Float64Builder), b.Field(5).(*array.Int64Builder), b.Field(6).(*array.Int64Builder), b.Field(7).(*array.Int32Builder)
	for j := range n {
		k := first + int64(j)
		h := int(k % demoHosts)
		t := t0 + int64(j)*step
		r := mix(uint64(k))
		ts.Append(arrow.Timestamp(t))
		host.Append(hostName[h])
		region.Append(regions[h%len(regions)])
		service.Append(services[h%len(services)])
		if k%997 == 0 {
			cpu.AppendNull()
		} else {
			cpu.Append(cpuReading(h, t, r))
		}
		mem64.Append(int64(1024 + (h*37)%15_000 + int(r>>40)%512))
		rx.Append(int64(r>>20) % 50_000)
		errs.Append(int32(r%1000) / 990) // about 1% of readings see an error
	}
	return b.NewRecordBatch()
}

// cpuReading is a host's CPU percent at time t (µs), rounded to 0.1.
func cpuReading(h int, t int64, r uint64) float64 {
	base := 20 + float64(h%7)*8
	if h%50 == 7 {
		base = 85 // a few hot hosts
	}
	wave := 10 * math.Sin(float64(t)/3.6e9+float64(h))
	noise := float64(r%200)/20 - 5
	return math.Round(max(0, min(100, base+wave+noise))*10) / 10
}

// streamer writes telemetry into a node at a steady rate with advancing
// timestamps, until stopped or until it has written max rows.
type streamer struct {
	w     *client.Writer
	rate  int   // rows per second
	max   int64 // stop after this many rows (0: no limit)
	next  int64 // the next reading's index
	tick  time.Duration
	mu    sync.Mutex
	err   error // why it stopped early
	rows  int64 // rows written
	done  chan struct{}
	stop  context.CancelFunc
	clock func() time.Time
}

func startStreamer(ctx context.Context, w *client.Writer, rate int, maxRows, first int64) *streamer {
	ctx, cancel := context.WithCancel(ctx)
	s := &streamer{w: w, rate: rate, max: maxRows, next: first, tick: 100 * time.Millisecond, done: make(chan struct{}), stop: cancel, clock: time.Now}
	go s.run(ctx)
	return s
}

func (s *streamer) run(ctx context.Context) {
	defer close(s.done)
	ticker := time.NewTicker(s.tick)
	defer ticker.Stop()
	start := s.clock()
	last := start
	var written int64
	for flushes := 1; ; flushes++ {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		now := s.clock()
		// Rows due since the start, so a slow tick is made up for; at
		// most one second's worth at once.
		due := min(int64(now.Sub(start).Seconds()*float64(s.rate))-written, int64(s.rate))
		if s.max > 0 {
			due = min(due, s.max-written)
		}
		if due > 0 {
			if err := s.write(ctx, int(due), last, now); err != nil {
				s.fail(ctx, err)
				return
			}
			written += due
			last = now
		}
		if s.max > 0 && written >= s.max {
			return
		}
		if flushes%10 == 0 { // batch failures surface in Flush
			if err := s.w.Flush(ctx); err != nil {
				s.fail(ctx, err)
				return
			}
		}
	}
}

// write sends n readings spread evenly over (from, to].
func (s *streamer) write(ctx context.Context, n int, from, to time.Time) error {
	span := to.Sub(from).Microseconds()
	step := max(1, span/int64(n))
	rec := telemetryBatch(memory.DefaultAllocator, s.next, n, to.UnixMicro()-step*int64(n-1), step)
	defer rec.Release()
	if err := s.w.Write(ctx, rec); err != nil {
		return err
	}
	s.next += int64(n)
	s.mu.Lock()
	s.rows += int64(n)
	s.mu.Unlock()
	return nil
}

func (s *streamer) fail(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return // stopped, not failed
	}
	s.mu.Lock()
	s.err = err
	s.mu.Unlock()
}

// Rows is how many rows the streamer has written.
func (s *streamer) Rows() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rows
}

// Stop ends the stream, waits for the last batches to be acknowledged
// (for at most wait) and closes the writer. It returns why the stream
// stopped early, if it did.
func (s *streamer) Stop(wait time.Duration) error {
	s.stop()
	<-s.done
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	closeErr := s.w.Close(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	return closeErr
}
