package storage

import (
	"encoding/binary"
	"unsafe"
)

// stringCoder assigns dense codes, in order of first appearance, to the
// distinct strings of a column being dictionary-encoded. Strings of up to
// 8 bytes, the usual case for tag-like columns (hosts, regions, codes),
// are keyed by their bytes packed into a uint64, one map per length, which
// hashes and compares as an integer: about twice as fast as a string map.
type stringCoder struct {
	short    [9]map[uint64]int32
	long     map[string]int32
	distinct []string // alias the source arrays; valid while they are held
}

func newStringCoder() *stringCoder {
	c := &stringCoder{long: map[string]int32{}}
	for i := range c.short {
		c.short[i] = map[uint64]int32{}
	}
	return c
}

func (c *stringCoder) code(v string) int32 {
	if len(v) > 8 {
		id, ok := c.long[v]
		if !ok {
			id = c.add(v)
			c.long[v] = id
		}
		return id
	}
	k := pack(v)
	m := c.short[len(v)]
	id, ok := m[k]
	if !ok {
		id = c.add(v)
		m[k] = id
	}
	return id
}

func (c *stringCoder) add(v string) int32 {
	id := int32(len(c.distinct))
	c.distinct = append(c.distinct, v)
	return id
}

// pack puts a string of at most 8 bytes into a uint64, little-endian.
func pack(v string) uint64 {
	if len(v) == 8 {
		return binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(v), 8))
	}
	var k uint64
	for i := 0; i < len(v); i++ {
		k |= uint64(v[i]) << (8 * i)
	}
	return k
}
