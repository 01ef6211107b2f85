package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/stratadb/strata/ingest"
	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/storage"
)

const (
	// chunkFetchTimeout bounds fetching one chunk from one peer.
	chunkFetchTimeout = 30 * time.Second
	// maxFetchedChunk bounds what a peer may send for one chunk.
	maxFetchedChunk = 1 << 31
)

// peerChunkStore is a node's chunk store: chunk files under
// DataDir/chunks, and, when a restored snapshot names a chunk this node
// does not hold (a new member receiving its first snapshot), the chunk
// fetched from a peer over gRPC (FetchChunk), checked and stored locally.
//
// The fetched bytes are checked by the restorer, against the sum the
// snapshot's manifest records (storage/restore.go); this store only puts
// them locally once a peer has sent them whole.
type peerChunkStore struct {
	local *storage.DirChunkStore
	// sources lists the gRPC addresses of the peers to ask for a missing
	// chunk, in the order to ask them.
	sources func() []string
	peers   *peers
	timeout time.Duration // per source

	mu      sync.Mutex
	fetched map[storage.ChunkID][]byte // fetched during the restore under way
	putMu   sync.Mutex                 // keepFetched against Retain
}

// keepFetched stores the chunks fetched for a restore that succeeded.
// Retain, which an earlier snapshot's Persist may be running, deletes
// unfinished files: the two take turns.
func (s *peerChunkStore) keepFetched() error {
	s.mu.Lock()
	fetched := s.fetched
	s.fetched = nil
	s.mu.Unlock()
	s.putMu.Lock()
	defer s.putMu.Unlock()
	for id, data := range fetched {
		if err := s.local.Put(id, data); err != nil {
			return fmt.Errorf("store chunk %s fetched for a snapshot: %w", id, err)
		}
	}
	return nil
}

// dropFetched forgets the chunks fetched for a restore that failed.
func (s *peerChunkStore) dropFetched() {
	s.mu.Lock()
	s.fetched = nil
	s.mu.Unlock()
}

var _ ingest.ChunkStore = (*peerChunkStore)(nil)

// newPeerChunkStore opens (creating it if needed) the chunk directory dir.
func newPeerChunkStore(dir string, sources func() []string, p *peers) (*peerChunkStore, error) {
	local, err := storage.NewDirChunkStore(dir)
	if err != nil {
		return nil, err
	}
	return &peerChunkStore{local: local, sources: sources, peers: p, timeout: chunkFetchTimeout}, nil
}

// Has reports whether this node holds the chunk; it never asks peers.
func (s *peerChunkStore) Has(id storage.ChunkID) (storage.ChunkSum, bool) { return s.local.Has(id) }

// Put stores a chunk locally.
func (s *peerChunkStore) Put(id storage.ChunkID, data []byte) error { return s.local.Put(id, data) }

// Retain deletes the local chunk files not in keep.
func (s *peerChunkStore) Retain(keep map[storage.ChunkID]bool) error {
	s.putMu.Lock()
	defer s.putMu.Unlock()
	return s.local.Retain(keep)
}

// Get returns the chunk from the local directory or, when it is not there,
// from the first source that sends it. A fetched chunk is held aside, not
// stored: only the restorer can check it against the sum the snapshot
// records, and a wrong file kept locally would be found again on every
// retry instead of being fetched afresh. Once the restore succeeds,
// keepFetched stores them all (the snapshot raft keeps on disk names them,
// so a restart must find them here); a failed restore drops them. A damaged local
// file is returned as the error it is (wrapping storage.ErrCorrupt), not
// replaced. When no source has it, the error names the chunk and every
// source tried, and wraps fs.ErrNotExist.
func (s *peerChunkStore) Get(id storage.ChunkID) ([]byte, error) {
	data, err := s.local.Get(id)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return data, err
	}
	var srcs []string
	if s.sources != nil {
		srcs = s.sources()
	}
	if len(srcs) == 0 {
		return nil, fmt.Errorf("chunk %s: not held by this node, and no peer to fetch it from: %w", id, err)
	}
	tried := make([]string, 0, len(srcs))
	for _, addr := range srcs {
		data, ferr := s.fetch(addr, id)
		if ferr != nil {
			tried = append(tried, fmt.Sprintf("%s: %v", addr, ferr))
			continue
		}
		s.mu.Lock()
		if s.fetched == nil {
			s.fetched = map[storage.ChunkID][]byte{}
		}
		s.fetched[id] = data
		s.mu.Unlock()
		return data, nil
	}
	return nil, fmt.Errorf("chunk %s: not held by this node, nor fetched from a peer (%s): %w", id, strings.Join(tried, "; "), err)
}

// fetch asks the member at gRPC address addr for a chunk's payload.
func (s *peerChunkStore) fetch(addr string, id storage.ChunkID) ([]byte, error) {
	if s.peers == nil {
		return nil, errors.New("no peer connections")
	}
	c, err := s.peers.client(addr)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	stream, err := c.FetchChunk(ctx, &stratapb.FetchChunkRequest{ChunkId: id.String()})
	if err != nil {
		return nil, err
	}
	var data []byte
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(data)+len(resp.GetData()) > maxFetchedChunk {
			return nil, fmt.Errorf("peer sent more than %d bytes", maxFetchedChunk)
		}
		data = append(data, resp.GetData()...)
	}
	if len(data) == 0 {
		return nil, errors.New("peer sent an empty chunk")
	}
	return data, nil
}
