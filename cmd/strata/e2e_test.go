package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/stratadb/strata/client"
	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/server"
)

var ledgerDef = &stratapb.TableDef{
	Name: "ledger",
	Columns: []*stratapb.Column{
		{Name: "id", Type: stratapb.ColumnType_INT64},
		{Name: "writer", Type: stratapb.ColumnType_INT32},
		{Name: "account", Type: stratapb.ColumnType_STRING},
		{Name: "amount", Type: stratapb.ColumnType_INT64},
	},
	PartitionKey: []string{"account"},
	Buckets:      4,
	SortKey:      []string{"id"},
}

var ledgerSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "writer", Type: arrow.PrimitiveTypes.Int32},
	{Name: "account", Type: arrow.BinaryTypes.String},
	{Name: "amount", Type: arrow.PrimitiveTypes.Int64},
}, nil)

// amountOf is the deterministic amount of row id.
func amountOf(id int64) int64 { return (id*7919)%2001 - 1000 }

// ledgerRecord builds rows [from, to) written by writer w.
func ledgerRecord(w int32, from, to int64) arrow.RecordBatch {
	b := array.NewRecordBuilder(memory.DefaultAllocator, ledgerSchema)
	defer b.Release()
	for id := from; id < to; id++ {
		b.Field(0).(*array.Int64Builder).Append(id)
		b.Field(1).(*array.Int32Builder).Append(w)
		b.Field(2).(*array.StringBuilder).Append(fmt.Sprintf("acct-%02d", id%37))
		b.Field(3).(*array.Int64Builder).Append(amountOf(id))
	}
	return b.NewRecordBatch()
}

// ask runs a plan through the client and returns the rows.
func ask(t *testing.T, c *client.Client, p plan.Node) [][]any {
	t.Helper()
	pp, err := server.PlanToProto(p)
	require.NoError(t, err)
	res, err := c.Query(context.Background(), &stratapb.QueryRequest{Query: &stratapb.QueryRequest_Plan{Plan: pp}})
	require.NoError(t, err)
	defer res.Release()
	var rows [][]any
	for r := range res.Rows() {
		rows = append(rows, r)
	}
	return rows
}

// totals is SELECT count(*), count(DISTINCT id), sum(amount), sum(id).
func totals(t *testing.T, c *client.Client) (count, distinct, amount, ids int64) {
	t.Helper()
	rows := ask(t, c, &plan.Aggregate{Input: &plan.Scan{Table: "ledger"}, Aggs: []plan.NamedAgg{
		{Name: "n", Agg: plan.Agg{Func: plan.AggCountStar}},
		{Name: "d", Agg: plan.Agg{Func: plan.AggCountDistinct, Arg: plan.Col{Name: "id"}}},
		{Name: "a", Agg: plan.Agg{Func: plan.AggSum, Arg: plan.Col{Name: "amount"}}},
		{Name: "s", Agg: plan.Agg{Func: plan.AggSum, Arg: plan.Col{Name: "id"}}},
	}})
	require.Len(t, rows, 1)
	asInt := func(v any) int64 {
		if v == nil {
			return 0
		}
		return v.(int64)
	}
	return asInt(rows[0][0]), asInt(rows[0][1]), asInt(rows[0][2]), asInt(rows[0][3])
}

func expected(n int64) (amount, ids int64) {
	for id := int64(0); id < n; id++ {
		amount += amountOf(id)
	}
	return amount, n * (n - 1) / 2
}

