package storage

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/zeebo/xxh3"
)

// KeyHash hashes partition-key values into a bucket. The function is part
// of the persistence format: a restored table must put a row in the bucket
// it had, and a query must find the bucket of a constant. Values are hashed
// by their logical value (an int32 5 and an int64 5 hash alike), so a
// planner can hash a constant once it is coerced to the column's type.
type KeyHash uint64

const keyHashSeed KeyHash = 0x9e3779b97f4a7c15

// NewKeyHash starts a hash over an ordered list of key values.
func NewKeyHash() KeyHash { return keyHashSeed }

func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func (h KeyHash) add(v uint64) KeyHash { return KeyHash(mix64(uint64(h)*31 + v)) }

// Int adds an int64, int32, timestamp (µs), date (days) or bool (0/1) value.
func (h KeyHash) Int(v int64) KeyHash { return h.add(uint64(v)) }

// Float adds a float64; -0 hashes as 0 and every NaN alike.
func (h KeyHash) Float(v float64) KeyHash {
	switch {
	case v == 0:
		v = 0
	case v != v:
		v = math.NaN()
	}
	return h.add(math.Float64bits(v))
}

// String adds a string or binary value.
func (h KeyHash) String(v string) KeyHash { return h.add(xxh3.HashString(v)) }

// Null adds a null.
func (h KeyHash) Null() KeyHash { return h.add(0x6e756c6c6e756c6c) }

// Bucket maps the hash to one of n buckets.
func (h KeyHash) Bucket(n int) int { return int(mix64(uint64(h)) % uint64(n)) }

// bucketRows returns, for each bucket, the rows of cols (table order) that
// hash into it, in row order.
func bucketRows(def *TableDef, cols []arrow.Array, rows int) [][]int32 {
	hashes := make([]KeyHash, rows)
	for i := range hashes {
		hashes[i] = NewKeyHash()
	}
	for _, name := range def.PartitionKey {
		ci := def.ColumnIndex(name)
		hashColumn(def.Columns[ci].Type, cols[ci], hashes)
	}
	out := make([][]int32, def.Buckets)
	for i, h := range hashes {
		b := h.Bucket(def.Buckets)
		out[b] = append(out[b], int32(i))
	}
	return out
}

func hashColumn(t ColumnType, a arrow.Array, hashes []KeyHash) {
	valid := validityOf(a)
	switch t {
	case TypeString, TypeBinary:
		s := stringSourceOf(a)
		for i := range hashes {
			if v, ok := s.at(i); ok {
				hashes[i] = hashes[i].String(v)
			} else {
				hashes[i] = hashes[i].Null()
			}
		}
	case TypeFloat64:
		vals := a.(*array.Float64).Float64Values()
		for i := range hashes {
			if valid.valid(i) {
				hashes[i] = hashes[i].Float(vals[i])
			} else {
				hashes[i] = hashes[i].Null()
			}
		}
	default:
		for i := range hashes {
			if valid.valid(i) {
				hashes[i] = hashes[i].Int(intValue(a, i))
			} else {
				hashes[i] = hashes[i].Null()
			}
		}
	}
}
