// Package client is the Go client library: ingest with automatic batching and
// safe retries (the same idempotency key on every retry) and queries decoded
// into Arrow records. It imports proto only.
//
// It arrives with the durable-node issue; until then it is intentionally
// empty.
package client
