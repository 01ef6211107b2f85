//go:build race

package pgwire

// raceEnabled: the race detector slows everything down ~10x; big tests
// shrink.
const raceEnabled = true
