package client

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	stratapb "github.com/stratadb/strata/proto"
)

// DefaultMaxMessageBytes is the largest gRPC message a client sends or
// receives by default: room for a real ingest batch or query message.
const DefaultMaxMessageBytes = 256 << 20

// Options configure a Client. The zero value is ready to use.
type Options struct {
	// MaxMessageBytes bounds sent and received messages (default
	// DefaultMaxMessageBytes).
	MaxMessageBytes int
	// Allocator holds decoded query results (default memory.DefaultAllocator).
	Allocator memory.Allocator
	// DialOptions are appended to the client's own (insecure transport
	// credentials and message size limits).
	DialOptions []grpc.DialOption
	// NoSessionConsistency stops queries from asking for at least the
	// highest version this client has seen (see SeenVersion): a read may
	// then land on a lagging node and see older data than an earlier one.
	NoSessionConsistency bool
}

// Client is a connection to a Strata cluster: one gRPC connection per
// known node, made on first use. It is safe for concurrent use; its
// Writers are not (one goroutine per Writer).
type Client struct {
	mem       memory.Allocator
	maxMsg    int
	dial      []grpc.DialOption
	noSession bool

	mu      sync.Mutex
	nodes   []*node          // known nodes, in the order they became known
	byAddr  map[string]*node // dialed and advertised addresses
	current int              // index in nodes of the node calls go to
	leader  *node            // the last known leader; nil when unknown
	closed  bool

	seen atomic.Uint64 // the highest version seen (SeenVersion)
}

// node is one known node. conn is made on first use (under Client.mu).
type node struct {
	addr string // as dialed
	conn *grpc.ClientConn
	rpc  stratapb.StrataClient
	err  error // why conn could not be made
}

// Dial returns a client of the nodes at addrs: one "host:port", or a
// comma-separated list of seeds ("a:7600,b:7600,c:7600"). It connects
// lazily: an unreachable node shows up as codes.Unavailable on the first
// call. The client learns the other members' addresses and the leader's
// from Status answers (Status, WaitReady, Leader, and a Writer opening
// its stream ask for them).
func Dial(addrs string, opts Options) (*Client, error) {
	if opts.MaxMessageBytes <= 0 {
		opts.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if opts.Allocator == nil {
		opts.Allocator = memory.DefaultAllocator
	}
	c := &Client{
		mem: opts.Allocator, maxMsg: opts.MaxMessageBytes, noSession: opts.NoSessionConsistency,
		byAddr: map[string]*node{},
		dial: append([]grpc.DialOption{
			grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithDefaultCallOptions(
				grpc.MaxCallRecvMsgSize(opts.MaxMessageBytes),
				grpc.MaxCallSendMsgSize(opts.MaxMessageBytes),
			),
		}, opts.DialOptions...),
	}
	for _, a := range strings.Split(addrs, ",") {
		if a = strings.TrimSpace(a); a != "" {
			c.addLocked(a)
		}
	}
	if len(c.nodes) == 0 {
		return nil, fmt.Errorf("client: dial %q: no address", addrs)
	}
	// The first seed's connection is made now, so that a malformed
	// address fails Dial as it always did.
	if n := c.nodes[0]; c.connLocked(n) == nil {
		return nil, fmt.Errorf("client: dial %s: %w", n.addr, n.err)
	}
	return c, nil
}

// addLocked returns the node of addr, adding it when unknown.
func (c *Client) addLocked(addr string) *node {
	if n, ok := c.byAddr[addr]; ok {
		return n
	}
	n := &node{addr: addr}
	c.nodes = append(c.nodes, n)
	c.byAddr[addr] = n
	return n
}

// connLocked makes n's connection if it has none; it returns n's stub,
// nil when the connection cannot be made (n.err says why).
func (c *Client) connLocked(n *node) stratapb.StrataClient {
	if n.rpc == nil && n.err == nil {
		conn, err := grpc.NewClient(n.addr, c.dial...)
		if err != nil {
			n.err = err
			return nil
		}
		n.conn, n.rpc = conn, stratapb.NewStrataClient(conn)
	}
	return n.rpc
}

// stub returns n's stub; a node that cannot be connected to answers
// codes.Unavailable, like one that is down.
func (c *Client) stub(n *node) (stratapb.StrataClient, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, status.Error(codes.Canceled, "client: closed")
	}
	if rpc := c.connLocked(n); rpc != nil {
		return rpc, nil
	}
	return nil, status.Errorf(codes.Unavailable, "client: connect to %s: %v", n.addr, n.err)
}

// Close closes the connections. Writers of the client must be closed
// first.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	var first error
	for _, n := range c.nodes {
		if n.conn != nil {
			if err := n.conn.Close(); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}

// RPC is the generated stub of the current node, for calls this package
// does not wrap (they do not fail over).
func (c *Client) RPC() stratapb.StrataClient {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.nodes {
		n := c.nodes[(c.current+i)%len(c.nodes)]
		if n.rpc != nil || !c.closed && c.connLocked(n) != nil {
			return n.rpc
		}
	}
	return c.nodes[0].rpc // made by Dial
}

// Addrs returns the addresses of the known nodes, the current one first.
func (c *Client) Addrs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.nodes))
	for i := range c.nodes {
		out = append(out, c.nodes[(c.current+i)%len(c.nodes)].addr)
	}
	return out
}

