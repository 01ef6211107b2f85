package raftlog

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"
)

func TestHCLogRoutesToSlog(t *testing.T) {
	var buf bytes.Buffer
	base := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var h hclog.Logger = newHCLog(base, "raftlog")
	h = h.Named("raft").With("node", "n1")
	h.Warn("heartbeat timeout", "last-leader", "n2")
	h.Trace("dropped at debug level")
	if !h.IsDebug() || h.IsTrace() || h.GetLevel() != hclog.Debug {
		t.Errorf("levels: debug=%v trace=%v get=%v", h.IsDebug(), h.IsTrace(), h.GetLevel())
	}
	h.StandardLogger(nil).Print("via log.Logger")

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d records: %s", len(lines), buf.String())
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"level": "WARN", "msg": "heartbeat timeout",
		"logger": "raftlog.raft", "node": "n1", "last-leader": "n2"}
	for k, v := range want {
		if rec[k] != v {
			t.Errorf("%s = %v, want %v (record %s)", k, rec[k], v, lines[0])
		}
	}
	if !strings.Contains(lines[1], `"msg":"via log.Logger"`) || !strings.Contains(lines[1], `"logger":"raftlog.raft"`) {
		t.Errorf("standard logger record %s", lines[1])
	}
	if got := h.ResetNamed("wal").Name(); got != "wal" {
		t.Errorf("reset name %q", got)
	}
}
