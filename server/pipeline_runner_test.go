package server

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/stratadb/strata/ingest"
	stratapb "github.com/stratadb/strata/proto"
)

// The pipeline runner against a real Kafka-protocol broker (franz-go's
// kfake) in-process: exactly-once under injected failures, bad records,
// an independent producer (kcat), and offsets Kafka no longer has.

var txTable = &stratapb.TableDef{Name: "tx", Columns: []*stratapb.Column{
	{Name: "id", Type: stratapb.ColumnType_INT64},
	{Name: "account", Type: stratapb.ColumnType_STRING},
	{Name: "direction", Type: stratapb.ColumnType_STRING},
	{Name: "amount", Type: stratapb.ColumnType_INT64},
}}

func startKafka(t *testing.T, partitions int32, topics ...string) *kfake.Cluster {
	t.Helper()
	k, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, topics...))
	require.NoError(t, err)
	t.Cleanup(k.Close)
	return k
}

// produce sends values round-robin over the topic's partitions and waits
// for every ack.
func produce(t *testing.T, k *kfake.Cluster, topic string, values [][]byte) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(k.ListenAddrs()...), kgo.RecordPartitioner(kgo.RoundRobinPartitioner()))
	require.NoError(t, err)
	defer cl.Close()
	recs := make([]*kgo.Record, len(values))
	for i, v := range values {
		recs[i] = &kgo.Record{Topic: topic, Value: v}
	}
	require.NoError(t, cl.ProduceSync(context.Background(), recs...).FirstErr())
}

func createPipeline(t *testing.T, n *Node, def *stratapb.PipelineDef) {
	t.Helper()
	ctx := context.Background()
	_, err := n.proposeCommand(ctx, ingest.CreatePipelineCommand(def, false))
	require.NoError(t, err)
	_, err = n.proposeCommand(ctx, ingest.SetPipelineStateCommand(def.Name, true, ""))
	require.NoError(t, err)
}

func pgConn(t *testing.T, n *Node) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), fmt.Sprintf("postgres://app@%s/strata?sslmode=disable", n.PGAddr()))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// txRecords are n transfers in pairs that sum to zero, as JSON or CSV.
func txRecords(n int, csv bool) [][]byte {
	out := make([][]byte, n)
	for i := range n {
		amount := int64(i/2%1000 + 1)
		dir := "credit"
		if i%2 == 1 {
			amount, dir = -amount, "debit"
		}
		if csv {
			out[i] = fmt.Appendf(nil, "%d,acct-%03d,%s,%d", i, i%97, dir, amount)
		} else {
			out[i] = fmt.Appendf(nil, `{"id":%d,"account":"acct-%03d","direction":"%s","amount":%d}`, i, i%97, dir, amount)
		}
	}
	return out
}

func waitCount(t *testing.T, conn *pgx.Conn, query string, want int64) {
	t.Helper()
	var got int64
	require.Eventually(t, func() bool {
		if err := conn.QueryRow(context.Background(), query).Scan(&got); err != nil {
			return false
		}
		return got == want
	}, 60*time.Second, 50*time.Millisecond, "%s: got %d, want %d", query, got, want)
}