func (c *Client) currentNode() *node {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nodes[c.current]
}

func (c *Client) numNodes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.nodes)
}

// nodeDown is told that n answered codes.Unavailable (or could not be
// reached): calls move on to the node after it, and it is no longer
// taken for the leader. It returns the node to try next.
func (c *Client) nodeDown(n *node) *node {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.leader == n {
		c.leader = nil
	}
	i := c.indexLocked(n)
	if i == c.current {
		c.current = (i + 1) % len(c.nodes)
	}
	return c.nodes[(i+1)%len(c.nodes)]
}

func (c *Client) indexLocked(n *node) int {
	for i, m := range c.nodes {
		if m == n {
			return i
		}
	}
	return c.current
}

// learn records what a node's status says about the cluster: its own
// advertised address (an alias of the address it was asked at), the
// members' addresses and the leader's. It returns the leader the status
// names, nil when none.
func (c *Client) learn(asked *node, st *stratapb.StatusResponse) *node {
	c.mu.Lock()
	defer c.mu.Unlock()
	if a := st.GetGrpcAddr(); a != "" {
		if _, ok := c.byAddr[a]; !ok {
			c.byAddr[a] = asked
		}
	}
	for _, m := range st.GetMembers() {
		if a := m.GetGrpcAddr(); a != "" {
			c.addLocked(a)
		}
	}
	switch {
	case st.GetLeaderGrpcAddr() != "":
		c.leader = c.addLocked(st.GetLeaderGrpcAddr())
	case strings.EqualFold(st.GetRaftState(), "leader"):
		c.leader = asked
	default:
		return nil
	}
	return c.leader
}

// knownLeader is the last known leader, nil when unknown.
func (c *Client) knownLeader() *node {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.leader
}

// SeenVersion is the highest version this client has seen: of its
// writers' acks, its DDL calls and its queries' answers. Queries ask for
// at least it (unless Options.NoSessionConsistency), so the client's
// reads never go back in time, whichever node answers them.
func (c *Client) SeenVersion() uint64 { return c.seen.Load() }

// observe raises the high-water mark of seen versions to v.
func (c *Client) observe(v uint64) {
	for {
		cur := c.seen.Load()
		if v <= cur || c.seen.CompareAndSwap(cur, v) {
			return
		}
	}
}

// maxTries bounds a read's failover: every known node twice.
func (c *Client) maxTries() int { return 2 * c.numNodes() }

// read runs a read-only call on the current node; on codes.Unavailable
// it moves on to the next node and tries again, until ctx ends or every
// known node was tried twice. It pauses briefly after each round.
func (c *Client) read(ctx context.Context, call func(rpc stratapb.StrataClient, n *node) error) error {
	n := c.currentNode()
	for try := 1; ; try++ {
		rpc, err := c.stub(n)
		if err == nil {
			err = call(rpc, n)
		}
		if status.Code(err) != codes.Unavailable || ctx.Err() != nil {
			return err
		}
		next := c.nodeDown(n)
		nodes := c.numNodes()
		if try >= 2*nodes {
			return err
		}
		if try%nodes == 0 {
			if sleep(ctx, roundPause*time.Duration(try/nodes)) != nil {
				return err
			}
		}
		n = next
	}
}

// roundPause is the pause after each round of a read's failover (then
// twice that, ...).
const roundPause = 50 * time.Millisecond

// write runs a call that is not safe to repeat (DDL) on the current node,
// once: on codes.Unavailable, later calls go to the next node, but this
// one is not retried (it may have been applied).
func (c *Client) write(call func(rpc stratapb.StrataClient) error) error {
	n := c.currentNode()
	rpc, err := c.stub(n)
	if err == nil {
		err = call(rpc)
	}
	if status.Code(err) == codes.Unavailable {
		c.nodeDown(n)
	}
	return err
}

// CreateTable creates a table and returns the version of the change. With
// ifNotExists, an existing table of that name is not an error (the
// version is then that of the command that found it). It is not retried
// on another node.
func (c *Client) CreateTable(ctx context.Context, def *stratapb.TableDef, ifNotExists bool) (uint64, error) {
	var resp *stratapb.CreateTableResponse
	err := c.write(func(rpc stratapb.StrataClient) (err error) {
		resp, err = rpc.CreateTable(ctx, &stratapb.CreateTableRequest{Table: def, IfNotExists: ifNotExists})
		return err
	})
	if err != nil {
		return 0, err
	}
	c.observe(resp.GetVersion())
	return resp.GetVersion(), nil
}

// DropTable drops a table and returns the version of the change. It is
// not retried on another node.
func (c *Client) DropTable(ctx context.Context, name string, ifExists bool) (uint64, error) {
	var resp *stratapb.DropTableResponse
	err := c.write(func(rpc stratapb.StrataClient) (err error) {
		resp, err = rpc.DropTable(ctx, &stratapb.DropTableRequest{Name: name, IfExists: ifExists})
		return err
	})
	if err != nil {
		return 0, err
	}
	c.observe(resp.GetVersion())
	return resp.GetVersion(), nil
}

