package storage

import (
	"fmt"
	"sync"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// decodeAllocator is the allocator arrow's IPC reader gets while it decodes
// one chunk. Arrow recovers its own panics on malformed input and returns
// an error, but buffers it had allocated by then are never released; and it
// allocates whatever sizes the input claims. So while decoding, this
// allocator
//   - remembers every live allocation, and abort frees those still live, so
//     a failed decode leaves nothing allocated from the parent;
//   - refuses (by panicking, which the decoder turns into its error) to
//     hold more than budget bytes at once, and remembers the first refusal.
//
// commit ends the decode: the chunk keeps its buffers, and later Frees pass
// straight to the parent. The allocator stays referenced by those buffers.
type decodeAllocator struct {
	parent memory.Allocator

	mu     sync.Mutex // guards the fields below; Free may come from any goroutine
	budget int        // bytes it may still hand out
	total  int        // the budget it started with
	over   error      // the first refusal, an overBudget
	live   map[*byte][]byte
}

type overBudget struct{ want, left, total int }

func (e overBudget) Error() string {
	return fmt.Sprintf("allocation of %d bytes exceeds the decode budget of %d bytes (%d left)", e.want, e.total, e.left)
}

func newDecodeAllocator(parent memory.Allocator, budget int) *decodeAllocator {
	return &decodeAllocator{parent: parent, budget: budget, total: budget, live: map[*byte][]byte{}}
}

func (a *decodeAllocator) Allocate(size int) []byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	if size < 0 {
		panic(fmt.Sprintf("allocation of %d bytes", size))
	}
	a.charge(size)
	b := a.parent.Allocate(size)
	a.track(b)
	return b
}

func (a *decodeAllocator) Reallocate(size int, b []byte) []byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.charge(size - len(b))
	a.untrack(b)
	out := a.parent.Reallocate(size, b)
	a.track(out)
	return out
}

func (a *decodeAllocator) Free(b []byte) {
	a.mu.Lock()
	a.untrack(b)
	a.mu.Unlock()
	a.parent.Free(b)
}

// charge takes n bytes from the budget while decoding. The caller holds mu.
func (a *decodeAllocator) charge(n int) {
	if a.live == nil {
		return
	}
	if n > a.budget {
		e := overBudget{n, a.budget, a.total}
		if a.over == nil {
			a.over = e
		}
		panic(e)
	}
	a.budget -= n
}

func (a *decodeAllocator) track(b []byte) {
	if a.live != nil && len(b) > 0 {
		a.live[unsafe.SliceData(b)] = b
	}
}

func (a *decodeAllocator) untrack(b []byte) {
	if a.live == nil || len(b) == 0 {
		return
	}
	if _, ok := a.live[unsafe.SliceData(b)]; ok {
		delete(a.live, unsafe.SliceData(b))
		a.budget += len(b)
	}
}

// refused returns the first allocation refused for the budget, or nil.
func (a *decodeAllocator) refused() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.over
}

// commit stops tracking: the decoded chunk owns its buffers.
func (a *decodeAllocator) commit() {
	a.mu.Lock()
	a.live = nil
	a.mu.Unlock()
}

// abort frees every allocation still live. Nothing may use them after.
func (a *decodeAllocator) abort() {
	a.mu.Lock()
	live := a.live
	a.live = nil
	a.mu.Unlock()
	for _, b := range live {
		a.parent.Free(b)
	}
}
