package storage

import (
	"fmt"
	"maps"
	"math"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// DefaultChunkRows is the row target of a sealed chunk.
const DefaultChunkRows = 64 * 1024

// Latest asks Snapshot for the latest applied version.
const Latest uint64 = math.MaxUint64

// Options configure a Store. The zero value is usable.
type Options struct {
	// Allocator holds chunk memory (default memory.DefaultAllocator).
	Allocator memory.Allocator
	// ChunkRows is the row target of sealed chunks (default
	// DefaultChunkRows). Replicas must agree on it: it decides chunk
	// boundaries and therefore chunk IDs.
	ChunkRows int
}

// Store holds every table of a node in memory. Mutations (CreateTable,
// DropTable, Apply, Rollback) carry a caller-assigned version that must grow
// from call to call; they are serialised and each is atomic. Reads go
// through Snapshot and never wait for a mutation to finish its work.
type Store struct {
	mem       memory.Allocator
	chunkRows int

	// Lock order: writeMu, then stateMu.
	//
	// writeMu serialises mutations; a mutation builds the next state
	// while holding only writeMu, so readers are not held up by its work.
	writeMu sync.Mutex
	// stateMu guards cur and closed. A mutation holds it exclusively just
	// to swap cur; Snapshot holds it shared while it retains the chunks of
	// cur, so no chunk it retains is released in between.
	stateMu sync.RWMutex
	cur     *state
	closed  bool
}

// state is one immutable version of the store's contents.
type state struct {
	applied uint64
	tables  map[string]*tableState
}

// New returns an empty store.
func New(opts Options) *Store {
	if opts.Allocator == nil {
		opts.Allocator = memory.DefaultAllocator
	}
	if opts.ChunkRows <= 0 {
		opts.ChunkRows = DefaultChunkRows
	}
	return &Store{
		mem:       opts.Allocator,
		chunkRows: opts.ChunkRows,
		cur:       &state{tables: map[string]*tableState{}},
	}
}

// Applied returns the latest applied version.
func (s *Store) Applied() uint64 {
	s.stateMu.RLock()
	defer s.stateMu.RUnlock()
	return s.cur.applied
}

// Close releases the store's chunks. Snapshots taken earlier stay readable
// until they are released.
func (s *Store) Close() {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.stateMu.Lock()
	old := s.cur
	s.cur = &state{applied: old.applied, tables: map[string]*tableState{}}
	wasClosed := s.closed
	s.closed = true
	s.stateMu.Unlock()
	if wasClosed {
		return
	}
	for _, t := range old.tables {
		t.chunks(func(_ int, c *Chunk) { c.Release() })
	}
}

// begin starts a mutation at version v: it checks that the store is open
// and that v is above the applied version. The caller holds writeMu.
func (s *Store) begin(v uint64) (*state, error) {
	if s.closed {
		return nil, ErrClosed
	}
	if v <= s.cur.applied || v == Latest {
		return nil, fmt.Errorf("%w: version %d, applied %d", ErrVersionOrder, v, s.cur.applied)
	}
	next := &state{applied: v, tables: maps.Clone(s.cur.tables)}
	return next, nil
}

// publish makes next the current state and then drops the store's
// references to chunks the new state no longer holds.
func (s *Store) publish(next *state, retired []*Chunk) {
	if invariantsEnabled {
		checkInvariants(s.cur, next, s.chunkRows)
	}
	s.stateMu.Lock()
	s.cur = next
	s.stateMu.Unlock()
	for _, c := range retired {
		c.Release()
	}
}

// CreateTable creates a table at version v.
func (s *Store) CreateTable(v uint64, def TableDef) error {
	def, err := def.normalize()
	if err != nil {
		return err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	next, err := s.begin(v)
	if err != nil {
		return err
	}
	if _, ok := next.tables[def.Name]; ok {
		return fmt.Errorf("%w: %q", ErrTableExists, def.Name)
	}
	next.tables[def.Name] = &tableState{
		def:     def,
		created: v,
		parts:   make([]partition, def.Buckets),
		history: []VersionInfo{{Version: v, Kind: VersionCreate}},
	}
	s.publish(next, nil)
	return nil
}

// DropTable drops a table and frees its data at version v. Reads at earlier
// versions no longer find it: dropping is not versioned.
func (s *Store) DropTable(v uint64, name string) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	next, err := s.begin(v)
	if err != nil {
		return err
	}
	t, ok := next.tables[name]
	if !ok {
		return fmt.Errorf("%w: %q", ErrNoTable, name)
	}
	delete(next.tables, name)
	var retired []*Chunk
	t.chunks(func(_ int, c *Chunk) { retired = append(retired, c) })
	s.publish(next, retired)
	return nil
}

// Rollback makes every read at version v or later see the table exactly as
// a read at version to saw it, until later writes add to it; reads below v
// are unchanged. It keeps the data and costs no rewrite.
func (s *Store) Rollback(v uint64, name string, to uint64) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	next, err := s.begin(v)
	if err != nil {
		return err
	}
	t, ok := next.tables[name]
	if !ok {
		return fmt.Errorf("%w: %q", ErrNoTable, name)
	}
	if to > s.cur.applied {
		return fmt.Errorf("%w: rollback of %q to version %d, applied %d", ErrFutureVersion, name, to, s.cur.applied)
	}
	t = t.cloneForWrite()
	t.rollbacks = append(t.rollbacks, rollbackRecord{at: v, to: to})
	t.history = append(t.history, VersionInfo{Version: v, Kind: VersionRollback, To: to})
	next.tables[name] = t
	s.publish(next, nil)
	return nil
}

