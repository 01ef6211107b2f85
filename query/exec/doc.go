// Package exec is Strata's vectorized, parallel query engine. It runs a
// bound plan (query/plan) over table snapshots and returns Arrow records.
//
// How a scan runs:
//
//	chunks of a snapshot --prune (partition key, min/max stats)--> morsels
//	morsel --visible rows (versions)--> view --filters--> narrower view
//	   (a range on a sorted chunk's sort key is a binary search; a
//	    conjunct stats prove true for the chunk is skipped)
//	view --> group ids + partial aggregates (per worker) | projected columns
//	partials --merged once--> result; then Sort, Limit over the result
//
// One worker per core pulls morsels (chunks) from a shared counter, so a
// slow chunk never idles the others. Inner loops run over Arrow buffers
// and plain slices (vector), with per-batch decisions (nulls? selection?
// constant?) taken outside them; there is no interface call per row. A
// GROUP BY on a dictionary-encoded string accumulates by dictionary code
// and folds into groups once per chunk.
//
// Expressions are evaluated only over the rows of the current view, so a
// row hidden by its version or removed by an earlier conjunct never raises
// an error (division by zero, overflow). CASE and COALESCE keep to that:
// each branch is evaluated over the sub-view of the rows that reach it and
// the results are scattered back by slot. LIKE compiles a constant pattern
// once per batch (exact, prefix, suffix, contains and %-only patterns are
// string searches), and LIKE, casts from text, lower and upper work once
// per dictionary entry on dictionary-encoded strings.
//
// DistinctOn and Values are relation operators, like Sort and Limit; a
// Values relation feeds Project, Filter and Aggregate as any intermediate
// result does. A DistinctOn over a Sort led by its ON keys ("last point
// per device") does not sort every row: one parallel pass keeps the best
// row per group by the remaining keys, and only those rows are sorted.
// Over a scan (under filters and a projection) that pass streams: it
// keeps each group's (morsel, row) and key values, and projects only the
// winning rows, so its memory follows the groups, not the rows. PlanScans tells, without running, what each scan of a plan
// would read (EXPLAIN), with the pruning Run uses.
//
// exec reads storage through Chunk, ChunkStats and TableSnapshot only; it
// does not know how chunks are built or persisted.
package exec
