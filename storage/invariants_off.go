//go:build !invariants

package storage

// invariantsEnabled reports whether this build runs expensive self-checks
// (go test -tags invariants).
const invariantsEnabled = false

func checkInvariants(prev, next *state, chunkRows int) {}
