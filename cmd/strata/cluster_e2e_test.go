package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/stratadb/strata/client"
	stratapb "github.com/stratadb/strata/proto"
)

var eventsDef = &stratapb.TableDef{
	Name: "events",
	Columns: []*stratapb.Column{
		{Name: "producer", Type: stratapb.ColumnType_STRING},
		{Name: "seq", Type: stratapb.ColumnType_INT64},
		{Name: "amount", Type: stratapb.ColumnType_INT64},
	},
	PartitionKey: []string{"producer"},
	Buckets:      4,
	SortKey:      []string{"seq"},
}

var eventsSchema = arrow.NewSchema([]arrow.Field{
	{Name: "producer", Type: arrow.BinaryTypes.String},
	{Name: "seq", Type: arrow.PrimitiveTypes.Int64},
	{Name: "amount", Type: arrow.PrimitiveTypes.Int64},
}, nil)

// eventAmount is the deterministic amount of a producer's row seq.
func eventAmount(producer string, seq int64) int64 {
	h := int64(len(producer)*131 + int(producer[len(producer)-1]))
	return (seq*7919+h*104729)%2001 - 1000
}

// eventsRecord is producer's rows seq in [from, to); it also returns
// their amounts' sum.
func eventsRecord(producer string, from, to int64) (arrow.RecordBatch, int64) {
	b := array.NewRecordBuilder(memory.DefaultAllocator, eventsSchema)
	defer b.Release()
	var sum int64
	for seq := from; seq < to; seq++ {
		a := eventAmount(producer, seq)
		b.Field(0).(*array.StringBuilder).Append(producer)
		b.Field(1).(*array.Int64Builder).Append(seq)
		b.Field(2).(*array.Int64Builder).Append(a)
		sum += a
	}
	return b.NewRecordBatch(), sum
}

// writeEvents writes batches batches of rows rows for producer into table
// and closes the writer; it returns the rows' amounts' sum.
func writeEvents(t *testing.T, cl *client.Client, table, producer string, firstSeq int64, batches, rows int) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// A producer id per call: sequences start at 1 for each writer.
	w, err := cl.NewWriter(table, client.WriterOptions{ProducerID: fmt.Sprintf("%s@%d", producer, firstSeq), BatchRows: rows})
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for i := 0; i < batches; i++ {
		from := firstSeq + int64(i*rows)
		rec, s := eventsRecord(producer, from, from+int64(rows))
		err := w.Write(ctx, rec)
		rec.Release()
		if err != nil {
			t.Fatalf("%s: write: %v", producer, err)
		}
		sum += s
	}
	if err := w.Close(ctx); err != nil {
		t.Fatalf("%s: close: %v", producer, err)
	}
	if st := w.Stats(); st.Failed != 0 || st.RowsApplied+st.DuplicateRows != int64(batches*rows) {
		t.Fatalf("%s: writer stats %+v, want %d rows acknowledged", producer, st, batches*rows)
	}
	return sum
}

// ---- A continuous workload: writers with their own producer ids. ----

// workload runs writers, each with its own client of the whole cluster
// and its own producer id, writing small batches into events until
// stopped. Every tenth batch a writer reads its own row count back
// (linearizable, the client's session version as min_version) and
// records the version read.
type workload struct {
	c         *cluster
	batchRows int
	pace      time.Duration
	writers   []*wlWriter
	stopping  chan struct{}
	wg        sync.WaitGroup
}

type wlWriter struct {
	producer string
	cl       *client.Client
	w        *client.Writer

	// Owned by the writer's goroutine until wg.Wait.
	rows, sum  int64    // written (sent) rows and their amounts' sum
	versions   []uint64 // versions its queries read, in order
	queries    int
	queryErrs  []string
	violations []string
	err        error // why it stopped early, or Close's error
	stats      client.WriterStats
}