func TestPipelineExactlyOnceWithFaults(t *testing.T) {
	t.Setenv("STRATA_PIPELINE_FAULTS", "fail=0.1,dropack=0.1,seed=11")
	k := startKafka(t, 4, "tx")
	n, c := startNode(t, Config{})
	_, err := c.CreateTable(context.Background(), &stratapb.CreateTableRequest{Table: txTable})
	require.NoError(t, err)

	const total = 20000
	good := txRecords(total, false)
	bad := [][]byte{[]byte(`{"id":"one"}`), []byte(`not json`), []byte(`{"id":1,"nope":2}`)}
	values := append([][]byte{}, good[:total/2]...)
	values = append(values, bad...)
	values = append(values, good[total/2:]...)
	produce(t, k, "tx", values)
	createPipeline(t, n, &stratapb.PipelineDef{Name: "p", Brokers: strings.Join(k.ListenAddrs(), ","), Topic: "tx",
		Table: "tx", Format: "json", BatchRecords: 500})

	conn := pgConn(t, n)
	waitCount(t, conn, "SELECT count(*) FROM tx", total)
	var count, distinct, sum int64
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT count(*), count(DISTINCT id), sum(amount) FROM tx").Scan(&count, &distinct, &sum))
	require.Equal(t, []int64{total, total, 0}, []int64{count, distinct, sum})
	waitCount(t, conn, "SELECT count(*) FROM pipeline_errors WHERE pipeline = 'p'", int64(len(bad)))

	st, ok := n.fsm.Pipeline("p")
	require.True(t, ok)
	var rows, errs, next int64
	for _, p := range st.Partitions {
		rows, errs, next = rows+p.Rows, errs+p.Errors, next+p.NextOffset
	}
	require.Equal(t, int64(total), rows)
	require.Equal(t, int64(len(bad)), errs)
	require.Equal(t, int64(len(values)), next, "every partition's next offset is its end")

	// More records later are picked up from the stored offsets.
	more := txRecords(total+200, false)[total:]
	produce(t, k, "tx", more)
	waitCount(t, conn, "SELECT count(*) FROM tx", total+200)
}

// kcat (librdkafka) as an independent producer, into a CSV pipeline.
func TestPipelineFromKcat(t *testing.T) {
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		t.Skip("kcat not installed (.ci/run installs it)")
	}
	k := startKafka(t, 2, "lines")
	n, c := startNode(t, Config{})
	_, err = c.CreateTable(context.Background(), &stratapb.CreateTableRequest{Table: txTable})
	require.NoError(t, err)
	const total = 5000
	var input strings.Builder
	for _, r := range txRecords(total, true) {
		input.Write(r)
		input.WriteByte('\n')
	}
	cmd := exec.Command(kcat, "-P", "-b", k.ListenAddrs()[0], "-t", "lines")
	cmd.Stdin = strings.NewReader(input.String())
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "kcat: %s", out)
	createPipeline(t, n, &stratapb.PipelineDef{Name: "lines", Brokers: k.ListenAddrs()[0], Topic: "lines", Table: "tx", Format: "csv"})
	conn := pgConn(t, n)
	waitCount(t, conn, "SELECT count(*) FROM tx", total)
	var sum int64
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT sum(amount) FROM tx").Scan(&sum))
	require.Zero(t, sum)

	// SHOW PIPELINES through pgx's extended protocol (described columns).
	rows, err := conn.Query(context.Background(), "SHOW PIPELINES")
	require.NoError(t, err)
	var committed int64
	for rows.Next() {
		vals, err := rows.Values()
		require.NoError(t, err)
		require.Equal(t, "lines", vals[0])
		committed += vals[8].(int64)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, int64(total), committed, "rows per partition add up")
}

// An offset Kafka no longer has stops the pipeline with a visible error;
// it never silently skips to what remains.
func TestPipelineOffsetGoneIsAnError(t *testing.T) {
	k := startKafka(t, 1, "short")
	n, c := startNode(t, Config{})
	_, err := c.CreateTable(context.Background(), &stratapb.CreateTableRequest{Table: txTable})
	require.NoError(t, err)
	recs := txRecords(300, false)
	produce(t, k, "short", recs[:100])
	createPipeline(t, n, &stratapb.PipelineDef{Name: "s", Brokers: k.ListenAddrs()[0], Topic: "short", Table: "tx", Format: "json"})
	conn := pgConn(t, n)
	waitCount(t, conn, "SELECT count(*) FROM tx", 100)
	_, err = n.proposeCommand(context.Background(), ingest.SetPipelineStateCommand("s", false, ""))
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		n.pipelines.mu.Lock()
		defer n.pipelines.mu.Unlock()
		return len(n.pipelines.runners) == 0
	}, 10*time.Second, 20*time.Millisecond, "the stopped pipeline's runner ends")
	produce(t, k, "short", recs[100:])
	deleteRecordsBefore(t, k, "short", 0, 200)
	_, err = n.proposeCommand(context.Background(), ingest.SetPipelineStateCommand("s", true, ""))
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		st, _ := n.fsm.Pipeline("s")
		return st.GetState() == "error" && strings.Contains(st.GetError(), "no longer in Kafka")
	}, 30*time.Second, 50*time.Millisecond)
	var count int64
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT count(*) FROM tx").Scan(&count))
	require.Equal(t, int64(100), count, "nothing after the gap was read")
}

