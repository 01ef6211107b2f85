# Strata's make targets. `make test` is what CI runs (.ci/run).
GO ?= go

.PHONY: all build server demo test vet fmt bench bench-pg bench-duckdb fuzz proto

all: build

build:
	$(GO) build ./...

# A single node with the defaults (./strata-data, gRPC 7600, HTTP 7680).
server:
	$(GO) run ./cmd/strata server

# Regenerate the protobuf code (needs protoc and the pinned plugins, see proto/generate.go).
proto:
	$(GO) generate ./proto

# The engine in-process: load generated telemetry, run aggregation queries.
demo:
	$(GO) run ./cmd/strata demo

vet:
	$(GO) vet ./...

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# The test command: formatting, vet, and every test with the race detector
# and the expensive self-checks of the invariants build tag.
test: fmt vet
	$(GO) test -race -tags invariants ./...

# Engine benchmarks (not run in CI).
bench:
	$(GO) test ./bench -run '^$$' -bench 'Engine|Ingest' -benchtime 3x

# Strata vs PostgreSQL at --quick size (1M rows, every dataset, both
# PostgreSQL profiles; starts a private PostgreSQL: needs the Debian package
# postgresql). The report lands in bench/results/<timestamp>.
bench-pg:
	$(GO) run ./cmd/strata bench --quick --dataset all --profile both

# Strata vs PostgreSQL and DuckDB (in-process, on a temporary file) on telemetry at
# 10M rows. The duckdb build tag links DuckDB's cgo binding: the first
# build downloads its static library (~130 MB unpacked) and takes a while.
# Not part of CI.
bench-duckdb:
	$(GO) run -tags duckdb ./cmd/strata bench --duckdb --dataset telemetry --rows 10000000

# Fuzz the storage decoder for a minute.
fuzz:
	$(GO) test ./storage -run '^$$' -fuzz FuzzRestore -fuzztime 60s
