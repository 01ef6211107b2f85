// Package server is a Strata node: the FSM (ingest) driven by the Raft log
// (raftlog), served over gRPC, the PostgreSQL wire protocol (pgwire) and
// HTTP. It is the only package besides cmd that knows every other part;
// the handlers stay thin and the work is done by the packages it wires.
//
// What lives here:
//   - node.go, config.go: Open and Close, listeners, readiness (the log
//     present at start replayed and a leader known).
//   - grpc_*.go, sql_*.go, pg.go: the gRPC service and the SQL statements
//     Node.Run executes for both gRPC and pgwire; status.go is the one
//     table that turns errors into gRPC codes (sql_run.go's
//     writePathSQLError gives the write path's refusals a SQLSTATE).
//   - cluster.go: membership (join on first start, the member registry
//     every node keeps current, Join/RemoveMember/ClusterStatus) and the
//     peers file; peers.go pools connections to other members.
//   - forward.go, ingest_proxy.go: writes from anywhere. A follower
//     forwards commands to the leader (Forward) and proxies ingest streams
//     to it, so the leader's ordering and deduplication apply.
//   - reads.go: the read fences. Linearizable reads apply the leader's read
//     index locally before reading; follower reads read at once; min_version
//     waits for a version.
//   - chunkfetch.go, grpc_chunks.go: the chunk store snapshots name sealed
//     chunks in, and fetching the chunks a received snapshot names from
//     peers.
//   - pipeline_*.go, grpc_pipelines.go: Kafka pipelines. The leader runs a
//     consumer per running pipeline and commits each partition's records
//     with ingest's offset-checked PipelineBatchCommand; any unknown outcome
//     restarts it from the offsets stored in the FSM.
//   - metrics.go, http.go: Prometheus metrics, /healthz, /readyz, /status.
//
// What it must not do: decide anything replicated. Every state change is a
// command through the log, applied by ingest's deterministic FSM; the server
// only proposes, waits and answers.
package server
