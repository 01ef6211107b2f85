package raftlog

import (
	"context"
	"io"
	"log"
	"log/slog"

	"github.com/hashicorp/go-hclog"
)

// levelTrace is hclog's Trace level in slog terms: below Debug, so a handler
// at Debug drops it.
const levelTrace = slog.LevelDebug - 4

// slogHCLog is an hclog.Logger that hands every record to a slog.Logger, so
// hashicorp/raft, its transport, its snapshot store and raft-wal log through
// the process's one structured logger. The hclog name becomes a "logger"
// attribute ("raftlog.raft", "raftlog.wal", ...). Levels are decided by the
// slog handler: SetLevel is a no-op and GetLevel reports what the handler
// lets through.
type slogHCLog struct {
	base    *slog.Logger  // without name or implied args
	l       *slog.Logger  // base + implied args + "logger" name
	name    string        // hclog name, dot-joined
	implied []interface{} // args added by With, for ImpliedArgs
}

var _ hclog.Logger = (*slogHCLog)(nil)

func newHCLog(l *slog.Logger, name string) *slogHCLog {
	return build(l, name, nil)
}

func build(base *slog.Logger, name string, implied []interface{}) *slogHCLog {
	l := base.With(implied...)
	if name != "" {
		l = l.With("logger", name)
	}
	return &slogHCLog{base: base, l: l, name: name, implied: implied}
}

func toSlogLevel(level hclog.Level) (slog.Level, bool) {
	switch level {
	case hclog.Trace:
		return levelTrace, true
	case hclog.Debug:
		return slog.LevelDebug, true
	case hclog.Warn:
		return slog.LevelWarn, true
	case hclog.Error:
		return slog.LevelError, true
	case hclog.Off:
		return 0, false
	default: // Info, NoLevel
		return slog.LevelInfo, true
	}
}

func (h *slogHCLog) enabled(level hclog.Level) bool {
	lvl, ok := toSlogLevel(level)
	return ok && h.l.Enabled(context.Background(), lvl)
}

// Log implements hclog.Logger.
func (h *slogHCLog) Log(level hclog.Level, msg string, args ...interface{}) {
	lvl, ok := toSlogLevel(level)
	if !ok {
		return
	}
	h.l.Log(context.Background(), lvl, msg, args...)
}

// Trace implements hclog.Logger.
func (h *slogHCLog) Trace(msg string, args ...interface{}) { h.Log(hclog.Trace, msg, args...) }

// Debug implements hclog.Logger.
func (h *slogHCLog) Debug(msg string, args ...interface{}) { h.Log(hclog.Debug, msg, args...) }

// Info implements hclog.Logger.
func (h *slogHCLog) Info(msg string, args ...interface{}) { h.Log(hclog.Info, msg, args...) }

// Warn implements hclog.Logger.
func (h *slogHCLog) Warn(msg string, args ...interface{}) { h.Log(hclog.Warn, msg, args...) }

// Error implements hclog.Logger.
func (h *slogHCLog) Error(msg string, args ...interface{}) { h.Log(hclog.Error, msg, args...) }

// IsTrace implements hclog.Logger.
func (h *slogHCLog) IsTrace() bool { return h.enabled(hclog.Trace) }

// IsDebug implements hclog.Logger.
func (h *slogHCLog) IsDebug() bool { return h.enabled(hclog.Debug) }

// IsInfo implements hclog.Logger.
func (h *slogHCLog) IsInfo() bool { return h.enabled(hclog.Info) }

// IsWarn implements hclog.Logger.
func (h *slogHCLog) IsWarn() bool { return h.enabled(hclog.Warn) }

// IsError implements hclog.Logger.
func (h *slogHCLog) IsError() bool { return h.enabled(hclog.Error) }

// ImpliedArgs implements hclog.Logger.
func (h *slogHCLog) ImpliedArgs() []interface{} { return h.implied }

// With implements hclog.Logger.
func (h *slogHCLog) With(args ...interface{}) hclog.Logger {
	implied := append(append([]interface{}(nil), h.implied...), args...)
	return build(h.base, h.name, implied)
}

// Name implements hclog.Logger.
func (h *slogHCLog) Name() string { return h.name }

// Named implements hclog.Logger.
func (h *slogHCLog) Named(name string) hclog.Logger {
	if h.name != "" {
		name = h.name + "." + name
	}
	return build(h.base, name, h.implied)
}

// ResetNamed implements hclog.Logger.
func (h *slogHCLog) ResetNamed(name string) hclog.Logger {
	return build(h.base, name, h.implied)
}

// SetLevel implements hclog.Logger; the slog handler owns the level.
func (h *slogHCLog) SetLevel(hclog.Level) {}

// GetLevel implements hclog.Logger.
func (h *slogHCLog) GetLevel() hclog.Level {
	for _, l := range []hclog.Level{hclog.Trace, hclog.Debug, hclog.Info, hclog.Warn, hclog.Error} {
		if h.enabled(l) {
			return l
		}
	}
	return hclog.Off
}

// StandardLogger implements hclog.Logger.
func (h *slogHCLog) StandardLogger(opts *hclog.StandardLoggerOptions) *log.Logger {
	lvl := slog.LevelInfo
	if opts != nil && opts.ForceLevel != hclog.NoLevel {
		if l, ok := toSlogLevel(opts.ForceLevel); ok {
			lvl = l
		}
	}
	return slog.NewLogLogger(h.l.Handler(), lvl)
}

// StandardWriter implements hclog.Logger.
func (h *slogHCLog) StandardWriter(opts *hclog.StandardLoggerOptions) io.Writer {
	return h.StandardLogger(opts).Writer()
}
