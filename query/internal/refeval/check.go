package refeval

import (
	"fmt"
	"strings"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// maxDiffRows bounds the rows a mismatch report lists per side.
const maxDiffRows = 12

// Check reports whether got (an engine's rows, in its order) is a correct
// answer, and if not, why, with the first differing rows. Call it only
// when Err is nil. Floats compare with FloatsClose, everything else exactly.
func (res *Result) Check(got [][]plan.Value) error {
	if len(got) != res.need {
		return res.diff(got, fmt.Sprintf("engine returned %d rows, want %d", len(got), res.need))
	}
	if res.keyFns == nil {
		return res.checkPool(got)
	}
	return res.checkSorted(got)
}

// checkPool: got must be a sub-multiset of the pool (equal to it when the
// answer has every row).
func (res *Result) checkPool(got [][]plan.Value) error {
	pool := make([][]plan.Value, len(res.pool))
	for i, p := range res.pool {
		pool[i] = p.vals
	}
	extra, _ := match(got, pool)
	if len(extra) > 0 {
		return res.diff(got, fmt.Sprintf("%d engine rows are not in the reference's answer", len(extra)))
	}
	return nil
}

// checkSorted: got is ordered by the keys, its key sequence is the
// window's, and every run of tied keys is drawn from the rows with that key.
func (res *Result) checkSorted(got [][]plan.Value) error {
	gk := make([][]plan.Value, len(got))
	for i, row := range got {
		k, err := res.evalKeys(row)
		if err != nil {
			return res.diff(got, fmt.Sprintf("sort key of engine row %d %s: %v", i, FormatRow(row), err))
		}
		gk[i] = k
		if i > 0 && compareKeys(gk[i-1], k, res.keys) > 0 {
			return res.diff(got, fmt.Sprintf("engine rows %d and %d are out of order: keys %s then %s",
				i-1, i, FormatRow(gk[i-1]), FormatRow(k)))
		}
		if !RowsMatch(k, res.winKeys[i]) {
			return res.diff(got, fmt.Sprintf("engine row %d has sort key %s, want %s", i, FormatRow(k), FormatRow(res.winKeys[i])))
		}
	}
	byKey := map[string][][]plan.Value{}
	for _, p := range res.pool {
		id := keyID(p.key)
		byKey[id] = append(byKey[id], p.vals)
	}
	for i := 0; i < len(got); {
		j := i
		for j < len(got) && compareKeys(res.winKeys[i], res.winKeys[j], res.keys) == 0 {
			j++
		}
		if extra, _ := match(got[i:j], byKey[keyID(res.winKeys[i])]); len(extra) > 0 && !res.closeTie(extra, res.winKeys[i]) {
			return res.diff(got, fmt.Sprintf("engine rows %d..%d (sort key %s) are not rows with that key in the reference",
				i, j-1, FormatRow(res.winKeys[i])))
		}
		i = j
	}
	return nil
}

// closeTie is the slow path for float sort keys: rows whose keys differ
// from the reference's only in the last bits (sums in another order) may
// swap places with rows of a neighbouring key. It accepts the rows if each
// matches a distinct pool row whose key is close to key.
func (res *Result) closeTie(rows [][]plan.Value, key []plan.Value) bool {
	var cands [][]plan.Value
	for _, p := range res.pool {
		if RowsMatch(p.key, key) {
			cands = append(cands, p.vals)
		}
	}
	extra, _ := match(rows, cands)
	return len(extra) == 0
}

func keyID(k []plan.Value) string {
	var b []byte
	for _, v := range k {
		b = appendKey(b, v)
	}
	return string(b)
}

func (res *Result) evalKeys(row []plan.Value) ([]plan.Value, error) {
	cells := make([]cell, len(row))
	for i, v := range row {
		cells[i] = cell{v: v}
	}
	k := make([]plan.Value, len(res.keyFns))
	for i, f := range res.keyFns {
		c := f(cells)
		if c.err != nil {
			return nil, c.err
		}
		k[i] = c.v
	}
	return k, nil
}

// match pairs got rows with want rows and returns the unpaired rows of
// each side. Rows are bucketed on their exact non-float columns; within a
// bucket, identical rows pair first and only the rest pair within the
// float tolerance (RowsMatch), so a tolerance as wide as a few units on
// large values does not steal another row's exact partner.
func match(got, want [][]plan.Value) (extra, missing [][]plan.Value) {
	buckets := map[string][]int{}
	for i, w := range want {
		id := exactID(w)
		buckets[id] = append(buckets[id], i)
	}
	used := make([]bool, len(want))
	paired := make([]bool, len(got))
	for pass, same := range []func(a, b []plan.Value) bool{rowsIdentical, RowsMatch} {
		for gi, g := range got {
			if paired[gi] {
				continue
			}
			for _, i := range buckets[exactID(g)] {
				if !used[i] && same(g, want[i]) {
					used[i], paired[gi] = true, true
					break
				}
			}
			if pass == 1 && !paired[gi] {
				extra = append(extra, g)
			}
		}
	}
	for i, w := range want {
		if !used[i] {
			missing = append(missing, w)
		}
	}
	return extra, missing
}

// rowsIdentical compares rows exactly (NaN equals NaN, -0 equals 0).
func rowsIdentical(a, b []plan.Value) bool {
	for i := range a {
		x, y := a[i], b[i]
		if x.Null || y.Null {
			if x.Null != y.Null {
				return false
			}
			continue
		}
		if x.Type == storage.TypeFloat64 {
			if CompareFloat(x.Float, y.Float) != 0 {
				return false
			}
			continue
		}
		if !ValuesMatch(x, y) {
			return false
		}
	}
	return len(a) == len(b)
}

// exactID identifies a row by its non-float columns (floats match within a
// tolerance, so they cannot be hashed).
func exactID(row []plan.Value) string {
	var b []byte
	for _, v := range row {
		if v.Type == storage.TypeFloat64 && !v.Null {
			b = append(b, 'f')
			continue
		}
		b = appendKey(b, v)
	}
	return string(b)
}

// diff explains a mismatch: the reason, then rows only the engine has and
// rows only the reference has (for unordered answers a multiset
// difference, for ordered ones the first differing position on).
func (res *Result) diff(got [][]plan.Value, why string) error {
	var b strings.Builder
	b.WriteString(why)
	fmt.Fprintf(&b, "\nschema: %v", res.Schema)
	want := res.Rows
	if res.keyFns != nil {
		first := 0
		for first < len(got) && first < len(want) && RowsMatch(got[first], want[first]) {
			first++
		}
		fmt.Fprintf(&b, "\nfirst difference at row %d of %d (engine) / %d (reference)", first, len(got), len(want))
		writeRows(&b, "engine", got[first:])
		writeRows(&b, "reference", want[min(first, len(want)):])
		return fmt.Errorf("%s", b.String())
	}
	pool := make([][]plan.Value, len(res.pool))
	for i, p := range res.pool {
		pool[i] = p.vals
	}
	extra, missing := match(got, pool)
	writeRows(&b, "only in engine", extra)
	if len(pool) == res.need {
		writeRows(&b, "only in reference", missing)
	} else {
		fmt.Fprintf(&b, "\n(any %d of the reference's %d rows are a correct answer)", res.need, len(pool))
		writeRows(&b, "reference candidates not returned", missing)
	}
	return fmt.Errorf("%s", b.String())
}

func writeRows(b *strings.Builder, title string, rows [][]plan.Value) {
	fmt.Fprintf(b, "\n%s (%d):", title, len(rows))
	for i, r := range rows {
		if i == maxDiffRows {
			fmt.Fprintf(b, "\n  ... %d more", len(rows)-i)
			break
		}
		fmt.Fprintf(b, "\n  %s", FormatRow(r))
	}
}
