package ingest

import (
	"encoding/binary"
	"fmt"

	"google.golang.org/protobuf/proto"
)

// A list of protobuf records in a snapshot frame (the member registry, the
// pipelines):
//
//	count uvarint | (len uvarint | deterministic proto record)...
//
// Records are in strictly increasing key order, which decodeMessages
// checks, so equal states encode to equal bytes on every replica.

// appendMessages appends ms; what and key name a record in errors.
func appendMessages[M proto.Message](dst []byte, what string, ms []M, key func(M) string) ([]byte, error) {
	dst = binary.AppendUvarint(dst, uint64(len(ms)))
	opts := proto.MarshalOptions{Deterministic: true}
	for _, m := range ms {
		b, err := opts.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("encode %s %q: %w", what, key(m), err)
		}
		dst = binary.AppendUvarint(dst, uint64(len(b)))
		dst = append(dst, b...)
	}
	return dst, nil
}

// decodeMessages decodes what appendMessages wrote. Every record needs a
// non-empty key, keys must increase, and check (if set) must accept the
// record; any failure wraps ErrBadSnapshot and names what.
func decodeMessages[M proto.Message](b []byte, what string, newM func() M, key func(M) string, check func(M) error) ([]M, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrBadSnapshot, what, fmt.Sprintf(format, args...))
	}
	uvarint := func() (uint64, error) {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, bad("bad varint")
		}
		b = b[n:]
		return v, nil
	}
	n, err := uvarint()
	if err != nil {
		return nil, err
	}
	if n > uint64(len(b)) {
		return nil, bad("count %d in %d bytes", n, len(b))
	}
	ms := make([]M, 0, n)
	for range n {
		size, err := uvarint()
		if err != nil {
			return nil, err
		}
		if size > uint64(len(b)) {
			return nil, bad("record of %d bytes, %d left", size, len(b))
		}
		m := newM()
		if err := proto.Unmarshal(b[:size], m); err != nil {
			return nil, bad("%v", err)
		}
		b = b[size:]
		k := key(m)
		if k == "" {
			return nil, bad("record without a key")
		}
		if len(ms) > 0 && key(ms[len(ms)-1]) >= k {
			return nil, bad("not in order at %q", k)
		}
		if check != nil {
			if err := check(m); err != nil {
				return nil, bad("%q: %v", k, err)
			}
		}
		ms = append(ms, m)
	}
	if len(b) != 0 {
		return nil, bad("%d bytes after the last record", len(b))
	}
	return ms, nil
}