// TestE2EConcurrentClients: 4 clients ingest 1M rows at once; every
// answer matches a reference computed here.
func TestE2EConcurrentClients(t *testing.T) {
	n := startNode(t)
	c := n.dial(t)
	ctx := context.Background()
	_, err := c.CreateTable(ctx, ledgerDef, false)
	require.NoError(t, err)
	const writers, perWriter = 4, 250_000
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := int32(0); w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wc, err := client.Dial(n.grpcAddr, client.Options{})
			if err != nil {
				errs <- err
				return
			}
			defer wc.Close()
			wr, err := wc.NewWriter("ledger", client.WriterOptions{BatchRows: 20_000})
			if err != nil {
				errs <- err
				return
			}
			for from := int64(w) * perWriter; from < int64(w+1)*perWriter; from += 50_000 {
				rec := ledgerRecord(w, from, from+50_000)
				err := wr.Write(ctx, rec)
				rec.Release()
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- wr.Close(ctx)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	count, distinct, amount, ids := totals(t, c)
	wantAmount, wantIDs := expected(writers * perWriter)
	require.EqualValues(t, writers*perWriter, count)
	require.EqualValues(t, writers*perWriter, distinct)
	require.Equal(t, wantAmount, amount)
	require.Equal(t, wantIDs, ids)

	// Per writer and per account, against the reference.
	rows := ask(t, c, &plan.Sort{Input: &plan.Aggregate{Input: &plan.Scan{Table: "ledger"},
		GroupBy: []plan.Named{{Name: "writer", Expr: plan.Col{Name: "writer"}}},
		Aggs:    []plan.NamedAgg{{Name: "n", Agg: plan.Agg{Func: plan.AggCountStar}}, {Name: "max", Agg: plan.Agg{Func: plan.AggMax, Arg: plan.Col{Name: "id"}}}}},
		Keys: []plan.SortKey{{Expr: plan.Col{Name: "writer"}}}})
	require.Len(t, rows, writers)
	for w, r := range rows {
		require.Equal(t, []any{int32(w), int64(perWriter), int64((w+1)*perWriter - 1)}, r)
	}
	acct := ask(t, c, &plan.Aggregate{
		Input:   &plan.Filter{Input: &plan.Scan{Table: "ledger"}, Pred: plan.Bin{Op: plan.OpEq, L: plan.Col{Name: "account"}, R: plan.Lit{Value: plan.String("acct-05")}}},
		GroupBy: []plan.Named{{Name: "account", Expr: plan.Col{Name: "account"}}},
		Aggs:    []plan.NamedAgg{{Name: "a", Agg: plan.Agg{Func: plan.AggSum, Arg: plan.Col{Name: "amount"}}}}})
	var want int64
	for id := int64(5); id < writers*perWriter; id += 37 {
		want += amountOf(id)
	}
	require.Equal(t, [][]any{{"acct-05", want}}, acct)
}

// TestE2EBatchSentThreeTimes: one (producer, sequence) on three streams
// lands once.
func TestE2EBatchSentThreeTimes(t *testing.T) {
	n := startNode(t)
	c := n.dial(t)
	ctx := context.Background()
	_, err := c.CreateTable(ctx, ledgerDef, false)
	require.NoError(t, err)
	rec := ledgerRecord(0, 0, 1000)
	defer rec.Release()
	for i := 0; i < 3; i++ {
		w, err := c.NewWriter("ledger", client.WriterOptions{ProducerID: "thrice"})
		require.NoError(t, err)
		require.NoError(t, w.WriteBatch(ctx, rec))
		require.NoError(t, w.Close(ctx))
		st := w.Stats()
		require.Equal(t, i > 0, st.Duplicates > 0, "attempt %d", i+1)
	}
	count, _, _, _ := totals(t, c)
	require.EqualValues(t, 1000, count)
}

// TestE2EServerKilledMidIngest: kill -9 the server while a client streams,
// restart it on the same data dir; the client rides through and every row
// is there exactly once.
func TestE2EServerKilledMidIngest(t *testing.T) {
	n := startNode(t)
	c := n.dial(t)
	ctx := context.Background()
	_, err := c.CreateTable(ctx, ledgerDef, false)
	require.NoError(t, err)
	const total = 400_000
	w, err := c.NewWriter("ledger", client.WriterOptions{BatchRows: 5000})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		for from := int64(0); from < total; from += 20_000 {
			rec := ledgerRecord(0, from, from+20_000)
			err := w.Write(ctx, rec)
			rec.Release()
			if err != nil {
				done <- err
				return
			}
		}
		done <- w.Close(ctx)
	}()
	require.Eventually(t, func() bool { return w.Stats().RowsApplied >= total/4 }, time.Minute, 10*time.Millisecond)
	acked := w.Stats().RowsApplied
	n.kill9()
	time.Sleep(500 * time.Millisecond)
	n.start()
	require.NoError(t, <-done)
	t.Logf("killed after %d acknowledged rows; writer stats %+v", acked, w.Stats())
	count, distinct, amount, ids := totals(t, c)
	wantAmount, wantIDs := expected(total)
	require.EqualValues(t, total, count, "every batch exactly once")
	require.EqualValues(t, total, distinct)
	require.Equal(t, wantAmount, amount)
	require.Equal(t, wantIDs, ids)
}

// TestE2EBudgetFull: a tiny ingest budget refuses batches with
// RESOURCE_EXHAUSTED; the retrying clients still land every row once.
func TestE2EBudgetFull(t *testing.T) {
	n := startNode(t, "--ingest-budget", "200000", "--ingest-wait", "1ns")
	c := n.dial(t)
	ctx := context.Background()
	_, err := c.CreateTable(ctx, ledgerDef, false)
	require.NoError(t, err)
	const writers, perWriter = 4, 50_000
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := int32(0); w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wr, err := c.NewWriter("ledger", client.WriterOptions{BatchRows: 5000, InitialBackoff: 5 * time.Millisecond})
			if err != nil {
				errs <- err
				return
			}
			rec := ledgerRecord(w, int64(w)*perWriter, int64(w+1)*perWriter)
			defer rec.Release()
			if err := wr.Write(ctx, rec); err != nil {
				errs <- err
				return
			}
			errs <- wr.Close(ctx)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	refused := n.metric(t, `strata_ingest_batches_total{result="refused"}`)
	r, _ := strconv.Atoi(refused)
	require.Positive(t, r, "the budget refused batches")
	count, distinct, amount, _ := totals(t, c)
	wantAmount, _ := expected(writers * perWriter)
	require.EqualValues(t, writers*perWriter, count)
	require.EqualValues(t, writers*perWriter, distinct)
	require.Equal(t, wantAmount, amount)
	t.Logf("%d batches refused and retried", r)
}

