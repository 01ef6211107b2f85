package server

import (
	"io"
	"log/slog"
)

func startNodeLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
