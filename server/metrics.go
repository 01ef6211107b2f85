package server

import (
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/stratadb/strata/raftlog"
)

// metrics are a node's Prometheus metrics, in a registry of its own (so
// several nodes can live in one test process).
type metrics struct {
	reg           *prometheus.Registry
	ingestRows    prometheus.Counter
	ingestBytes   prometheus.Counter
	ingestBatches *prometheus.CounterVec // result: ok, duplicate, error, refused
	queries       *prometheus.CounterVec // result: ok, error
	queryLatency  prometheus.Histogram

	proposals        prometheus.Counter
	forwarded        prometheus.Counter
	readIndexLatency prometheus.Histogram
	applyLatency     prometheus.Histogram
	snapshots        *prometheus.CounterVec // result: ok, error
	snapshotSeconds  prometheus.Histogram
	snapshotBytes    prometheus.Gauge
	restores         *prometheus.CounterVec // result: ok, error
	elections        prometheus.Counter
	leaderChanges    prometheus.Counter
	pipelineRows     prometheus.Counter
}

func newMetrics(n *Node) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.ingestRows = prometheus.NewCounter(prometheus.CounterOpts{Name: "strata_ingest_rows_total", Help: "Rows applied by ingest batches."})
	m.ingestBytes = prometheus.NewCounter(prometheus.CounterOpts{Name: "strata_ingest_bytes_total", Help: "Payload bytes of ingest batches received."})
	m.ingestBatches = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "strata_ingest_batches_total",
		Help: "Ingest batches by outcome: ok, duplicate (applied before), error (failed, nothing applied), refused (overloaded or not leader; retryable)."}, []string{"result"})
	m.queries = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "strata_queries_total", Help: "Queries by outcome."}, []string{"result"})
	m.queryLatency = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "strata_query_duration_seconds", Help: "Query latency.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)})
	m.proposals = prometheus.NewCounter(prometheus.CounterOpts{Name: "strata_raft_proposals_total",
		Help: "Commands this node proposed to Raft as leader or forwarded to it (DDL, SQL writes, membership; ingest batches are strata_ingest_batches_total)."})
	m.forwarded = prometheus.NewCounter(prometheus.CounterOpts{Name: "strata_forwarded_total",
		Help: "Writes and ingest streams this follower forwarded to the leader."})
	m.readIndexLatency = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "strata_read_index_duration_seconds",
		Help: "Time a linearizable read waited for the leader's read index and its local apply.", Buckets: prometheus.ExponentialBuckets(0.00005, 2, 18)})
	m.applyLatency = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "strata_raft_apply_duration_seconds",
		Help: "Time the state machine took to apply one command.", Buckets: prometheus.ExponentialBuckets(0.00001, 2, 20)})
	m.snapshots = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "strata_raft_snapshots_total", Help: "Snapshots written, by result."}, []string{"result"})
	m.snapshotSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "strata_raft_snapshot_duration_seconds",
		Help: "Time to write one snapshot.", Buckets: prometheus.ExponentialBuckets(0.001, 2, 18)})
	m.snapshotBytes = prometheus.NewGauge(prometheus.GaugeOpts{Name: "strata_raft_snapshot_bytes", Help: "Size of the last snapshot written (sealed chunks it only names are not counted)."})
	m.restores = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "strata_raft_restores_total", Help: "Snapshots restored (at start, or received from the leader), by result."}, []string{"result"})
	m.elections = prometheus.NewCounter(prometheus.CounterOpts{Name: "strata_raft_elections_total", Help: "Elections this node started (it became a candidate)."})
	m.leaderChanges = prometheus.NewCounter(prometheus.CounterOpts{Name: "strata_raft_leader_changes_total", Help: "Leader changes this node observed."})
	m.pipelineRows = prometheus.NewCounter(prometheus.CounterOpts{Name: "strata_pipeline_rows_total", Help: "Rows committed by the Kafka pipelines this node ran as leader."})
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f)
	}
	m.reg.MustRegister(m.ingestRows, m.ingestBytes, m.ingestBatches, m.queries, m.queryLatency,
		m.proposals, m.forwarded, m.readIndexLatency, m.applyLatency, m.snapshots, m.snapshotSeconds, m.snapshotBytes,
		m.restores, m.elections, m.leaderChanges, m.pipelineRows,
		gauge("strata_raft_term", "Current Raft term.", func() float64 { return float64(n.raft.Status().Term) }),
		gauge("strata_raft_last_log_index", "Last index in this node's Raft log.", func() float64 { return float64(n.raft.Status().LastLogIndex) }),
		gauge("strata_raft_members", "Servers in the Raft configuration.", func() float64 { return float64(len(n.raft.Status().Members)) }),
		gauge("strata_data_bytes", "Bytes of stored chunks.", func() float64 { return float64(n.usage().Bytes) }),
		gauge("strata_chunks_sealed", "Sealed chunks.", func() float64 { return float64(n.usage().SealedChunks) }),
		gauge("strata_chunks_buffered", "Write-buffer pieces.", func() float64 { return float64(n.usage().BufferChunks) }),
		gauge("strata_stored_rows", "Stored rows, rolled-back ones included.", func() float64 { return float64(n.usage().Rows) }),
		gauge("strata_ingest_inflight_bytes", "Bytes of ingest batches received and not yet applied.", func() float64 { return float64(n.budget.inUse()) }),
		gauge("strata_raft_applied_index", "Last Raft log index applied.", func() float64 { return float64(n.raft.AppliedIndex()) }),
		gauge("strata_raft_commit_index", "Raft commit index.", func() float64 { return float64(n.raft.Status().CommitIndex) }),
		gauge("strata_raft_leader", "1 when this node is the Raft leader.", func() float64 {
			if n.raft.IsLeader() {
				return 1
			}
			return 0
		}),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// raftHooks feeds the Raft log's events into the metrics and the log.
func (m *metrics) raftHooks(log *slog.Logger) raftlog.Hooks {
	result := func(err error) string {
		if err != nil {
			return "error"
		}
		return "ok"
	}
	return raftlog.Hooks{
		Applied: func(_ uint64, took time.Duration) { m.applyLatency.Observe(took.Seconds()) },
		SnapshotPersisted: func(bytes int64, took time.Duration, err error) {
			m.snapshots.WithLabelValues(result(err)).Inc()
			if err != nil {
				log.Error("snapshot failed", "err", err)
				return
			}
			m.snapshotSeconds.Observe(took.Seconds())
			m.snapshotBytes.Set(float64(bytes))
			log.Info("snapshot written", "bytes", bytes, "took", took)
		},
		Restored: func(index uint64, took time.Duration, err error) {
			m.restores.WithLabelValues(result(err)).Inc()
			if err != nil {
				log.Error("snapshot restore failed", "index", index, "err", err)
				return
			}
			log.Info("snapshot restored", "index", index, "took", took)
		},
		LeaderChanged: func(id string) {
			m.leaderChanges.Inc()
			log.Info("leader changed", "leader", id)
		},
		StateChanged: func(s raftlog.State) {
			if s == raftlog.StateCandidate {
				m.elections.Inc()
			}
		},
	}
}
