package ingest

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/protobuf/proto"

	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/storage"
)

// Options configure an FSM. Replicas must agree on ChunkRows and
// ProducerExpiry: both shape the replicated state.
type Options struct {
	Allocator      memory.Allocator
	ChunkRows      int    // storage's sealed chunk target (default storage.DefaultChunkRows)
	ProducerExpiry uint64 // log entries a producer may idle (default DefaultProducerExpiry)
	MaxProducers   int    // producers remembered (default DefaultMaxProducers)
	// Chunks, when set, holds the sealed chunks of snapshots: Persist puts
	// each sealed chunk there once and the stream only names it, and
	// Restore reads the chunks a stream names from it. Every stream that
	// may still be restored needs its chunks here, so it belongs to one
	// node's data directory and one Raft log. Nil: every chunk inline.
	Chunks ChunkStore
}

// ChunkStore is where snapshots keep sealed chunks (Options.Chunks):
// storage.DirChunkStore, or a store that fetches missing chunks from
// peers. Retain deletes every chunk not in keep (see
// storage.DirChunkStore.Retain).
type ChunkStore interface {
	storage.ChunkStore
	Retain(keep map[storage.ChunkID]bool) error
}

// FSM applies the commands of the Raft log to storage, in log order, at
// version = log index. It owns the dedup table that makes writes
// idempotent, and the member registry (members.go). Raft calls Apply,
// Capture and Restore from one goroutine; Store and Members may be called
// from any.
//
// Apply is deterministic: it reads no clock, no randomness and iterates
// no map, so every replica that applies the same log reaches the same
// state and answers.
type FSM struct {
	opts  Options
	store atomic.Pointer[storage.Store]
	dedup *dedupTable
	// members is the member registry: an immutable slice sorted by node
	// ID, replaced whole by Apply and Restore.
	members atomic.Pointer[[]*stratapb.Member]
	// pipelines is the Kafka pipelines' state (pipelines.go): an
	// immutable slice sorted by name, replaced whole by Apply and Restore.
	pipelines atomic.Pointer[[]*stratapb.PipelineStatus]
	// retained is what Options.Chunks must keep; see snapshot.go.
	retained retention
}

// NewFSM returns an FSM over an empty store.
func NewFSM(opts Options) *FSM {
	if opts.Allocator == nil {
		opts.Allocator = memory.DefaultAllocator
	}
	f := &FSM{opts: opts, dedup: newDedupTable(opts.ProducerExpiry, opts.MaxProducers)}
	f.store.Store(storage.New(storage.Options{Allocator: opts.Allocator, ChunkRows: opts.ChunkRows}))
	return f
}

// Store is the current store. Restore replaces it: take a Snapshot of it
// for anything longer than one call.
func (f *FSM) Store() *storage.Store { return f.store.Load() }

// Close releases the store.
func (f *FSM) Close() { f.Store().Close() }

// Apply applies one log entry and returns a *Result. A log entry that is
// not a command, or a command kind this node does not know and may not
// skip, panics: continuing would let this replica diverge from the others.
func (f *FSM) Apply(index uint64, data []byte) any {
	if w, ok := decodeWrite(data); ok {
		return f.applyWrite(index, w)
	}
	var cmd stratapb.Command
	if err := proto.Unmarshal(data, &cmd); err != nil {
		panic(fmt.Sprintf("BUG: log entry %d is not a Strata command: %v", index, err))
	}
	switch k := cmd.Kind.(type) {
	case *stratapb.Command_Write:
		return f.applyWrite(index, k.Write)
	case *stratapb.Command_CreateTable:
		return f.applyCreate(index, k.CreateTable)
	case *stratapb.Command_DropTable:
		return f.applyDrop(index, k.DropTable)
	case *stratapb.Command_Rollback:
		return f.applyRollback(index, k.Rollback)
	case *stratapb.Command_SetMember:
		return f.applySetMember(index, k.SetMember)
	case *stratapb.Command_CreatePipeline:
		return f.applyCreatePipeline(index, k.CreatePipeline)
	case *stratapb.Command_DropPipeline:
		return f.applyDropPipeline(index, k.DropPipeline)
	case *stratapb.Command_SetPipelineState:
		return f.applySetPipelineState(index, k.SetPipelineState)
	case *stratapb.Command_PipelineBatch:
		return f.applyPipelineBatch(index, k.PipelineBatch)
	case nil:
		if cmd.Ignorable {
			return f.done(index, nil)
		}
	}
	panic(fmt.Sprintf("log entry %d holds a command kind this node does not know: upgrade it to the cluster's release", index))
}

