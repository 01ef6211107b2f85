package main

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stratadb/strata/client"
	stratapb "github.com/stratadb/strata/proto"
)

func mustSQL(t *testing.T, cl *client.Client, ctx context.Context, sql string) {
	t.Helper()
	res, err := cl.SQL(ctx, sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	res.Release()
}

// TestPipelineExactlyOnceDemonstration is the demonstration:
// 200,000 money transfers that sum to zero, as positional CSV lines in a
// 4-partition topic of a real Kafka-protocol broker (kfake, with a data
// directory so its log survives a restart), consumed by a pipeline of a
// three-node cluster while
//   - every node fails a random 10% of batches before committing them and
//     drops the acknowledgement of another 10% after committing
//     (STRATA_PIPELINE_FAULTS),
//   - the broker is restarted, and
//   - the Strata leader, which runs the pipeline, is killed with SIGKILL
//     (and restarted later).
//
// At the end every node answers count 200000, sum 0 and 200000 distinct
// ids. Documented in examples/kafka-exactly-once.md.
func TestPipelineExactlyOnceDemonstration(t *testing.T) {
	const total = 200000
	t.Setenv("STRATA_PIPELINE_FAULTS", "fail=0.1,dropack=0.1,seed=42")
	kafkaDir := t.TempDir()
	port := freePort(t)
	k := startBroker(t, kafkaDir, port)
	defer func() { k.Close() }()

	c := startCluster(t, 3)
	cl := c.dial(client.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	mustSQL(t, cl, ctx, "CREATE TABLE transactions (id bigint NOT NULL, account text NOT NULL, direction text NOT NULL, amount bigint NOT NULL)")
	broker := fmt.Sprintf("127.0.0.1:%d", port)
	mustSQL(t, cl, ctx, fmt.Sprintf("CREATE PIPELINE tx FROM KAFKA '%s' TOPIC 'transactions' INTO TABLE transactions FORMAT CSV BATCH RECORDS 2000", broker))
	mustSQL(t, cl, ctx, "START PIPELINE tx")

	lines := transferLines(total)
	produceLines(t, broker, lines[:total/2])
	waitRows(t, c, "transactions", total/10)

	t.Log("restarting the broker")
	k.Close()
	k = startBroker(t, kafkaDir, port)
	produceLines(t, broker, lines[total/2:])

	waitRows(t, c, "transactions", total*6/10)
	leader := c.leader(30 * time.Second)
	c.kill9(leader)
	waitRows(t, c, "transactions", total*8/10)
	c.restart(leader)

	c.waitConverged(3, 2*time.Minute)
	// The faults did happen (the runners log each one and start over
	// from the stored offsets).
	var logs strings.Builder
	for _, n := range c.nodes {
		logs.WriteString(n.logText())
	}
	for _, fault := range []string{"injected failure before commit", "injected loss of a commit's acknowledgement"} {
		if k := strings.Count(logs.String(), fault); k == 0 {
			t.Errorf("no %q in the nodes' logs", fault)
		} else {
			t.Logf("%d × %s", k, fault)
		}
	}
	for _, n := range c.nodes {
		deadline := time.Now().Add(2 * time.Minute)
		for {
			rows, _, err := c.queryNode(ctx, n, "SELECT count(*), sum(amount), count(DISTINCT id) FROM transactions", stratapb.ReadMode_READ_MODE_LINEARIZABLE, 0)
			if err == nil && fmt.Sprint(rows) == fmt.Sprintf("[[%d 0 %d]]", total, total) {
				t.Logf("%s: count, sum, distinct = %v", c.id(n), rows)
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %v %v, want [[%d 0 %d]]", c.id(n), rows, err, total, total)
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	_, p, err := net.SplitHostPort(freeAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(p)
	return port
}

func startBroker(t *testing.T, dir string, port int) *kfake.Cluster {
	t.Helper()
	var k *kfake.Cluster
	var err error
	for i := 0; i < 50; i++ { // the port may linger briefly after a close
		k, err = kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(port), kfake.DataDir(dir), kfake.SeedTopics(4, "transactions"))
		if err == nil {
			return k
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("kafka broker on port %d: %v", port, err)
	return nil
}

// transferLines are n transfers in credit/debit pairs that sum to zero,
// as CSV: id, account, direction, amount.
func transferLines(n int) [][]byte {
	out := make([][]byte, n)
	for i := range n {
		amount := int64(i/2%5000 + 1)
		dir := "credit"
		if i%2 == 1 {
			amount, dir = -amount, "debit"
		}
		out[i] = fmt.Appendf(nil, "%d,acct-%04d,%s,%d", i, i%1000, dir, amount)
	}
	return out
}

func produceLines(t *testing.T, broker string, lines [][]byte) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(broker), kgo.RecordPartitioner(kgo.RoundRobinPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for off := 0; off < len(lines); off += 10000 {
		var recs []*kgo.Record
		for _, l := range lines[off:min(off+10000, len(lines))] {
			recs = append(recs, &kgo.Record{Topic: "transactions", Value: l})
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		err := cl.ProduceSync(ctx, recs...).FirstErr()
		cancel()
		if err != nil {
			t.Fatalf("produce: %v", err)
		}
	}
}

// waitRows waits until some running node's follower read shows at least n
// rows in table.
func waitRows(t *testing.T, c *cluster, table string, n int64) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		for _, nd := range c.running() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			rows, _, err := c.queryNode(ctx, nd, "SELECT count(*) FROM "+table, stratapb.ReadMode_READ_MODE_FOLLOWER, 0)
			cancel()
			if err == nil && len(rows) == 1 {
				if got, ok := rows[0][0].(int64); ok && got >= n {
					return
				}
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s did not reach %d rows", table, n)
}
