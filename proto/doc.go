// Package proto holds Strata's wire contract: strata.proto (the gRPC service,
// its messages and the Raft command envelope) and the Go code generated from
// it, committed so that a build needs no protoc.
//
// It imports no project package. The contract arrives with the durable-node
// issue; until then this package is intentionally empty.
package proto
