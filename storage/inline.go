package storage

import (
	"fmt"
	"io"
)

// Inline copies an encoded state from r to w with every external chunk
// read from chunks and written inline, so the copy restores without the
// ChunkStore. A stream encoded with EncodeOptions.Chunks only names its
// sealed chunks; a node that sends its snapshot to another (a Raft leader
// installing a snapshot on a follower) sends the Inline copy. The result
// is byte for byte what Encode without a ChunkStore would have written.
//
// Inline checks frames, the manifest and the sums of external chunks, but
// does not decode chunks; Restore does. Errors are as Restore's.
func Inline(w io.Writer, r io.Reader, chunks ChunkStore) (int64, error) {
	fr := &frameReader{r: r}
	if err := fr.header(); err != nil {
		return 0, err
	}
	payload, err := fr.next(frameManifest)
	if err != nil {
		return 0, err
	}
	m, err := decodeManifest(payload)
	if err != nil {
		return 0, err
	}
	_, slots, err := m.plan()
	if err != nil {
		return 0, err
	}
	clearExternal(&m)
	fw, err := startStream(w, m)
	if err != nil {
		return fw.n, err
	}
	rs := &restorer{opts: RestoreOptions{Chunks: chunks}, fr: fr}
	for i := range slots {
		p, err := rs.chunkPayload(&slots[i])
		if err != nil {
			return fw.n, err
		}
		if err := fw.frame(frameChunk, appendChunkID(nil, slots[i].meta.ID), p); err != nil {
			return fw.n, fmt.Errorf("storage: write state: %w", err)
		}
	}
	if err := fr.end(); err != nil {
		return fw.n, err
	}
	if err := fw.end(); err != nil {
		return fw.n, fmt.Errorf("storage: write state: %w", err)
	}
	return fw.n, nil
}

func clearExternal(m *manifest) {
	for ti := range m.Tables {
		for pi := range m.Tables[ti].Partitions {
			p := &m.Tables[ti].Partitions[pi]
			for i := range p.Sealed {
				p.Sealed[i].External = nil
			}
			for i := range p.Pieces {
				p.Pieces[i].External = nil
			}
		}
	}
}