func deleteRecordsBefore(t *testing.T, k *kfake.Cluster, topic string, partition int32, offset int64) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(k.ListenAddrs()...))
	require.NoError(t, err)
	defer cl.Close()
	req := kmsg.NewPtrDeleteRecordsRequest()
	rt := kmsg.NewDeleteRecordsRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewDeleteRecordsRequestTopicPartition()
	rp.Partition, rp.Offset = partition, offset
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	req.TimeoutMillis = 5000
	resp, err := req.RequestWith(context.Background(), cl)
	require.NoError(t, err)
	for _, tp := range resp.Topics {
		for _, p := range tp.Partitions {
			require.Zero(t, p.ErrorCode, "delete records")
		}
	}
}

// ON ERROR STOP: the records before a bad one are committed, then the
// pipeline stops with an error naming the partition and offset.
func TestPipelineStopsOnBadRecord(t *testing.T) {
	k := startKafka(t, 1, "strict")
	n, c := startNode(t, Config{})
	_, err := c.CreateTable(context.Background(), &stratapb.CreateTableRequest{Table: txTable})
	require.NoError(t, err)
	recs := txRecords(20, false)
	values := append(append(append([][]byte{}, recs[:10]...), []byte(`{"id":"bad"}`)), recs[10:]...)
	produce(t, k, "strict", values)
	createPipeline(t, n, &stratapb.PipelineDef{Name: "strict", Brokers: k.ListenAddrs()[0], Topic: "strict", Table: "tx", Format: "json", StopOnError: true})
	require.Eventually(t, func() bool {
		st, _ := n.fsm.Pipeline("strict")
		return st.GetState() == "error"
	}, 30*time.Second, 20*time.Millisecond)
	st, _ := n.fsm.Pipeline("strict")
	require.Contains(t, st.GetError(), "partition 0 offset 10")
	require.Equal(t, int64(10), st.GetPartitions()[0].GetNextOffset(), "the bad record is where it resumes")
	// The stopped pipeline's lag is Kafka's end now, not as of its last
	// commit.
	list, err := c.ListPipelines(context.Background(), &stratapb.ListPipelinesRequest{})
	require.NoError(t, err)
	live := list.GetPipelines()[0].GetPartitions()[0]
	require.Equal(t, []int64{10, 21, 11}, []int64{live.NextOffset, live.HighWatermark, live.Lag})
	conn := pgConn(t, n)
	var count int64
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT count(*) FROM tx").Scan(&count))
	require.Equal(t, int64(10), count)
}

// A batch that can never apply (its table was dropped) stops the pipeline
// with an error instead of retrying forever.
func TestPipelineStopsWhenItsTableIsGone(t *testing.T) {
	k := startKafka(t, 1, "gone")
	n, c := startNode(t, Config{})
	_, err := c.CreateTable(context.Background(), &stratapb.CreateTableRequest{Table: txTable})
	require.NoError(t, err)
	recs := txRecords(20, false)
	produce(t, k, "gone", recs[:10])
	createPipeline(t, n, &stratapb.PipelineDef{Name: "g", Brokers: k.ListenAddrs()[0], Topic: "gone", Table: "tx", Format: "json"})
	conn := pgConn(t, n)
	waitCount(t, conn, "SELECT count(*) FROM tx", 10)
	_, err = c.DropTable(context.Background(), &stratapb.DropTableRequest{Name: "tx"})
	require.NoError(t, err)
	produce(t, k, "gone", recs[10:])
	require.Eventually(t, func() bool {
		st, _ := n.fsm.Pipeline("g")
		return st.GetState() == "error" && strings.Contains(st.GetError(), "cannot be committed")
	}, 30*time.Second, 20*time.Millisecond)
	st, _ := n.fsm.Pipeline("g")
	require.Equal(t, int64(10), st.GetPartitions()[0].GetNextOffset(), "nothing after the table went")
}