// Apply appends the batches, which may name several tables, atomically at
// version v: either every row is applied or, when any batch does not match
// its table, none is and the error names the table, column and row. Apply
// with no batches just advances the applied version (for log entries that
// change nothing).
func (s *Store) Apply(v uint64, batches []TableBatch) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	next, err := s.begin(v)
	if err != nil {
		return err
	}
	valid, err := s.validateAll(next, batches)
	if err != nil {
		return err
	}
	var retired []*Chunk
	written := map[string]int64{}
	var order []string // tables in batch order, so nothing depends on map order
	for _, vb := range valid {
		t := next.tables[vb.table]
		if _, seen := written[vb.table]; !seen {
			t = t.cloneForWrite()
			next.tables[vb.table] = t
			order = append(order, vb.table)
		}
		retired = append(retired, s.appendBatch(t, v, vb)...)
		written[vb.table] += int64(vb.rows)
		releaseAll(vb.cols)
	}
	for _, name := range order {
		if rows := written[name]; rows > 0 {
			t := next.tables[name]
			t.history = append(t.history, VersionInfo{Version: v, Kind: VersionWrite, Rows: rows})
		}
	}
	s.publish(next, retired)
	return nil
}

type validBatch struct {
	table string
	cols  []arrow.Array // table order, one reference each
	rows  int
}

// validateAll checks every batch before anything is applied.
func (s *Store) validateAll(st *state, batches []TableBatch) ([]validBatch, error) {
	out := make([]validBatch, 0, len(batches))
	fail := func(err error) ([]validBatch, error) {
		for _, vb := range out {
			releaseAll(vb.cols)
		}
		return nil, err
	}
	for i, b := range batches {
		t, ok := st.tables[b.Table]
		if !ok {
			return fail(fmt.Errorf("batch %d: %w: %q", i+1, ErrNoTable, b.Table))
		}
		cols, err := validateBatch(s.mem, &t.def, b.Record)
		if err != nil {
			return fail(fmt.Errorf("batch %d: %w", i+1, err))
		}
		out = append(out, validBatch{b.Table, cols, int(b.Record.NumRows())})
	}
	return out, nil
}

// appendBatch spreads a validated batch over t's partitions (t is a private
// copy) and returns the chunks it retired.
func (s *Store) appendBatch(t *tableState, v uint64, vb validBatch) []*Chunk {
	b := &chunkBuilder{mem: s.mem, chunkRows: s.chunkRows, def: &t.def, tableID: t.created, version: v}
	if len(t.parts) == 1 {
		t.parts[0] = b.appendRows(t.parts[0], 0, vb.cols, nil, vb.rows)
		return b.retired
	}
	for bucket, rows := range bucketRows(&t.def, vb.cols, vb.rows) {
		t.parts[bucket] = b.appendRows(t.parts[bucket], uint32(bucket), vb.cols, rows, len(rows))
	}
	return b.retired
}

func releaseAll(arrs []arrow.Array) {
	for _, a := range arrs {
		a.Release()
	}
}
