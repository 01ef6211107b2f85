package bench

import (
	"fmt"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// pregenerateMaxRows is the largest dataset generated into memory before
// the loads (about 1.3 GB of Arrow data at 10M telemetry rows). Larger
// ones are generated while loading, and their load times include the
// generator (the report says which).
const pregenerateMaxRows = 20_000_000

// generated holds the last dataset generated into memory, shared by the
// engines' loads so that each load times only the engine, not the
// generator, and the data is generated once.
var generated struct {
	mu   sync.Mutex
	key  string
	recs []arrow.RecordBatch
	took time.Duration
}

// Pregenerated reports whether a load of rows rows times only the engine.
func Pregenerated(rows int64) bool { return rows <= pregenerateMaxRows }

// eachRecord calls fn for every record of the dataset: from memory when it
// is small enough (generated on first use, with a progress bar), else
// straight from the generator.
func eachRecord(ds *Dataset, rows, seed int64, batchRows int, log *progress, fn func(arrow.RecordBatch) error) error {
	if !Pregenerated(rows) {
		return ds.Generate(rows, seed, batchRows, fn)
	}
	recs, err := pregenerate(ds, rows, seed, batchRows, log)
	if err != nil {
		return err
	}
	for _, rec := range recs {
		if err := fn(rec); err != nil {
			return err
		}
	}
	return nil
}

func pregenerate(ds *Dataset, rows, seed int64, batchRows int, log *progress) ([]arrow.RecordBatch, error) {
	key := fmt.Sprintf("%s/%d/%d/%d", ds.Name, rows, seed, batchRows)
	generated.mu.Lock()
	defer generated.mu.Unlock()
	if generated.key == key {
		return generated.recs, nil
	}
	releaseGeneratedLocked()
	bar := log.Bar("generating "+ds.Table, rows)
	start := time.Now()
	var recs []arrow.RecordBatch
	err := ds.Generate(rows, seed, batchRows, func(rec arrow.RecordBatch) error {
		rec.Retain()
		recs = append(recs, rec)
		bar.Add(rec.NumRows())
		return nil
	})
	bar.Finish()
	if err != nil {
		for _, r := range recs {
			r.Release()
		}
		return nil, fmt.Errorf("generate %s: %w", ds.Name, err)
	}
	generated.key, generated.recs, generated.took = key, recs, time.Since(start)
	return recs, nil
}

// releaseGenerated frees the data generated into memory.
func releaseGenerated() {
	generated.mu.Lock()
	defer generated.mu.Unlock()
	releaseGeneratedLocked()
}

func releaseGeneratedLocked() {
	for _, r := range generated.recs {
		r.Release()
	}
	generated.key, generated.recs = "", nil
}
