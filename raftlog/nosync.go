package raftlog

import "github.com/hashicorp/raft-wal/types"

// walVFS is raft-wal's file system. With noSync (Config.NoSync, tests only)
// the segment files' fsync is a no-op; everything else is the OS file
// system. raft-wal fsyncs a segment once per StoreLogs call, that is once
// per batch of entries raft appends, so this is the one fsync per write.
type walVFS struct {
	types.VFS
	noSync bool
}

func (v walVFS) Create(dir, name string, size uint64) (types.WritableFile, error) {
	f, err := v.VFS.Create(dir, name, size)
	return v.wrap(f, err)
}

func (v walVFS) OpenWriter(dir, name string) (types.WritableFile, error) {
	f, err := v.VFS.OpenWriter(dir, name)
	return v.wrap(f, err)
}

func (v walVFS) wrap(f types.WritableFile, err error) (types.WritableFile, error) {
	if err != nil || !v.noSync {
		return f, err
	}
	return noSyncFile{f}, nil
}

// noSyncFile is a segment file whose Sync does nothing.
type noSyncFile struct{ types.WritableFile }

func (noSyncFile) Sync() error { return nil }
