package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// fbTable reads a flatbuffers table with bounds checks, following the
// flatbuffers runtime's rules for vtables and absent fields. The IPC scan
// (ipcscan.go) reads, through it, every field arrow's reader will read, so
// that arrow's unchecked flatbuffers accessors stay inside the metadata.
type fbTable struct {
	b           []byte
	pos, vt, vl int
}

func fbTableAt(b []byte, pos int) (fbTable, error) {
	if pos < 0 || pos > len(b)-4 {
		return fbTable{}, fmt.Errorf("table at %d outside %d bytes", pos, len(b))
	}
	vt := pos - int(int32(binary.LittleEndian.Uint32(b[pos:])))
	if vt < 0 || vt > len(b)-2 {
		return fbTable{}, fmt.Errorf("vtable at %d outside %d bytes", vt, len(b))
	}
	return fbTable{b: b, pos: pos, vt: vt, vl: int(binary.LittleEndian.Uint16(b[vt:]))}, nil
}

// field returns the position of field i, or 0 when it is absent.
func (t fbTable) field(i int) (int, error) {
	slot := 4 + 2*i
	if slot >= t.vl {
		return 0, nil
	}
	if t.vt+slot > len(t.b)-2 {
		return 0, errors.New("vtable outside the buffer")
	}
	off := int(binary.LittleEndian.Uint16(t.b[t.vt+slot:]))
	if off == 0 {
		return 0, nil
	}
	return t.pos + off, nil
}

func (t fbTable) has(i int) (bool, error) {
	p, err := t.field(i)
	return p != 0, err
}

// scalar reads field i as a little-endian integer of size bytes (1, 2, 4
// or 8), zero-extended; an absent field reads as 0 (every default the IPC
// scan relies on is 0).
func (t fbTable) scalar(i, size int) (uint64, error) {
	p, err := t.field(i)
	if err != nil || p == 0 {
		return 0, err
	}
	if p > len(t.b)-size {
		return 0, errors.New("field outside the buffer")
	}
	switch size {
	case 1:
		return uint64(t.b[p]), nil
	case 2:
		return uint64(binary.LittleEndian.Uint16(t.b[p:])), nil
	case 4:
		return uint64(binary.LittleEndian.Uint32(t.b[p:])), nil
	}
	return binary.LittleEndian.Uint64(t.b[p:]), nil
}

func (t fbTable) uint8(i int) (uint8, error) {
	v, err := t.scalar(i, 1)
	return uint8(v), err
}

func (t fbTable) int16(i int) (int16, error) {
	v, err := t.scalar(i, 2)
	return int16(v), err
}

func (t fbTable) int32(i int) (int32, error) {
	v, err := t.scalar(i, 4)
	return int32(v), err
}

func (t fbTable) int64(i int) (int64, error) {
	v, err := t.scalar(i, 8)
	return int64(v), err
}

// table returns table field i; it must be present.
func (t fbTable) table(i int) (fbTable, error) {
	p, err := t.field(i)
	if err != nil {
		return fbTable{}, err
	}
	if p == 0 || p > len(t.b)-4 {
		return fbTable{}, errors.New("missing table")
	}
	return fbTableAt(t.b, p+int(binary.LittleEndian.Uint32(t.b[p:])))
}

// optTable returns table field i and whether it is present.
func (t fbTable) optTable(i int) (fbTable, bool, error) {
	present, err := t.has(i)
	if err != nil || !present {
		return fbTable{}, false, err
	}
	tab, err := t.table(i)
	return tab, err == nil, err
}

// vector returns the start and length of vector field i, whose elements
// are size bytes, checking that it lies inside the buffer. An absent vector
// is empty.
func (t fbTable) vector(i, size int) (start, n int, err error) {
	p, err := t.field(i)
	if err != nil || p == 0 {
		return 0, 0, err
	}
	if p > len(t.b)-4 {
		return 0, 0, errors.New("vector offset outside the buffer")
	}
	v := p + int(binary.LittleEndian.Uint32(t.b[p:]))
	if v > len(t.b)-4 {
		return 0, 0, errors.New("vector outside the buffer")
	}
	n = int(binary.LittleEndian.Uint32(t.b[v:]))
	if uint64(n)*uint64(size) > uint64(len(t.b)-v-4) {
		return 0, 0, fmt.Errorf("vector of %d elements does not fit", n)
	}
	return v + 4, n, nil
}

// string returns string field i ("" when absent).
func (t fbTable) string(i int) (string, error) {
	start, n, err := t.vector(i, 1)
	if err != nil {
		return "", err
	}
	return string(t.b[start : start+n]), nil
}

// tables returns the tables of vector-of-tables field i.
func (t fbTable) tables(i int) ([]fbTable, error) {
	start, n, err := t.vector(i, 4)
	if err != nil {
		return nil, err
	}
	out := make([]fbTable, n)
	for j := range out {
		p := start + 4*j
		if out[j], err = fbTableAt(t.b, p+int(binary.LittleEndian.Uint32(t.b[p:]))); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// structAt reads the k-th 16-byte struct of two int64s (an IPC FieldNode
// or Buffer) of a vector that starts at start.
func (t fbTable) structAt(start, k int) (a, b int64) {
	p := start + 16*k
	return int64(binary.LittleEndian.Uint64(t.b[p:])), int64(binary.LittleEndian.Uint64(t.b[p+8:]))
}
