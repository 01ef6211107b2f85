package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc"

	"github.com/stratadb/strata/client"
	stratapb "github.com/stratadb/strata/proto"
)

// The linearizability check's model: the table's row count and sum of
// amounts. A write (one batch, flushed) adds its rows and amounts; a read
// must return the state.

type linInput struct {
	write        bool
	rows, amount int64
	node         string // the node a read asked
}

type linState struct{ n, sum int64 }

var linModel = porcupine.Model{
	Init: func() any { return linState{} },
	Step: func(state, input, output any) (bool, any) {
		s, in := state.(linState), input.(linInput)
		if in.write {
			return true, linState{s.n + in.rows, s.sum + in.amount}
		}
		return output.(linState) == s, s
	},
	Equal: func(a, b any) bool { return a.(linState) == b.(linState) },
	DescribeOperation: func(input, output any) string {
		in := input.(linInput)
		if in.write {
			if output == nil {
				return fmt.Sprintf("write(%d rows, +%d) unknown", in.rows, in.amount)
			}
			return fmt.Sprintf("write(%d rows, +%d)", in.rows, in.amount)
		}
		o := output.(linState)
		return fmt.Sprintf("read@%s -> (%d, %d)", in.node, o.n, o.sum)
	},
	DescribeState: func(state any) string {
		s := state.(linState)
		return fmt.Sprintf("(%d rows, sum %d)", s.n, s.sum)
	},
}

var linDef = &stratapb.TableDef{
	Name: "lin",
	Columns: []*stratapb.Column{
		{Name: "client", Type: stratapb.ColumnType_INT64},
		{Name: "seq", Type: stratapb.ColumnType_INT64},
		{Name: "amount", Type: stratapb.ColumnType_INT64},
	},
}

var linSchema = arrow.NewSchema([]arrow.Field{
	{Name: "client", Type: arrow.PrimitiveTypes.Int64},
	{Name: "seq", Type: arrow.PrimitiveTypes.Int64},
	{Name: "amount", Type: arrow.PrimitiveTypes.Int64},
}, nil)

// history collects operations from all clients.
type history struct {
	start time.Time
	mu    sync.Mutex
	ops   []porcupine.Operation
	ids   int // client ids handed out
}

func (h *history) now() int64 { return time.Since(h.start).Nanoseconds() }

func (h *history) add(op porcupine.Operation) {
	h.mu.Lock()
	h.ops = append(h.ops, op)
	h.mu.Unlock()
}

// newID is a fresh porcupine client id: a client whose write never
// returned goes on under a new one, as its pending write stays open.
func (h *history) newID() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ids++
	return h.ids - 1
}

