package server

import (
	"errors"
	"io/fs"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/storage"
)

// fetchPiece is the size of the pieces FetchChunk streams a chunk in.
const fetchPiece = 1 << 20

// serveFetch answers FetchChunk from this node's own chunk files (never
// from peers, so two nodes missing a chunk cannot ask each other in a
// loop): the chunk's payload, in pieces of fetchPiece bytes. Node.FetchChunk
// calls it.
func (s *peerChunkStore) serveFetch(req *stratapb.FetchChunkRequest, stream stratapb.Strata_FetchChunkServer) error {
	id, err := storage.ParseChunkID(req.GetChunkId())
	if err != nil {
		return status.Error(codes.InvalidArgument, err.Error())
	}
	data, err := s.local.Get(id)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return status.Errorf(codes.NotFound, "chunk %s is not held by this node", id)
	case errors.Is(err, storage.ErrCorrupt):
		return status.Errorf(codes.DataLoss, "chunk %s: %v", id, err)
	case err != nil:
		return status.Errorf(codes.Internal, "chunk %s: %v", id, err)
	}
	for len(data) > 0 {
		n := min(len(data), fetchPiece)
		if err := stream.Send(&stratapb.FetchChunkResponse{Data: data[:n]}); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}
