package server

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/stratadb/strata/ingest"
	stratapb "github.com/stratadb/strata/proto"
)

// Kafka pipelines run on the leader. A manager reconciles, twice a second,
// the pipelines the FSM says are running with the runners this node has:
// it starts them when this node leads and stops them all when it does not.
// A runner reads its partitions' next offsets from the FSM (after a read
// fence, so they include every batch committed by an earlier leader),
// consumes from exactly there with read-committed isolation and no offset
// reset, and commits each partition's records in batches: rows, bad
// records and the partition's next offset in one write that applies only
// if its start offset is still the stored one (ingest's
// PipelineBatchCommand). Whenever the outcome of a write is not known to
// have applied, the runner drops its Kafka client and starts again from
// the stored offsets: nothing is read twice into the table, nothing is
// skipped.

const (
	pipelineReconcile    = 500 * time.Millisecond
	pipelineRetry        = time.Second
	defaultBatchRecords  = 10000
	defaultBatchWait     = 200 * time.Millisecond
	pipelineFenceTimeout = 10 * time.Second
)

// pipelineManager owns this node's pipeline runners.
type pipelineManager struct {
	n      *Node
	faults *pipelineFaults // testing only: STRATA_PIPELINE_FAULTS

	mu      sync.Mutex
	runners map[string]*pipelineRunner
}

func newPipelineManager(n *Node) *pipelineManager {
	return &pipelineManager{n: n, faults: faultsFromEnv(n), runners: map[string]*pipelineRunner{}}
}

// run reconciles until the node closes, then stops every runner.
func (m *pipelineManager) run() {
	t := time.NewTicker(pipelineReconcile)
	defer t.Stop()
	for {
		m.reconcile()
		select {
		case <-m.n.closing:
			m.stopAll()
			return
		case <-t.C:
		}
	}
}

func (m *pipelineManager) reconcile() {
	if !m.n.raft.IsLeader() || m.n.ready() != nil {
		m.stopAll()
		return
	}
	want := map[string]*stratapb.PipelineStatus{}
	for _, p := range m.n.fsm.Pipelines() {
		if p.GetState() == "running" {
			want[p.GetDef().GetName()] = p
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for name, r := range m.runners {
		if p, ok := want[name]; !ok || p.GetCreatedAt() != r.createdAt {
			r.stop()
			delete(m.runners, name)
		}
	}
	for name, p := range want {
		if _, ok := m.runners[name]; !ok {
			m.runners[name] = startPipelineRunner(m, p)
		}
	}
}

func (m *pipelineManager) stopAll() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for name, r := range m.runners {
		r.stop()
		delete(m.runners, name)
	}
}

// pipelineRunner consumes one pipeline's topic.
type pipelineRunner struct {
	m         *pipelineManager
	name      string
	createdAt uint64
	cancel    context.CancelFunc
	done      chan struct{}
}

func startPipelineRunner(m *pipelineManager, p *stratapb.PipelineStatus) *pipelineRunner {
	ctx, cancel := context.WithCancel(context.Background())
	r := &pipelineRunner{m: m, name: p.GetDef().GetName(), createdAt: p.GetCreatedAt(), cancel: cancel, done: make(chan struct{})}
	go r.run(ctx)
	return r
}

func (r *pipelineRunner) stop() {
	r.cancel()
	<-r.done
}

func (r *pipelineRunner) run(ctx context.Context) {
	defer close(r.done)
	log := r.m.n.log.With("pipeline", r.name)
	log.Info("pipeline runner started")
	for ctx.Err() == nil {
		err := r.session(ctx)
		if ctx.Err() != nil {
			break
		}
		if err != nil {
			log.Warn("pipeline session ended; resuming from the stored offsets", "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(pipelineRetry):
		}
	}
	log.Info("pipeline runner stopped")
}

// errStopped: the pipeline is no longer running (stopped, dropped, or put
// in the error state by this session).
var errStopped = errors.New("pipeline stopped")

// session consumes from the stored offsets until an error or ctx ends.
func (r *pipelineRunner) session(ctx context.Context) error {
	n := r.m.n
	fctx, cancel := context.WithTimeout(ctx, pipelineFenceTimeout)
	err := n.fence(fctx, readOptions{mode: stratapb.ReadMode_READ_MODE_LINEARIZABLE})
	cancel()
	if err != nil {
		return fmt.Errorf("read the stored offsets: %w", err)
	}
	st, ok := n.fsm.Pipeline(r.name)
	if !ok || st.GetState() != "running" || st.GetCreatedAt() != r.createdAt {
		return errStopped
	}
	def := st.GetDef()
	store := n.fsm.Store()
	tdef, err := store.TableDef(def.GetTable(), store.Applied())
	if err != nil {
		return r.fail(ctx, fmt.Sprintf("table %q: %v", def.GetTable(), err))
	}
	dec, err := ingest.NewRecordDecoder(tdef, def.GetFormat(), nil)
	if err != nil {
		return r.fail(ctx, err.Error())
	}
	next := map[int32]int64{}
	for _, p := range st.GetPartitions() {
		next[p.GetPartition()] = p.GetNextOffset()
	}
	seeds := strings.Split(def.GetBrokers(), ",")
	parts, err := topicPartitions(ctx, seeds, def.GetTopic())
	if err != nil {
		return err
	}
	assign := map[int32]kgo.Offset{}
	for _, p := range parts {
		if off, ok := next[p]; ok {
			assign[p] = kgo.NewOffset().At(off)
		} else {
			assign[p] = kgo.NewOffset().AtStart() // never committed
		}
	}
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(seeds...),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		// An offset Kafka no longer has is an error, never a jump.
		kgo.ConsumeResetOffset(kgo.NoResetOffset()),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{def.GetTopic(): assign}),
		kgo.FetchMaxBytes(64<<20),
	)
	if err != nil {
		return fmt.Errorf("kafka client: %w", err)
	}
	defer cl.Close()
	c := &consumeState{r: r, def: def, dec: dec, next: next, pending: map[int32]*pendingPart{}}
	return c.loop(ctx, cl)
}

