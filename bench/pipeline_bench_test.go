package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stratadb/strata/client"
)

// BenchmarkPipelineJSON: one pipeline from a local Kafka-protocol broker
// (kfake, in-process, 4 partitions) into one node, fsync on: the time from
// START PIPELINE until all of 1M JSON records (a 4-column transfer) are
// committed and readable. The records are produced before the clock starts.
//
//	go test ./bench -run '^$' -bench PipelineJSON -benchtime 3x
func BenchmarkPipelineJSON(b *testing.B) {
	const records = 1_000_000
	k, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(4, "tx"))
	if err != nil {
		b.Fatal(err)
	}
	defer k.Close()
	produceJSON(b, k.ListenAddrs(), records)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		node, c := startIngestNode(b)
		ctx := context.Background()
		table := fmt.Sprintf("tx%d", i)
		mustSQL(b, c, fmt.Sprintf("CREATE TABLE %s (id bigint NOT NULL, account text NOT NULL, direction text NOT NULL, amount double precision NOT NULL)", table))
		mustSQL(b, c, fmt.Sprintf("CREATE PIPELINE p%d FROM KAFKA '%s' TOPIC 'tx' INTO TABLE %s FORMAT JSON BATCH RECORDS 50000", i, k.ListenAddrs()[0], table))
		b.StartTimer()
		mustSQL(b, c, fmt.Sprintf("START PIPELINE p%d", i))
		for {
			res, err := c.SQLWith(ctx, "SELECT count(*) FROM "+table, client.QueryOptions{ReadMode: client.ReadFollower})
			if err != nil {
				b.Fatal(err)
			}
			var n int64
			for row := range res.Rows() {
				n, _ = row[0].(int64)
			}
			res.Release()
			if n == records {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		b.StopTimer()
		c.Close()
		node.Close(ctx)
		b.StartTimer()
	}
	reportRows(b, records)
}

func produceJSON(b *testing.B, seeds []string, n int) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.RecordPartitioner(kgo.RoundRobinPartitioner()),
		kgo.ProducerBatchMaxBytes(16<<20))
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	for off := 0; off < n; off += 50000 {
		recs := make([]*kgo.Record, 0, 50000)
		for i := off; i < min(off+50000, n); i++ {
			dir, amount := "credit", float64(i%1000)/4
			if i%2 == 1 {
				dir, amount = "debit", -amount
			}
			recs = append(recs, &kgo.Record{Topic: "tx", Value: fmt.Appendf(nil, `{"id":%d,"account":"acct-%03d","direction":"%s","amount":%g}`, i, i%997, dir, amount)})
		}
		if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
			b.Fatal(err)
		}
	}
}

func mustSQL(b *testing.B, c *client.Client, sql string) {
	res, err := c.SQL(context.Background(), sql)
	if err != nil {
		b.Fatalf("%s: %v", sql, err)
	}
	res.Release()
}
