package exec

import (
	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// ScanPlan is what a run reads of one Scan, found without reading any
// row: the table's partitions and chunks (those of the snapshot), how
// many of them the filters the scan reads through rule out by partition
// key and by min/max statistics, and how many workers would scan the
// rest. PlanScans uses the pruning Run uses, so the counts are the ones
// Run reports in its Stats.
type ScanPlan struct {
	Scan *plan.Scan // the node, in the bound plan PlanScans was given
	Pred plan.Expr  // the filters it reads through (nil: none)
	// Partitions of the table (1 without a partition key) and how many
	// may hold matching rows.
	Partitions, PartitionsRead int
	// Chunks of the snapshot, scanned, and pruned by the partition key
	// and by statistics (Chunks = Scanned + PrunedByKey + PrunedByStats).
	Chunks, ChunksScanned      int
	PrunedByKey, PrunedByStats int
	Workers                    int
}

// PlanScans returns a ScanPlan for every Scan of a bound plan, in
// depth-first order.
func PlanScans(p plan.Node, tables Tables, cfg Config) ([]ScanPlan, error) {
	var out []ScanPlan
	var walk func(n plan.Node) error
	walk = func(n plan.Node) error {
		base, pred := peelFilters(n)
		if scan, ok := base.(*plan.Scan); ok {
			sp, err := planScan(scan, pred, tables, cfg)
			out = append(out, sp)
			return err
		}
		for _, c := range base.Children() {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	return out, walk(p)
}

func planScan(scan *plan.Scan, pred plan.Expr, tables Tables, cfg Config) (ScanPlan, error) {
	sp := ScanPlan{Scan: scan, Pred: pred}
	_, schema, err := plan.Bind(scan, tables)
	if err != nil {
		return sp, err
	}
	t, err := tables.Table(scan)
	if err != nil {
		return sp, err
	}
	in := tableInput(t, schema, pred)
	sp.Partitions = partitions(t.Def())
	sp.PartitionsRead = sp.Partitions
	if in.buckets != nil {
		sp.PartitionsRead = len(in.buckets)
	}
	sp.Chunks = len(t.Chunks())
	sp.ChunksScanned = len(in.morsels)
	sp.PrunedByKey, sp.PrunedByStats = in.prunedByKey, in.prunedByStats
	sp.Workers = workersFor(defaultWorkers(cfg.Workers), len(in.morsels))
	return sp, nil
}

// partitions is how many partitions a table's rows are spread over.
func partitions(def *storage.TableDef) int {
	if len(def.PartitionKey) == 0 || def.Buckets <= 1 {
		return 1
	}
	return def.Buckets
}