// writeLedgerCSV writes rows [0, n) as CSV with a header.
func writeLedgerCSV(t *testing.T, n int64) string {
	path := filepath.Join(t.TempDir(), "ledger.csv")
	var sb strings.Builder
	sb.WriteString("id,writer,account,amount\n")
	for id := int64(0); id < n; id++ {
		fmt.Fprintf(&sb, "%d,0,acct-%02d,%d\n", id, id%37, amountOf(id))
	}
	require.NoError(t, os.WriteFile(path, []byte(sb.String()), 0o644))
	return path
}

// TestE2EClientKilledAndLoadRerun: a `strata load` killed with SIGKILL
// mid-stream leaves only whole batches; re-running it with the same
// producer id completes the load, and running it once more changes
// nothing.
func TestE2EClientKilledAndLoadRerun(t *testing.T) {
	n := startNode(t)
	c := n.dial(t)
	ctx := context.Background()
	_, err := c.CreateTable(ctx, ledgerDef, false)
	require.NoError(t, err)
	const total, batch = 300_000, 1000
	csv := writeLedgerCSV(t, total)
	args := []string{"load", "--addr", n.grpcAddr, "--table", "ledger", "--producer-id", "ledger-load", "--batch-rows", strconv.Itoa(batch), csv}

	load := exec.Command(strataBinary(t), args...)
	require.NoError(t, load.Start())
	require.Eventually(t, func() bool {
		count, _, _, _ := totals(t, c)
		return count >= 20*batch
	}, time.Minute, 5*time.Millisecond)
	require.NoError(t, load.Process.Signal(syscall.SIGKILL))
	load.Wait()

	// Only whole batches: group rows by batch (id / batch size).
	rows := ask(t, c, &plan.Aggregate{Input: &plan.Scan{Table: "ledger"},
		GroupBy: []plan.Named{{Name: "b", Expr: plan.Bin{Op: plan.OpDiv, L: plan.Col{Name: "id"}, R: plan.Lit{Value: plan.Int64(batch)}}}},
		Aggs:    []plan.NamedAgg{{Name: "n", Agg: plan.Agg{Func: plan.AggCountStar}}}})
	require.NotEmpty(t, rows)
	for _, r := range rows {
		require.EqualValues(t, batch, r[1], "batch %v is whole", r[0])
	}
	t.Logf("killed with %d whole batches applied", len(rows))

	out, err := runCLI(t, args...)
	require.NoError(t, err, out)
	count, distinct, amount, _ := totals(t, c)
	wantAmount, _ := expected(total)
	require.EqualValues(t, total, count, "the resumed load completes it: %s", out)
	require.EqualValues(t, total, distinct)
	require.Equal(t, wantAmount, amount)

	out, err = runCLI(t, args...)
	require.NoError(t, err, out)
	require.Contains(t, out, "duplicate")
	count2, _, _, _ := totals(t, c)
	require.Equal(t, count, count2, "re-running the load changes nothing: %s", out)
}

// TestE2EQuickStart runs the README's quick start commands in order (with
// explicit addresses instead of the defaults, so tests can run side by
// side): a server, a load of the sample with --create, a query, and the
// load again, which changes nothing.
func TestE2EQuickStart(t *testing.T) {
	n := startNode(t)
	sample, err := filepath.Abs("../../examples/transactions.csv")
	require.NoError(t, err)
	out, err := runCLI(t, "load", "--addr", n.grpcAddr, "--table", "transactions", "--create", "--producer-id", "tx-1", sample)
	require.NoError(t, err, out)
	require.Contains(t, out, "1000 rows applied")
	out, err = runCLI(t, "query", "--addr", n.grpcAddr, "--table", "transactions", "--where", "direction = 'debit'",
		"--group-by", "account", "--agg", "count(*)", "--agg", "sum(amount)", "--order-by", "sum(amount) desc", "--limit", "5")
	require.NoError(t, err, out)
	require.Contains(t, out, "(5 rows;")
	out, err = runCLI(t, "load", "--addr", n.grpcAddr, "--table", "transactions", "--producer-id", "tx-1", sample)
	require.NoError(t, err, out)
	require.Contains(t, out, "0 rows applied, 1 duplicate batches")
	out, err = runCLI(t, "query", "--addr", n.grpcAddr, "--table", "transactions", "--agg", "count(*)")
	require.NoError(t, err, out)
	require.Contains(t, out, "1000")
}
