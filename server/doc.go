// Package server is a Strata node: thin gRPC handlers, the PostgreSQL wire
// endpoint, HTTP health/metrics, leader forwarding and the single
// error-to-status table. It is the only package besides cmd that knows every
// other part.
//
// It arrives with the durable-node issue; until then it is intentionally
// empty.
package server
