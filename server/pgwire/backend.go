package pgwire

import (
	"context"
	"log/slog"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/stratadb/strata/query/sql"
)

// Backend is the node as the wire protocol sees it (server.Node implements
// it). Its methods are called from many sessions at once.
type Backend interface {
	// Catalog: the tables now, for planning (sql.Prepare) and pg_catalog.
	Catalog() sql.Catalog
	// Run executes a bound statement: *sql.Select (incl. EXPLAIN),
	// *sql.CreateTable, *sql.DropTable, *sql.Insert, *sql.RollbackTable,
	// *sql.ShowTables, *sql.ShowVersions, *sql.Describe. Errors are
	// engine/storage/sql errors; sql.SQLState(err) gives their SQLSTATE.
	// pgwire releases the result's records when it has sent them.
	Run(ctx context.Context, stmt sql.Statement) (*sql.Result, error)
	// Insert writes records into table through the write path, atomically
	// when they fit one write; returns rows written. pgwire releases the
	// records after Insert returns: retain what must outlive the call.
	Insert(ctx context.Context, table string, recs []arrow.RecordBatch) (int64, error)
}

// Fencer is implemented by a Backend whose Catalog can lag the state a
// read is promised (a follower of a cluster, which applies the leader's
// writes a moment later). When planning a statement fails, pgwire calls
// Fence, which waits until the Backend's state is current, and plans once
// more: a table created through another node a moment ago is found. Run
// still decides what each read sees.
type Fencer interface {
	Fence(ctx context.Context) error
}

// AuthMethod is how a password is asked for when Options.Password is set.
type AuthMethod uint8

const (
	// AuthMD5 asks for an md5-hashed password (PostgreSQL's "md5"), so the
	// password does not cross the network in clear.
	AuthMD5 AuthMethod = iota
	// AuthCleartext asks for the password in clear (PostgreSQL's
	// "password"); use it only on trusted networks.
	AuthCleartext
)

func (m AuthMethod) String() string {
	if m == AuthCleartext {
		return "password"
	}
	return "md5"
}

// Defaults of Options.
const (
	DefaultAddr            = "127.0.0.1:5433"
	DefaultServerVersion   = "15.0 (Strata)"
	DefaultMaxConnections  = 256
	DefaultMaxMessageBytes = 64 << 20
	DefaultMaxCopyBytes    = 1 << 30
	DefaultCopyBatchRows   = 1 << 16
)

// Options configure the endpoint. The zero value is a working endpoint on
// DefaultAddr that trusts every client.
type Options struct {
	// Addr to listen on (default DefaultAddr; port 0 picks a free port).
	Addr string
	// Logger for sessions and errors (default: slog.Default()).
	Logger *slog.Logger
	// Password: empty trusts every client; otherwise every user must give
	// it, asked for as AuthMethod says.
	Password   string
	AuthMethod AuthMethod
	// ServerVersion reported to clients, starting with PostgreSQL's major
	// and minor version, which drivers parse (default DefaultServerVersion).
	ServerVersion string
	// MaxConnections bounds concurrent sessions; one more is refused with
	// 53300 (default DefaultMaxConnections).
	MaxConnections int
	// MaxMessageBytes bounds one protocol message, e.g. a query string
	// (default DefaultMaxMessageBytes).
	MaxMessageBytes int
	// MaxCopyBytes bounds the data of one COPY FROM STDIN, all of which is
	// held in memory until it is written (default DefaultMaxCopyBytes).
	MaxCopyBytes int64
	// CopyBatchRows is the most rows of one Arrow record COPY builds
	// (default DefaultCopyBatchRows).
	CopyBatchRows int
	// Allocator for the records COPY builds (default memory.DefaultAllocator).
	Allocator memory.Allocator
	// ShutdownGrace is how long Close lets a session finish writing its
	// goodbye before its connection is cut (default 1s).
	ShutdownGrace time.Duration
}

func (o Options) withDefaults() Options {
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.ServerVersion == "" {
		o.ServerVersion = DefaultServerVersion
	}
	if o.MaxConnections <= 0 {
		o.MaxConnections = DefaultMaxConnections
	}
	if o.MaxMessageBytes <= 0 {
		o.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if o.MaxCopyBytes <= 0 {
		o.MaxCopyBytes = DefaultMaxCopyBytes
	}
	if o.CopyBatchRows <= 0 {
		o.CopyBatchRows = DefaultCopyBatchRows
	}
	if o.Allocator == nil {
		o.Allocator = memory.DefaultAllocator
	}
	if o.ShutdownGrace <= 0 {
		o.ShutdownGrace = time.Second
	}
	return o
}
