package server

import (
	"bytes"
	"context"
	"io/fs"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/stratadb/strata/ingest"
	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/storage"
)

// chunkServer is the least of a Strata server: FetchChunk only.
type chunkServer struct {
	stratapb.UnimplementedStrataServer
	store *peerChunkStore
}

func (s *chunkServer) FetchChunk(req *stratapb.FetchChunkRequest, stream stratapb.Strata_FetchChunkServer) error {
	return s.store.serveFetch(req, stream)
}

// serveChunks serves store's chunks on 127.0.0.1 and returns the address.
func serveChunks(t *testing.T, store *peerChunkStore) string {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := grpc.NewServer()
	stratapb.RegisterStrataServer(srv, &chunkServer{store: store})
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	return lis.Addr().String()
}

func newTestChunkStore(t *testing.T, p *peers, sources ...string) *peerChunkStore {
	s, err := newPeerChunkStore(filepath.Join(t.TempDir(), "chunks"), func() []string { return sources }, p)
	require.NoError(t, err)
	s.timeout = 5 * time.Second
	return s
}

func testPeers(t *testing.T) *peers {
	p := newPeers(4 << 20)
	t.Cleanup(p.close)
	return p
}

func TestChunkFetchFromPeer(t *testing.T) {
	p := testPeers(t)
	holder := newTestChunkStore(t, nil)
	empty := newTestChunkStore(t, nil)
	holderAddr, emptyAddr := serveChunks(t, holder), serveChunks(t, empty)

	id := storage.ChunkID{Table: 3, Partition: 1, Seq: 42}
	data := make([]byte, 2*fetchPiece+12345) // three pieces
	r := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	require.NoError(t, holder.Put(id, data))

	// The first source lacks it, the second has it.
	newcomer := newTestChunkStore(t, p, emptyAddr, holderAddr)
	_, ok := newcomer.Has(id)
	require.False(t, ok)
	got, err := newcomer.Get(id)
	require.NoError(t, err)
	require.True(t, bytes.Equal(data, got))
	_, ok = newcomer.Has(id)
	require.False(t, ok, "a fetched chunk is not stored before the restorer checked it")
	require.NoError(t, newcomer.keepFetched())
	sum, ok := newcomer.Has(id)
	require.True(t, ok, "kept once the restore succeeded")
	require.EqualValues(t, len(data), sum.Len)

	// Missing everywhere: the error names the chunk and every source.
	missing := storage.ChunkID{Table: 3, Partition: 1, Seq: 43}
	unreachable := "127.0.0.1:1"
	lost := newTestChunkStore(t, p, emptyAddr, unreachable, holderAddr)
	_, err = lost.Get(missing)
	require.ErrorIs(t, err, fs.ErrNotExist)
	for _, s := range []string{missing.String(), emptyAddr, unreachable, holderAddr} {
		require.Contains(t, err.Error(), s)
	}
	_, ok = lost.Has(missing)
	require.False(t, ok, "nothing is stored after a failed fetch")

	// No sources at all.
	alone := newTestChunkStore(t, p)
	_, err = alone.Get(id)
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.Contains(t, err.Error(), id.String())

	// Retain deletes local files only.
	require.NoError(t, newcomer.Retain(map[storage.ChunkID]bool{}))
	_, ok = newcomer.Has(id)
	require.False(t, ok)
	_, ok = holder.Has(id)
	require.True(t, ok)
}

func TestChunkFetchServeErrors(t *testing.T) {
	p := testPeers(t)
	holder := newTestChunkStore(t, nil)
	addr := serveChunks(t, holder)
	id := storage.ChunkID{Table: 1, Seq: 1}
	require.NoError(t, holder.Put(id, []byte("payload")))

	c, err := p.client(addr)
	require.NoError(t, err)
	fetchCode := func(chunkID string) codes.Code {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		stream, err := c.FetchChunk(ctx, &stratapb.FetchChunkRequest{ChunkId: chunkID})
		require.NoError(t, err)
		for {
			if _, err := stream.Recv(); err != nil {
				return status.Code(err)
			}
		}
	}
	require.Equal(t, codes.InvalidArgument, fetchCode("not-a-chunk"))
	require.Equal(t, codes.NotFound, fetchCode(storage.ChunkID{Table: 9}.String()))

	// A damaged file is not served, and a fetching node does not store it.
	path := filepath.Join(holder.local.Dir(), id.String()+".chunk")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	b[len(b)-1] ^= 1
	require.NoError(t, os.WriteFile(path, b, 0o644))
	require.Equal(t, codes.DataLoss, fetchCode(id.String()))
	other := newTestChunkStore(t, p, addr)
	_, err = other.Get(id)
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.Contains(t, err.Error(), "DataLoss")
	_, ok := other.Has(id)
	require.False(t, ok)
}

// TestChunkFetchRestoresSnapshot: a node holding no chunks restores a
// snapshot that names chunks, fetching them from the node that wrote it.
func TestChunkFetchRestoresSnapshot(t *testing.T) {
	p := testPeers(t)
	leaderChunks := newTestChunkStore(t, nil)
	addr := serveChunks(t, leaderChunks)
	leader := ingest.NewFSM(ingest.Options{ChunkRows: 64, Chunks: leaderChunks})
	t.Cleanup(leader.Close)
	apply := func(f *ingest.FSM, index uint64, c *stratapb.Command) *ingest.Result {
		b, err := ingest.EncodeCommand(c)
		require.NoError(t, err)
		return f.Apply(index, b).(*ingest.Result)
	}
	require.NoError(t, apply(leader, 1, ingest.CreateTableCommand(&stratapb.TableDef{Name: "t", Columns: []*stratapb.Column{
		{Name: "v", Type: stratapb.ColumnType_INT64},
	}}, false)).Err)
	require.NoError(t, apply(leader, 2, ingest.WriteCommand("t", "p", 1, int64Payload(t, 1000))).Err)
	require.NoError(t, apply(leader, 3, ingest.SetMemberCommand(&stratapb.Member{NodeId: "leader", GrpcAddr: addr}, false)).Err)

	snap, err := leader.Capture()
	require.NoError(t, err)
	var stream bytes.Buffer
	require.NoError(t, snap.Persist(&stream))
	snap.Release()

	newcomerChunks := newTestChunkStore(t, p, addr)
	newcomer := ingest.NewFSM(ingest.Options{ChunkRows: 64, Chunks: newcomerChunks})
	t.Cleanup(newcomer.Close)
	require.NoError(t, newcomer.Restore(bytes.NewReader(stream.Bytes())))
	info, err := newcomer.Store().DescribeTable("t")
	require.NoError(t, err)
	require.EqualValues(t, 1000, info.Rows)
	require.Len(t, newcomer.Members(), 1)

	// Without a source, the restore fails and names the chunk.
	isolated := ingest.NewFSM(ingest.Options{ChunkRows: 64, Chunks: newTestChunkStore(t, p)})
	t.Cleanup(isolated.Close)
	err = isolated.Restore(bytes.NewReader(stream.Bytes()))
	require.ErrorIs(t, err, ingest.ErrBadSnapshot)
	require.ErrorIs(t, err, fs.ErrNotExist)
}

func int64Payload(t *testing.T, n int) []byte {
	schema := arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for i := range n {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(schema))
	require.NoError(t, w.Write(rec))
	require.NoError(t, w.Close())
	return buf.Bytes()
}
