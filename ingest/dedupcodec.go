package ingest

import (
	"encoding/binary"
	"fmt"
)

// The dedup table in a snapshot, all integers as (u)varints:
//
//	producers:  count | producer...
//	producer:   len id | id | last | lastIndex | forgotBelow | outcomes(recent) | outcomes(failures)
//	outcomes:   count | outcome...
//	outcome:    seq | version | rows (zigzag) | kind+1, or 0 without error | [len msg | msg]
//
// Producers are in idle order (least recently active first), which is part
// of the state: it decides who expires next.

func appendDedup(dst []byte, ps []producer) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(ps)))
	for _, p := range ps {
		dst = appendString(dst, p.id)
		dst = binary.AppendUvarint(dst, p.last)
		dst = binary.AppendUvarint(dst, p.lastIndex)
		dst = binary.AppendUvarint(dst, p.forgotBelow)
		dst = appendOutcomes(dst, p.recent)
		dst = appendOutcomes(dst, p.failures)
	}
	return dst
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

func appendOutcomes(dst []byte, os []outcome) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(os)))
	for _, o := range os {
		dst = binary.AppendUvarint(dst, o.seq)
		dst = binary.AppendUvarint(dst, o.version)
		dst = binary.AppendVarint(dst, o.rows)
		if o.err == nil {
			dst = binary.AppendUvarint(dst, 0)
			continue
		}
		dst = binary.AppendUvarint(dst, uint64(o.err.kind)+1)
		dst = appendString(dst, o.err.msg)
	}
	return dst
}

// dedupReader decodes with bounds checks: corrupt input is an error.
type dedupReader struct {
	b   []byte
	err error
}

func (r *dedupReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = fmt.Errorf("%w: dedup table: bad varint", ErrBadSnapshot)
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *dedupReader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = fmt.Errorf("%w: dedup table: bad varint", ErrBadSnapshot)
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a length that must fit in what is left (each item takes at
// least one byte), so a corrupt count cannot make us allocate.
func (r *dedupReader) count() int {
	n := r.uvarint()
	if r.err == nil && n > uint64(len(r.b)) {
		r.err = fmt.Errorf("%w: dedup table: count %d with %d bytes left", ErrBadSnapshot, n, len(r.b))
		return 0
	}
	return int(n)
}

func (r *dedupReader) string() string {
	n := r.count()
	if r.err != nil {
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *dedupReader) outcomes() []outcome {
	n := r.count()
	if n == 0 {
		return nil
	}
	out := make([]outcome, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		o := outcome{seq: r.uvarint(), version: r.uvarint(), rows: r.varint()}
		if k := r.uvarint(); k > 0 {
			o.err = &appliedError{kind: errKind(k - 1), msg: r.string()}
		}
		out = append(out, o)
	}
	for i := 1; i < len(out) && r.err == nil; i++ {
		if out[i].seq <= out[i-1].seq {
			r.err = fmt.Errorf("%w: dedup table: outcomes out of order", ErrBadSnapshot)
		}
	}
	return out
}

func decodeDedup(b []byte) ([]producer, error) {
	r := &dedupReader{b: b}
	n := r.count()
	ps := make([]producer, 0, n)
	seen := map[string]bool{}
	for i := 0; i < n && r.err == nil; i++ {
		p := producer{id: r.string(), last: r.uvarint(), lastIndex: r.uvarint(), forgotBelow: r.uvarint()}
		p.recent, p.failures = r.outcomes(), r.outcomes()
		if r.err == nil && seen[p.id] {
			r.err = fmt.Errorf("%w: dedup table: producer %q twice", ErrBadSnapshot, p.id)
		}
		seen[p.id] = true
		ps = append(ps, p)
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = fmt.Errorf("%w: dedup table: %d bytes after the producers", ErrBadSnapshot, len(r.b))
	}
	if r.err != nil {
		return nil, r.err
	}
	return ps, nil
}