// TestClusterLinearizableReads: a few clients make small acknowledged
// writes (one batch each, flushed) and linearizable count/sum reads on
// random nodes of a three-node cluster, while the leader is killed with
// SIGKILL and later restarted; porcupine checks the history against a
// counter. Writes that never returned may have happened at any time after
// they began.
func TestClusterLinearizableReads(t *testing.T) {
	seed := testSeed(t)
	c := startCluster(t, 3)
	setup := c.dial(client.Options{})
	ctx := context.Background()
	if _, err := setup.CreateTable(ctx, linDef, false); err != nil {
		t.Fatal(err)
	}

	h := &history{start: time.Now()}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	stats := map[string]int{}
	count := func(k string) { mu.Lock(); stats[k]++; mu.Unlock() }
	const clients = 4
	for i := 0; i < clients; i++ {
		r := newRand(seed + uint64(i)*7919)
		// Seeds in a random order: writes enter through different nodes.
		addrs := strings.Split(c.addrs(), ",")
		r.Shuffle(len(addrs), func(a, b int) { addrs[a], addrs[b] = addrs[b], addrs[a] })
		cl, err := client.Dial(strings.Join(addrs, ","), client.Options{DialOptions: []grpc.DialOption{fastReconnect}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cl.Close() })
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := h.newID()
			var w *client.Writer
			var seq int64
			for {
				select {
				case <-stop:
					if w != nil {
						cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
						w.Close(cctx)
						cancel()
					}
					return
				default:
				}
				time.Sleep(time.Duration(r.IntN(10)) * time.Millisecond)
				if r.IntN(2) == 0 {
					if w == nil {
						var err error
						if w, err = cl.NewWriter("lin", client.WriterOptions{}); err != nil {
							panic(err)
						}
					}
					rows := 1 + r.IntN(3)
					in := linInput{write: true, rows: int64(rows)}
					b := array.NewRecordBuilder(memory.DefaultAllocator, linSchema)
					for k := 0; k < rows; k++ {
						a := int64(1 + r.IntN(1000))
						b.Field(0).(*array.Int64Builder).Append(int64(id))
						b.Field(1).(*array.Int64Builder).Append(seq)
						b.Field(2).(*array.Int64Builder).Append(a)
						seq++
						in.amount += a
					}
					rec := b.NewRecordBatch()
					b.Release()
					wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
					call := h.now()
					err := w.Write(wctx, rec)
					if err == nil {
						err = w.Flush(wctx)
					}
					ret := h.now()
					cancel()
					rec.Release()
					if err == nil {
						h.add(porcupine.Operation{ClientId: id, Input: in, Call: call, Output: linState{}, Return: ret})
						count("write ok")
						continue
					}
					// Unknown outcome: open until the end of the history.
					h.add(porcupine.Operation{ClientId: id, Input: in, Call: call, Output: nil, Return: -1})
					count("write unknown")
					t.Logf("client %d: write of %d rows: %v (outcome unknown)", id, rows, err)
					cctx, ccancel := context.WithTimeout(ctx, time.Second)
					w.Close(cctx)
					ccancel()
					w, id = nil, h.newID()
					continue
				}
				n := c.nodes[r.IntN(len(c.nodes))]
				rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				call := h.now()
				rows, _, err := c.queryNode(rctx, n, "SELECT count(*), sum(amount) FROM lin", stratapb.ReadMode_READ_MODE_LINEARIZABLE, 0)
				ret := h.now()
				cancel()
				if err != nil || len(rows) != 1 {
					count("read failed") // a read that failed observed nothing
					continue
				}
				count("read ok")
				h.add(porcupine.Operation{ClientId: id, Input: linInput{node: c.id(n)}, Call: call,
					Output: linState{asInt64(rows[0][0]), asInt64(rows[0][1])}, Return: ret})
			}
		}()
	}

	time.Sleep(5 * time.Second)
	l := c.leader(30 * time.Second)
	c.kill9(l)
	time.Sleep(6 * time.Second)
	c.restart(l)
	time.Sleep(4 * time.Second)
	close(stop)
	wg.Wait()

	end := h.now() + 1
	for i := range h.ops {
		if h.ops[i].Return < 0 {
			h.ops[i].Return = end
		}
	}
	keys := make([]string, 0, len(stats))
	for k := range stats {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		t.Logf("%s: %d", k, stats[k])
	}
	if stats["write ok"] < 20 || stats["read ok"] < 20 {
		t.Fatalf("too few operations succeeded to check anything: %v", stats)
	}
	res, info := porcupine.CheckOperationsVerbose(linModel, h.ops, time.Minute)
	t.Logf("porcupine: %d operations: %s", len(h.ops), res)
	switch res {
	case porcupine.Ok:
	case porcupine.Unknown:
		t.Logf("porcupine timed out: history not checked")
	default:
		f, err := os.CreateTemp("", "strata-linearizability-*.html")
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		if err := porcupine.VisualizePath(linModel, info, f.Name()); err != nil {
			t.Logf("visualize: %v", err)
		}
		t.Fatalf("history is not linearizable (seed %d): see %s", seed, f.Name())
	}
}
