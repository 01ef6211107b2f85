package ingest

import (
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"

	stratapb "github.com/stratadb/strata/proto"
)

// Field numbers of Command and WriteCommand (strata.proto).
const (
	commandWriteField  = 3
	writeTableField    = 1
	writeProducerField = 2
	writeSequenceField = 3
	writePayloadField  = 4
	writeRejectedField = 5
)

// decodeWrite reads a Command that holds only a write without copying its
// payload: the returned ArrowIpc aliases data (raftlog lets the FSM keep
// command bytes; proto.Unmarshal would copy every batch once more). It
// reports false for anything else, which then takes the general path.
func decodeWrite(data []byte) (*stratapb.WriteCommand, bool) {
	num, typ, n := protowire.ConsumeTag(data)
	if n < 0 || num != commandWriteField || typ != protowire.BytesType {
		return nil, false
	}
	body, m := protowire.ConsumeBytes(data[n:])
	if m < 0 || n+m != len(data) {
		return nil, false // more fields follow (ignorable, unknown): general path
	}
	w := &stratapb.WriteCommand{}
	for len(body) > 0 {
		num, typ, n := protowire.ConsumeTag(body)
		if n < 0 {
			return nil, false
		}
		body = body[n:]
		switch {
		case typ == protowire.BytesType:
			v, m := protowire.ConsumeBytes(body)
			if m < 0 {
				return nil, false
			}
			if num != writePayloadField && !utf8.Valid(v) {
				return nil, false // proto rejects it: let it say so
			}
			switch num {
			case writeTableField:
				w.Table = string(v)
			case writeProducerField:
				w.ProducerId = string(v)
			case writePayloadField:
				w.ArrowIpc = v
			case writeRejectedField:
				w.Rejected = string(v)
			default:
				return nil, false // a field this release does not know
			}
			body = body[m:]
		case typ == protowire.VarintType && num == writeSequenceField:
			v, m := protowire.ConsumeVarint(body)
			if m < 0 {
				return nil, false
			}
			w.Sequence = v
			body = body[m:]
		default:
			return nil, false
		}
	}
	return w, true
}
