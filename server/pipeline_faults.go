package server

import (
	"errors"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
)

// pipelineFaults inject failures into pipeline commits, for the
// exactly-once tests of real processes: STRATA_PIPELINE_FAULTS=
// "fail=0.1,dropack=0.1,seed=7" fails 10% of batches before they are
// proposed and drops the acknowledgement of another 10% after they were
// committed (the runner then believes the outcome unknown). Unset, it does
// nothing. Never set it in production.
type pipelineFaults struct {
	mu            sync.Mutex
	rng           *rand.Rand
	fail, dropAck float64
}

var (
	errInjectedFailure = errors.New("injected failure before commit (STRATA_PIPELINE_FAULTS)")
	errInjectedDropAck = errors.New("injected loss of a commit's acknowledgement (STRATA_PIPELINE_FAULTS)")
)

// faultsFromEnv parses STRATA_PIPELINE_FAULTS; nil when unset.
func faultsFromEnv(n *Node) *pipelineFaults {
	spec := os.Getenv("STRATA_PIPELINE_FAULTS")
	if spec == "" {
		return nil
	}
	f := &pipelineFaults{}
	seed := uint64(1)
	for _, kv := range strings.Split(spec, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			n.log.Error("STRATA_PIPELINE_FAULTS: bad value", "item", kv)
			continue
		}
		switch k {
		case "fail":
			f.fail = x
		case "dropack":
			f.dropAck = x
		case "seed":
			seed = uint64(x)
		default:
			n.log.Error("STRATA_PIPELINE_FAULTS: unknown item", "item", kv)
		}
	}
	f.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	n.log.Warn("pipeline fault injection is on (testing only)", "fail", f.fail, "dropack", f.dropAck, "seed", seed)
	return f
}

func (f *pipelineFaults) roll(p float64) bool {
	if f == nil || p <= 0 {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rng.Float64() < p
}

// beforeCommit fails a batch before it is proposed.
func (f *pipelineFaults) beforeCommit() error {
	if f.roll(f.fail0()) {
		return errInjectedFailure
	}
	return nil
}

// afterCommit loses the acknowledgement of a committed batch.
func (f *pipelineFaults) afterCommit() error {
	if f.roll(f.dropAck0()) {
		return errInjectedDropAck
	}
	return nil
}

func (f *pipelineFaults) fail0() float64 {
	if f == nil {
		return 0
	}
	return f.fail
}

func (f *pipelineFaults) dropAck0() float64 {
	if f == nil {
		return 0
	}
	return f.dropAck
}