// topicPartitions asks the brokers which partitions topic has.
func topicPartitions(ctx context.Context, seeds []string, topic string) ([]int32, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...))
	if err != nil {
		return nil, fmt.Errorf("kafka client: %w", err)
	}
	defer cl.Close()
	return topicPartitionsWith(ctx, cl, topic)
}

// topicPartitionsWith is topicPartitions through an existing client.
func topicPartitionsWith(ctx context.Context, cl *kgo.Client, topic string) ([]int32, error) {
	req := kmsg.NewPtrMetadataRequest()
	t := kmsg.NewMetadataRequestTopic()
	t.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, t)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return nil, fmt.Errorf("metadata of topic %q: %w", topic, err)
	}
	var parts []int32
	for _, rt := range resp.Topics {
		if err := kerr.ErrorForCode(rt.ErrorCode); err != nil {
			return nil, fmt.Errorf("topic %q: %w", topic, err)
		}
		for _, p := range rt.Partitions {
			parts = append(parts, p.Partition)
		}
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("topic %q has no partitions", topic)
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i] < parts[j] })
	return parts, nil
}

// fail puts the pipeline in the error state with why, loudly.
func (r *pipelineRunner) fail(ctx context.Context, why string) error {
	r.m.n.log.Error("pipeline stopped with an error", "pipeline", r.name, "err", why)
	pctx, cancel := context.WithTimeout(ctx, pipelineFenceTimeout)
	defer cancel()
	if _, err := r.m.n.proposeCommand(pctx, ingest.SetPipelineStateCommand(r.name, false, why)); err != nil {
		return fmt.Errorf("%s (and recording it failed: %w)", why, err)
	}
	return errStopped
}

// pendingPart is a partition's records fetched and not yet committed.
type pendingPart struct {
	recs  []*kgo.Record
	since time.Time
	hwm   int64
}

// consumeState is one session's consuming loop.
type consumeState struct {
	r       *pipelineRunner
	def     *stratapb.PipelineDef
	dec     *ingest.RecordDecoder
	next    map[int32]int64 // stored next offset per partition (absent: never committed)
	pending map[int32]*pendingPart
}

func (c *consumeState) batchRecords() int {
	if n := int(c.def.GetBatchRecords()); n > 0 {
		return n
	}
	return defaultBatchRecords
}

func (c *consumeState) batchWait() time.Duration {
	if ms := c.def.GetBatchWaitMs(); ms > 0 {
		return time.Duration(ms) * time.Millisecond
	}
	return defaultBatchWait
}

