package server

import (
	"encoding/json"
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	stratapb "github.com/stratadb/strata/proto"
)

// mustJSON is m in protojson (field names as in the .proto, zero values
// included); a message that cannot be marshalled is a bug.
func mustJSON(m proto.Message) json.RawMessage {
	b, err := protojson.MarshalOptions{EmitUnpopulated: true, UseProtoNames: true}.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

// httpHandler serves /healthz (the process answers), /readyz (the Raft log
// is replayed and a leader is known, so writes and reads can be served),
// /metrics (Prometheus) and /status (the Status RPC as JSON, with the
// ClusterStatus RPC's answer under "cluster").
func (n *Node) httpHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if err := n.ready(); err != nil {
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(n.metrics.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, r *http.Request) {
		// This node's status, and every member's under "cluster".
		var body map[string]json.RawMessage
		if err := json.Unmarshal(mustJSON(n.status()), &body); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		cs, _ := n.ClusterStatus(r.Context(), &stratapb.ClusterStatusRequest{})
		body["cluster"] = mustJSON(cs)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(body)
	})
	return mux
}
