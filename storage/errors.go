package storage

import "errors"

// Sentinel errors. Functions wrap them with context; test with errors.Is.
var (
	// ErrFutureVersion: a read or rollback asked for a version above the
	// latest applied one.
	ErrFutureVersion = errors.New("storage: version not applied yet")
	// ErrCompacted: a read asked for a version below the retention floor.
	// Every version is retained until retention is built, so nothing
	// returns it yet; callers should handle it already.
	ErrCompacted = errors.New("storage: version no longer retained")
	// ErrVersionOrder: a mutation carried a version not above the latest
	// applied one. Versions are Raft log indexes and only grow.
	ErrVersionOrder = errors.New("storage: version not above the applied version")
	// ErrNoTable: the named table does not exist (at the requested version).
	ErrNoTable = errors.New("storage: no such table")
	// ErrTableExists: CreateTable named an existing table.
	ErrTableExists = errors.New("storage: table already exists")
	// ErrInvalidSchema: a table definition is malformed.
	ErrInvalidSchema = errors.New("storage: invalid table definition")
	// ErrSchemaMismatch: a batch does not match its table's schema.
	ErrSchemaMismatch = errors.New("storage: batch does not match table schema")
	// ErrUnsupported: a feature that has room in the design but is not built.
	ErrUnsupported = errors.New("storage: not supported")
	// ErrCorrupt: encoded state is damaged, truncated or of an unknown format.
	ErrCorrupt = errors.New("storage: corrupt encoded state")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("storage: store closed")
)