// loop polls and commits until an error. Commits are synchronous, so a
// slow Strata slows the polling, and kgo buffers at most one fetch per
// broker meanwhile: memory stays bounded.
func (c *consumeState) loop(ctx context.Context, cl *kgo.Client) error {
	for {
		pctx, cancel := context.WithTimeout(ctx, c.batchWait())
		fetches := cl.PollRecords(pctx, c.batchRecords())
		cancel()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var fatal error
		fetches.EachError(func(topic string, p int32, err error) {
			switch {
			case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
			case errors.Is(err, kerr.OffsetOutOfRange):
				fatal = c.r.fail(ctx, fmt.Sprintf("topic %q partition %d: offset %d is no longer in Kafka (retention or deletion); records were lost before Strata read them. Reset the pipeline deliberately (drop and create it) to go on", topic, p, c.next[p]))
			default:
				c.r.m.n.log.Warn("kafka fetch error", "pipeline", c.r.name, "partition", p, "err", err)
			}
		})
		if fatal != nil {
			return fatal
		}
		now := time.Now()
		fetches.EachPartition(func(fp kgo.FetchTopicPartition) {
			if len(fp.Records) == 0 {
				return
			}
			pp := c.pending[fp.Partition]
			if pp == nil {
				pp = &pendingPart{since: now}
				c.pending[fp.Partition] = pp
			}
			pp.recs = append(pp.recs, fp.Records...)
			pp.hwm = fp.HighWatermark
		})
		for _, p := range c.duePartitions(now) {
			if err := c.commit(ctx, p); err != nil {
				return err
			}
		}
	}
}

// duePartitions are the partitions with a full batch or one waiting long
// enough, in order.
func (c *consumeState) duePartitions(now time.Time) []int32 {
	var due []int32
	for p, pp := range c.pending {
		if len(pp.recs) >= c.batchRecords() || now.Sub(pp.since) >= c.batchWait() {
			due = append(due, p)
		}
	}
	sort.Slice(due, func(i, j int) bool { return due[i] < due[j] })
	return due
}

// commit writes a partition's pending records, a batch at a time.
func (c *consumeState) commit(ctx context.Context, p int32) error {
	pp := c.pending[p]
	for len(pp.recs) > 0 {
		k := min(len(pp.recs), c.batchRecords())
		if err := c.commitBatch(ctx, p, pp.recs[:k], pp.hwm); err != nil {
			return err
		}
		pp.recs = pp.recs[k:]
	}
	delete(c.pending, p)
	return nil
}

// commitBatch decodes recs (consecutive records of partition p) and
// proposes them as one batch.
func (c *consumeState) commitBatch(ctx context.Context, p int32, recs []*kgo.Record, hwm int64) error {
	n := c.r.m.n
	start, ok := c.next[p]
	if !ok {
		start = recs[0].Offset
	}
	b := &stratapb.PipelineBatchCommand{Pipeline: c.def.GetName(), Partition: p, StartOffset: start,
		NextOffset: recs[len(recs)-1].Offset + 1, HighWatermark: hwm}
	var stopAt string
	for _, rec := range recs {
		err := c.dec.Add(rec.Value)
		if err == nil {
			continue
		}
		if c.def.GetStopOnError() {
			// Commit what came before the bad record, then stop.
			b.NextOffset = rec.Offset
			stopAt = fmt.Sprintf("partition %d offset %d: %v (the pipeline stops on bad records)", p, rec.Offset, err)
			break
		}
		b.Errors = append(b.Errors, &stratapb.PipelineRecordError{Offset: rec.Offset, Error: err.Error(), Raw: rec.Value})
	}
	payload, err := c.dec.Finish()
	if err != nil {
		return fmt.Errorf("encode rows: %w", err)
	}
	b.ArrowIpc = payload
	if b.NextOffset > b.StartOffset {
		if err := c.r.m.faults.beforeCommit(); err != nil {
			return err
		}
		r, err := n.propose(ctx, ingest.PipelineBatchCommand(b))
		if err == nil && r.Err != nil {
			if errors.Is(r.Err, ingest.ErrOffsetMismatch) {
				err = r.Err
			} else if st, ok := n.fsm.Pipeline(c.def.GetName()); !ok || st.GetState() != ingest.PipelineRunning {
				return errStopped // stopped or dropped meanwhile
			} else {
				// The batch can never apply (its table was dropped or
				// changed): retrying would fail forever, so stop loudly.
				return c.r.fail(ctx, fmt.Sprintf("partition %d offsets [%d, %d) cannot be committed: %v", p, b.StartOffset, b.NextOffset, r.Err))
			}
		}
		if err != nil {
			// Unknown outcome, or the stored offset moved: start again
			// from what is stored.
			return fmt.Errorf("commit partition %d offsets [%d, %d): %w", p, b.StartOffset, b.NextOffset, err)
		}
		if err := c.r.m.faults.afterCommit(); err != nil {
			return err
		}
		c.next[p] = b.NextOffset
		n.metrics.pipelineRows.Add(float64(r.Rows))
	}
	if stopAt != "" {
		return c.r.fail(ctx, stopAt)
	}
	return nil
}
