package client

import (
	"context"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

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
}

// Client is a connection to a Strata node. It is safe for concurrent use;
// its Writers are not (one goroutine per Writer).
type Client struct {
	conn   *grpc.ClientConn
	rpc    stratapb.StrataClient
	mem    memory.Allocator
	maxMsg int
}

// Dial returns a client of the node at addr ("host:port"). It connects
// lazily: an unreachable node shows up as codes.Unavailable on the first
// call.
func Dial(addr string, opts Options) (*Client, error) {
	if opts.MaxMessageBytes <= 0 {
		opts.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if opts.Allocator == nil {
		opts.Allocator = memory.DefaultAllocator
	}
	dial := append([]grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(
			grpc.MaxCallRecvMsgSize(opts.MaxMessageBytes),
			grpc.MaxCallSendMsgSize(opts.MaxMessageBytes),
		),
	}, opts.DialOptions...)
	conn, err := grpc.NewClient(addr, dial...)
	if err != nil {
		return nil, fmt.Errorf("client: dial %s: %w", addr, err)
	}
	return &Client{conn: conn, rpc: stratapb.NewStrataClient(conn), mem: opts.Allocator, maxMsg: opts.MaxMessageBytes}, nil
}

// Close closes the connection. Writers of the client must be closed first.
func (c *Client) Close() error { return c.conn.Close() }

// RPC is the generated stub, for calls this package does not wrap.
func (c *Client) RPC() stratapb.StrataClient { return c.rpc }

// CreateTable creates a table and returns the version of the change. With
// ifNotExists, an existing table of that name is not an error (the
// version is then that of the command that found it).
func (c *Client) CreateTable(ctx context.Context, def *stratapb.TableDef, ifNotExists bool) (uint64, error) {
	resp, err := c.rpc.CreateTable(ctx, &stratapb.CreateTableRequest{Table: def, IfNotExists: ifNotExists})
	if err != nil {
		return 0, err
	}
	return resp.GetVersion(), nil
}

// DropTable drops a table and returns the version of the change.
func (c *Client) DropTable(ctx context.Context, name string, ifExists bool) (uint64, error) {
	resp, err := c.rpc.DropTable(ctx, &stratapb.DropTableRequest{Name: name, IfExists: ifExists})
	if err != nil {
		return 0, err
	}
	return resp.GetVersion(), nil
}

// ListTables returns the names of the tables at the latest applied version.
func (c *Client) ListTables(ctx context.Context) ([]string, error) {
	resp, err := c.rpc.ListTables(ctx, &stratapb.ListTablesRequest{})
	if err != nil {
		return nil, err
	}
	return resp.GetNames(), nil
}

// DescribeTable returns a table's definition and sizes. A missing table is
// codes.NotFound.
func (c *Client) DescribeTable(ctx context.Context, name string) (*stratapb.DescribeTableResponse, error) {
	return c.rpc.DescribeTable(ctx, &stratapb.DescribeTableRequest{Name: name})
}

// Rollback makes the table read as it was at toVersion from now on and
// returns the version of the change.
func (c *Client) Rollback(ctx context.Context, table string, toVersion uint64) (uint64, error) {
	resp, err := c.rpc.Rollback(ctx, &stratapb.RollbackRequest{Table: table, ToVersion: toVersion})
	if err != nil {
		return 0, err
	}
	return resp.GetVersion(), nil
}

// Versions lists a table's versions (create, writes, rollbacks).
func (c *Client) Versions(ctx context.Context, table string) ([]*stratapb.VersionInfo, error) {
	resp, err := c.rpc.Versions(ctx, &stratapb.VersionsRequest{Table: table})
	if err != nil {
		return nil, err
	}
	return resp.GetVersions(), nil
}

// Status reports the node's Raft state and sizes.
func (c *Client) Status(ctx context.Context) (*stratapb.StatusResponse, error) {
	return c.rpc.Status(ctx, &stratapb.StatusRequest{})
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
