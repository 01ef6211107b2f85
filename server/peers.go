package server

import (
	"fmt"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	stratapb "github.com/stratadb/strata/proto"
)

// peers keeps one gRPC connection per other member's gRPC address, for
// forwarding to the leader, asking it for a read index, gathering the
// cluster's status and fetching chunks. Connections are lazy (grpc.NewClient
// dials on first use) and live until Close.
type peers struct {
	maxMsg int

	mu    sync.Mutex
	conns map[string]*grpc.ClientConn
}

func newPeers(maxMsg int) *peers {
	return &peers{maxMsg: maxMsg, conns: map[string]*grpc.ClientConn{}}
}

// client returns a stub for the member at gRPC address addr.
func (p *peers) client(addr string) (stratapb.StrataClient, error) {
	if addr == "" {
		return nil, fmt.Errorf("peer has no known gRPC address")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns == nil {
		return nil, fmt.Errorf("node is shutting down")
	}
	conn, ok := p.conns[addr]
	if !ok {
		var err error
		conn, err = grpc.NewClient(addr,
			grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(2*p.maxMsg), grpc.MaxCallSendMsgSize(2*p.maxMsg)),
		)
		if err != nil {
			return nil, fmt.Errorf("dial peer %s: %w", addr, err)
		}
		p.conns[addr] = conn
	}
	return stratapb.NewStrataClient(conn), nil
}

// close closes every connection; later calls to client fail.
func (p *peers) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}
