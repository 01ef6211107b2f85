package server

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
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
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f)
	}
	m.reg.MustRegister(m.ingestRows, m.ingestBytes, m.ingestBatches, m.queries, m.queryLatency,
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