// done advances storage to index (so a read at the log index sees every
// command up to it, failed ones included) and returns the result.
func (f *FSM) done(index uint64, err error) *Result {
	if f.Store().Applied() < index {
		if aerr := f.Store().Apply(index, nil); aerr != nil {
			panic(fmt.Sprintf("BUG: advance storage to %d: %v", index, aerr))
		}
	}
	return &Result{Version: index, Err: err}
}

func (f *FSM) applyCreate(index uint64, c *stratapb.CreateTableCommand) *Result {
	err := f.Store().CreateTable(index, TableDefFromProto(c.GetTable()))
	if c.GetIfNotExists() && errors.Is(err, storage.ErrTableExists) {
		r := f.done(index, nil)
		r.Existed = true
		return r
	}
	return f.done(index, err)
}

func (f *FSM) applyDrop(index uint64, c *stratapb.DropTableCommand) *Result {
	err := f.Store().DropTable(index, c.GetName())
	if c.GetIfExists() && errors.Is(err, storage.ErrNoTable) {
		err = nil
	}
	return f.done(index, err)
}

func (f *FSM) applyRollback(index uint64, c *stratapb.RollbackCommand) *Result {
	return f.done(index, f.Store().Rollback(index, c.GetTable(), c.GetToVersion()))
}

// applyWrite applies a batch once per (producer, sequence). The first
// decision on a sequence, success or failure, is final and remembered: a
// retry gets the same answer, and the producer moves on to the next one.
func (f *FSM) applyWrite(index uint64, w *stratapb.WriteCommand) *Result {
	producer, seq := w.GetProducerId(), w.GetSequence()
	if producer != "" {
		if seq == 0 {
			return f.done(index, fmt.Errorf("%w: producer %q sent sequence 0; sequences start at 1", ErrBadCommand, producer))
		}
		v, o, want := f.dedup.check(producer, seq)
		switch v {
		case verdictDuplicate:
			r := f.done(index, nil)
			r.Version, r.Rows, r.Duplicate = o.version, o.rows, true
			if o.err != nil {
				r.Err, r.Duplicate = o.err, false
			}
			return r
		case verdictForgotten:
			return f.done(index, fmt.Errorf("%w: producer %q sequence %d was decided long ago", ErrOutcomeForgotten, producer, seq))
		case verdictOutOfOrder:
			return f.done(index, outOfOrder(producer, seq, want))
		}
	}
	rows, err := f.write(index, w)
	if producer != "" {
		f.dedup.record(producer, outcome{seq: seq, version: index, rows: rows, err: rememberError(err)}, index)
	}
	r := f.done(index, err)
	if err == nil {
		r.Rows = rows
	}
	return r
}

// write decodes a batch's rows and applies them at index.
func (f *FSM) write(index uint64, w *stratapb.WriteCommand) (int64, error) {
	if msg := w.GetRejected(); msg != "" {
		return 0, fmt.Errorf("%w: %s", ErrBadCommand, msg)
	}
	batches, rows, release, err := f.decodeBatches(w.GetTable(), w.GetArrowIpc())
	if err != nil {
		return 0, err
	}
	defer release()
	if err := f.Store().Apply(index, batches); err != nil {
		return 0, err
	}
	return rows, nil
}

// decodeBatches decodes a write payload into batches for table (write
// and pipeline batches share it). The caller calls release once the
// batches are applied or not.
func (f *FSM) decodeBatches(table string, payload []byte) ([]storage.TableBatch, int64, func(), error) {
	recs, err := storage.DecodeIPC(f.opts.Allocator, payload, 0)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("table %q: %w", table, err)
	}
	batches := make([]storage.TableBatch, len(recs))
	var rows int64
	for i, r := range recs {
		batches[i] = storage.TableBatch{Table: table, Record: r}
		rows += r.NumRows()
	}
	release := func() {
		for _, r := range recs {
			r.Release()
		}
	}
	return batches, rows, release, nil
}