// ListTables returns the names of the tables at the latest applied version.
func (c *Client) ListTables(ctx context.Context) ([]string, error) {
	var resp *stratapb.ListTablesResponse
	err := c.read(ctx, func(rpc stratapb.StrataClient, _ *node) (err error) {
		resp, err = rpc.ListTables(ctx, &stratapb.ListTablesRequest{})
		return err
	})
	if err != nil {
		return nil, err
	}
	c.observe(resp.GetVersion())
	return resp.GetNames(), nil
}

// DescribeTable returns a table's definition and sizes. A missing table is
// codes.NotFound.
func (c *Client) DescribeTable(ctx context.Context, name string) (*stratapb.DescribeTableResponse, error) {
	var resp *stratapb.DescribeTableResponse
	err := c.read(ctx, func(rpc stratapb.StrataClient, _ *node) (err error) {
		resp, err = rpc.DescribeTable(ctx, &stratapb.DescribeTableRequest{Name: name})
		return err
	})
	if err != nil {
		return nil, err
	}
	c.observe(resp.GetLatestVersion())
	return resp, nil
}

// Rollback makes the table read as it was at toVersion from now on and
// returns the version of the change. It is not retried on another node.
func (c *Client) Rollback(ctx context.Context, table string, toVersion uint64) (uint64, error) {
	var resp *stratapb.RollbackResponse
	err := c.write(func(rpc stratapb.StrataClient) (err error) {
		resp, err = rpc.Rollback(ctx, &stratapb.RollbackRequest{Table: table, ToVersion: toVersion})
		return err
	})
	if err != nil {
		return 0, err
	}
	c.observe(resp.GetVersion())
	return resp.GetVersion(), nil
}

// Versions lists a table's versions (create, writes, rollbacks).
func (c *Client) Versions(ctx context.Context, table string) ([]*stratapb.VersionInfo, error) {
	var resp *stratapb.VersionsResponse
	err := c.read(ctx, func(rpc stratapb.StrataClient, _ *node) (err error) {
		resp, err = rpc.Versions(ctx, &stratapb.VersionsRequest{Table: table})
		return err
	})
	if err != nil {
		return nil, err
	}
	return resp.GetVersions(), nil
}

// Status reports the Raft state and sizes of the current node (of the
// next one when it is unavailable), and learns the cluster's members and
// leader from it.
func (c *Client) Status(ctx context.Context) (*stratapb.StatusResponse, error) {
	var resp *stratapb.StatusResponse
	err := c.read(ctx, func(rpc stratapb.StrataClient, n *node) (err error) {
		resp, err = rpc.Status(ctx, &stratapb.StatusRequest{})
		if err == nil {
			c.learn(n, resp)
		}
		return err
	})
	return resp, err
}

// leaderCallTimeout bounds each Status call of a leader lookup.
const leaderCallTimeout = 2 * time.Second

// Leader returns the gRPC address of the cluster's leader, as this client
// dials it. It asks the known nodes' status in turn (each call at most
// 2s), learning members as it goes, until one names a leader with a gRPC
// address or ctx ends.
func (c *Client) Leader(ctx context.Context) (string, error) {
	for round := 1; ; round++ {
		n, err := c.findLeader(ctx)
		if err == nil {
			return n.addr, nil
		}
		if sleep(ctx, min(roundPause*time.Duration(round), 500*time.Millisecond)) != nil {
			return "", fmt.Errorf("client: no leader found: %w", err)
		}
	}
}

// findLeader asks every known node once, from the current one, for the
// leader.
func (c *Client) findLeader(ctx context.Context) (*node, error) {
	c.mu.Lock()
	start := c.current
	c.mu.Unlock()
	err := error(status.Error(codes.Unavailable, "no node names a leader"))
	for i := 0; i < c.numNodes(); i++ {
		c.mu.Lock()
		n := c.nodes[(start+i)%len(c.nodes)]
		c.mu.Unlock()
		rpc, serr := c.stub(n)
		if serr != nil {
			err = serr
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, leaderCallTimeout)
		st, serr := rpc.Status(cctx, &stratapb.StatusRequest{})
		cancel()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if serr != nil {
			err = serr
			if status.Code(serr) == codes.Unavailable {
				c.nodeDown(n)
			}
			continue
		}
		if l := c.learn(n, st); l != nil {
			return l, nil
		}
		err = status.Errorf(codes.Unavailable, "%s knows no leader", n.addr)
	}
	return nil, err
}

// WaitReady polls the node's status until it reports ready (its log
// replayed) or ctx ends; the error then carries the last status error.
func (c *Client) WaitReady(ctx context.Context) error {
	for {
		st, err := c.Status(ctx)
		if err == nil && st.GetReady() {
			return nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = ctx.Err()
			}
			return fmt.Errorf("the node did not become ready: %w", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