func startWorkload(c *cluster, writers, batchRows int, pace time.Duration) *workload {
	c.t.Helper()
	wl := &workload{c: c, batchRows: batchRows, pace: pace, stopping: make(chan struct{})}
	for i := 0; i < writers; i++ {
		cl := c.dial(client.Options{})
		producer := fmt.Sprintf("w%d", i)
		w, err := cl.NewWriter("events", client.WriterOptions{ProducerID: producer, BatchRows: batchRows, RetryLimit: 3 * time.Minute})
		if err != nil {
			c.t.Fatal(err)
		}
		ww := &wlWriter{producer: producer, cl: cl, w: w}
		wl.writers = append(wl.writers, ww)
		wl.wg.Add(1)
		go func() {
			defer wl.wg.Done()
			ww.run(wl)
		}()
	}
	// Stop the writers even when the test fails half way.
	c.t.Cleanup(func() { wl.stop() })
	return wl
}

func (ww *wlWriter) run(wl *workload) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for batch := 0; ; batch++ {
		select {
		case <-wl.stopping:
			cctx, ccancel := context.WithTimeout(ctx, 3*time.Minute)
			ww.err = ww.w.Close(cctx)
			ccancel()
			ww.stats = ww.w.Stats()
			return
		default:
		}
		rec, s := eventsRecord(ww.producer, ww.rows, ww.rows+int64(wl.batchRows))
		err := ww.w.Write(ctx, rec)
		rec.Release()
		if err != nil {
			ww.err = fmt.Errorf("write: %w", err)
			ww.w.Close(ctx)
			ww.stats = ww.w.Stats()
			return
		}
		ww.rows += int64(wl.batchRows)
		ww.sum += s
		if batch%10 == 9 {
			ww.readBack()
		}
		time.Sleep(wl.pace)
	}
}

// readBack reads the writer's own row count: it must hold every row
// acknowledged before the read began and no row not yet written, and its
// version must not be below an earlier one or the writer's acks.
func (ww *wlWriter) readBack() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	before := ww.w.Stats()
	ww.queries++
	res, err := ww.cl.SQL(ctx, fmt.Sprintf("SELECT count(*) FROM events WHERE producer = '%s'", ww.producer))
	if err != nil {
		ww.queryErrs = append(ww.queryErrs, err.Error())
		return
	}
	defer res.Release()
	v := res.Version()
	var n int64
	for r := range res.Rows() {
		n = asInt64(r[0])
	}
	if k := len(ww.versions); k > 0 && v < ww.versions[k-1] {
		ww.violations = append(ww.violations, fmt.Sprintf("query version went back from %d to %d", ww.versions[k-1], v))
	}
	if v < before.Version {
		ww.violations = append(ww.violations, fmt.Sprintf("query read version %d below the acknowledged version %d", v, before.Version))
	}
	if acked := before.RowsApplied + before.DuplicateRows; n < acked || n > ww.rows {
		ww.violations = append(ww.violations, fmt.Sprintf("read %d rows at version %d: %d were acknowledged before, %d written", n, v, acked, ww.rows))
	}
	ww.versions = append(ww.versions, v)
}

// acked is the number of batches acknowledged so far, over all writers.
func (wl *workload) acked() int64 {
	var n int64
	for _, ww := range wl.writers {
		st := ww.w.Stats()
		n += st.AckedBatches + st.Duplicates
	}
	return n
}

