// Package stratapb is Strata's wire contract, in the proto folder:
// strata.proto (the gRPC service, its messages, and the envelope of the
// commands replicated through Raft) and the Go code generated from it,
// committed so that a build needs no protoc. `go generate ./proto`
// regenerates it (see generate.go for the pinned tools).
//
// It imports no project package. Conversions between these messages and
// the engine's types live with their users (server, ingest), not here.
package stratapb