// waitProgress waits until batches more batches are acknowledged.
func (wl *workload) waitProgress(what string, batches int64, timeout time.Duration) {
	t := wl.c.t
	t.Helper()
	start, from := time.Now(), wl.acked()
	for wl.acked() < from+batches {
		if time.Since(start) > timeout {
			t.Fatalf("%s: only %d of %d more batches acknowledged in %v", what, wl.acked()-from, batches, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("%s: %d more batches acknowledged in %v", what, wl.acked()-from, time.Since(start).Round(time.Millisecond))
}

// stop stops the writers and waits for their Close (every batch
// acknowledged).
func (wl *workload) stop() {
	select {
	case <-wl.stopping:
	default:
		close(wl.stopping)
	}
	wl.wg.Wait()
}

// check stops the workload and checks, on every running node, that each
// producer's rows are exactly those written and acknowledged: count,
// sum of amounts, no duplicate and no missing sequence number.
func (wl *workload) check() {
	c, t := wl.c, wl.c.t
	t.Helper()
	wl.stop()
	var maxVersion uint64
	want := map[string][]int64{}
	for _, ww := range wl.writers {
		st := ww.stats
		t.Logf("%s: %d rows in %d batches, stats %+v, %d queries (%d failed), versions read %d..%d",
			ww.producer, ww.rows, ww.rows/int64(wl.batchRows), st, ww.queries, len(ww.queryErrs), first(ww.versions), last(ww.versions))
		for i, e := range ww.queryErrs {
			if i == 3 {
				t.Logf("%s: ... %d more query errors", ww.producer, len(ww.queryErrs)-3)
				break
			}
			t.Logf("%s: query error (tolerated during failures): %s", ww.producer, e)
		}
		if ww.err != nil {
			t.Errorf("%s: %v", ww.producer, ww.err)
		}
		for _, v := range ww.violations {
			t.Errorf("%s: %s", ww.producer, v)
		}
		if st.Failed != 0 || st.Rows != ww.rows || st.RowsApplied+st.DuplicateRows != ww.rows {
			t.Errorf("%s: wrote %d rows; writer stats %+v (want every row acknowledged, none failed)", ww.producer, ww.rows, st)
		}
		maxVersion = max(maxVersion, st.Version, ww.cl.SeenVersion())
		want[ww.producer] = []int64{ww.rows, ww.rows, ww.sum, 0, ww.rows - 1}
	}
	if t.Failed() {
		t.FailNow()
	}
	c.waitConverged(len(c.running()), 2*time.Minute)
	const q = "SELECT producer, count(*), count(DISTINCT seq), sum(amount), min(seq), max(seq) FROM events GROUP BY producer ORDER BY producer"
	for _, n := range c.running() {
		for _, mode := range []stratapb.ReadMode{stratapb.ReadMode_READ_MODE_FOLLOWER, stratapb.ReadMode_READ_MODE_LINEARIZABLE} {
			var rows [][]any
			if mode == stratapb.ReadMode_READ_MODE_FOLLOWER {
				rows = c.mustQueryNode(n, q, maxVersion)
			} else {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				var err error
				rows, _, err = c.queryNode(ctx, n, q, mode, 0)
				cancel()
				if err != nil {
					t.Fatalf("%s: linearizable read: %v", c.id(n), err)
				}
			}
			got := map[string][]int64{}
			for _, r := range rows {
				got[r[0].(string)] = []int64{asInt64(r[1]), asInt64(r[2]), asInt64(r[3]), asInt64(r[4]), asInt64(r[5])}
			}
			for p, w := range want {
				if !slices.Equal(got[p], w) {
					t.Errorf("%s (%s read at >= version %d): producer %s has [count distinct(seq) sum(amount) min(seq) max(seq)] = %v, want %v",
						c.id(n), mode, maxVersion, p, got[p], w)
				}
			}
			if len(got) != len(want) {
				t.Errorf("%s: producers %v, want %d", c.id(n), rows, len(want))
			}
		}
	}
	if !t.Failed() {
		t.Logf("every node holds every acknowledged row exactly once (max version %d)", maxVersion)
	}
}

func first(v []uint64) uint64 {
	if len(v) == 0 {
		return 0
	}
	return v[0]
}

func last(v []uint64) uint64 {
	if len(v) == 0 {
		return 0
	}
	return v[len(v)-1]
}

func createEvents(t *testing.T, c *cluster) *client.Client {
	t.Helper()
	cl := c.dial(client.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := cl.CreateTable(ctx, eventsDef, false); err != nil {
		t.Fatal(err)
	}
	return cl
}

// TestClusterLosesNothing: three writers write small batches continuously
// into a three-node cluster while the leader is killed with SIGKILL, a
// follower is killed, and the (new) leader is stopped with SIGTERM, each
// restarted later from its data dir. Writes go on with one node down;
// at the end every node holds exactly the acknowledged rows, once each,
// and no client ever read an older version than it had seen.
func TestClusterLosesNothing(t *testing.T) {
	c := startCluster(t, 3)
	createEvents(t, c)
	wl := startWorkload(c, 3, 200, 20*time.Millisecond)
	wl.waitProgress("all up", 30, time.Minute)

	l := c.leader(30 * time.Second)
	c.kill9(l)
	wl.waitProgress("leader "+c.id(l)+" killed", 30, time.Minute)
	c.leader(30 * time.Second)
	c.restart(l)
	wl.waitProgress(c.id(l)+" back", 20, time.Minute)

	f := c.followers(c.leader(30 * time.Second))[0]
	c.kill9(f)
	wl.waitProgress("follower "+c.id(f)+" killed", 30, time.Minute)
	c.restart(f)
	wl.waitProgress(c.id(f)+" back", 20, time.Minute)

	l = c.leader(30 * time.Second)
	c.sigterm(l)
	wl.waitProgress("leader "+c.id(l)+" stopped", 30, time.Minute)
	time.Sleep(2 * time.Second)
	c.restart(l)
	wl.waitProgress(c.id(l)+" back", 30, time.Minute)

	wl.check()
}

// TestClusterRestartFromDataDir: a follower is stopped (SIGTERM), tables
// are created, written and dropped without it, then the leader is killed
// (SIGKILL); both restart from their data dirs (with a low snapshot
// threshold, so from a snapshot and the log after it) and every node
// ends with the same tables and the same rows.
func TestClusterRestartFromDataDir(t *testing.T) {
	c := startCluster(t, 3, "--snapshot-threshold", "200", "--snapshot-interval", "1s", "--raft-trailing-logs", "50", "--raft-segment-bytes", "65536")
	cl := createEvents(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tmp := renamed(eventsDef, "scratch")
	if _, err := cl.CreateTable(ctx, tmp, false); err != nil {
		t.Fatal(err)
	}
	writeEvents(t, cl, "events", "a", 0, 250, 100)
	writeEvents(t, cl, "scratch", "s", 0, 10, 10)
	// Every node snapshots (so restarts restore one, then replay the log
	// after it).
	deadline := time.Now().Add(time.Minute)
	for _, n := range c.nodes {
		for len(snapshotFiles(n)) == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("%s took no snapshot", c.id(n))
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

	a := c.followers(c.leader(30 * time.Second))[0]
	c.sigterm(a)
	if _, err := cl.CreateTable(ctx, renamed(eventsDef, "later"), false); err != nil {
		t.Fatal(err)
	}
	writeEvents(t, cl, "events", "a", 25000, 150, 100)
	writeEvents(t, cl, "later", "b", 0, 150, 100)
	if _, err := cl.DropTable(ctx, "scratch", false); err != nil {
		t.Fatal(err)
	}
	if res, err := cl.SQL(ctx, "INSERT INTO later VALUES ('sql', 1, 10), ('sql', 2, 20)"); err != nil {
		t.Fatal(err)
	} else {
		res.Release()
	}
	version := cl.SeenVersion()
	l := c.leader(30 * time.Second)
	c.kill9(l)
	c.restart(a)
	c.restart(l)
	c.waitConverged(3, 2*time.Minute)

	ref := c.requireSameTables(version)
	if got := keys(ref); !slices.Equal(got, []string{"events", "later"}) {
		t.Fatalf("tables %v, want [events later]", got)
	}
	if n := strings.Count(ref["events"], "\n"); n != 40000 {
		t.Errorf("events has %d rows, want 40000", n)
	}
	if n := strings.Count(ref["later"], "\n"); n != 15002 {
		t.Errorf("later has %d rows, want 15002", n)
	}
	for _, n := range c.nodes {
		restores := n.metric(t, `strata_raft_restores_total{result="ok"}`)
		t.Logf("%s: %d snapshots written and %s restored since its last start; snapshots on disk %v", c.id(n), snapshotsTaken(t, n), restores, snapshotFiles(n))
		if (n == a || n == l) && (restores == "" || restores == "0") {
			t.Errorf("%s restarted without restoring a snapshot", c.id(n))
		}
	}
	// The cluster still takes writes after all that.
	writeEvents(t, cl, "later", "b", 15000, 5, 100)

	// A full cluster restart: every node stopped (one of them killed),
	// then all started again from their data directories.
	version = cl.SeenVersion()
	for i, n := range c.nodes {
		if i == 0 {
			c.kill9(n)
		} else {
			c.sigterm(n)
		}
	}
	for _, n := range c.nodes {
		t.Logf("restart %s", c.id(n))
		n.launch()
	}
	for _, n := range c.nodes {
		n.waitReady()
	}
	c.waitConverged(3, 2*time.Minute)
	ref = c.requireSameTables(version)
	if n := strings.Count(ref["later"], "\n"); n != 15502 {
		t.Errorf("after a full restart later has %d rows, want 15502", n)
	}
	if n := strings.Count(ref["events"], "\n"); n != 40000 {
		t.Errorf("after a full restart events has %d rows, want 40000", n)
	}
	writeEvents(t, cl, "later", "b", 15500, 5, 100)
}

// renamed is def with another name.
func renamed(def *stratapb.TableDef, name string) *stratapb.TableDef {
	return &stratapb.TableDef{Name: name, Columns: def.Columns, PartitionKey: def.PartitionKey, Buckets: def.Buckets, SortKey: def.SortKey}
}

// TestClusterJoinGetsSnapshot: a three-node cluster with a low snapshot
// threshold and few trailing logs compacts its log; a fourth node that
// joins then can only catch up by installing the leader's snapshot, and
// answers the same as the others. `strata cluster status` lists four
// members with applied indexes; `strata cluster remove` removes the
// fourth.
func TestClusterJoinGetsSnapshot(t *testing.T) {
	c := startCluster(t, 3, "--snapshot-threshold", "100", "--snapshot-interval", "1s", "--raft-trailing-logs", "10", "--raft-segment-bytes", "65536")
	cl := createEvents(t, c)
	var seq atomic.Int64
	write := func(batches int) {
		from := seq.Add(int64(batches*50)) - int64(batches*50)
		writeEvents(t, cl, "events", "j", from, batches, 50)
	}
	write(300)
	l := c.leader(30 * time.Second)
	deadline := time.Now().Add(time.Minute)
	for snapshotsTaken(t, l) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("leader %s took no snapshot", c.id(l))
		}
		write(20)
		time.Sleep(500 * time.Millisecond)
	}
	write(50) // more log after the snapshot
	version := cl.SeenVersion()

	n4 := c.addNode()
	c.waitConverged(4, 2*time.Minute)
	restores := n4.metric(t, `strata_raft_restores_total{result="ok"}`)
	t.Logf("n4: restores %q, snapshots on disk %v", restores, snapshotFiles(n4))
	if restores == "" || restores == "0" {
		t.Errorf("n4 caught up without installing a snapshot (strata_raft_restores_total{result=\"ok\"} = %q); leader's snapshots %v; n4's log about snapshots:\n%s",
			restores, snapshotFiles(l), grepLines(n4.logText(), "snapshot"))
	}
	ref := c.requireSameTables(version)
	if n := strings.Count(ref["events"], "\n"); int64(n) != seq.Load() {
		t.Errorf("events has %d rows, want %d", n, seq.Load())
	}

	st := clusterStatusCLI(t, c.nodes[0].grpcAddr)
	if len(st.GetMembers()) != 4 {
		t.Fatalf("cluster status lists %d members, want 4: %s", len(st.GetMembers()), protojson.Format(st))
	}
	for _, m := range st.GetMembers() {
		if m.GetStatus() == nil || m.GetStatus().GetAppliedIndex() < version {
			t.Errorf("member %s: applied index %d, want >= %d (error %q)", m.GetMember().GetNodeId(), m.GetStatus().GetAppliedIndex(), version, m.GetError())
		}
	}

	out, err := runCLI(t, "cluster", "remove", "--addr", c.nodes[1].grpcAddr, "--node-id", "n4")
	if err != nil {
		t.Fatalf("cluster remove: %v\n%s", err, out)
	}
	c.sigterm(n4)
	c.waitConverged(3, time.Minute)
	if st := clusterStatusCLI(t, c.nodes[0].grpcAddr); len(st.GetMembers()) != 3 {
		t.Fatalf("after remove, cluster status lists %d members, want 3: %s", len(st.GetMembers()), protojson.Format(st))
	}
	write(5)
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(strings.ToLower(l), sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// clusterStatusCLI runs `strata cluster status --format json`.
func clusterStatusCLI(t *testing.T, addr string) *stratapb.ClusterStatusResponse {
	t.Helper()
	out, err := runCLI(t, "cluster", "status", "--addr", addr, "--format", "json")
	if err != nil {
		t.Fatalf("cluster status: %v\n%s", err, out)
	}
	var st stratapb.ClusterStatusResponse
	if err := protojson.Unmarshal([]byte(out[max(strings.Index(out, "{"), 0):]), &st); err != nil {
		t.Fatalf("cluster status --format json: %v\n%s", err, out)
	}
	return &st
}
