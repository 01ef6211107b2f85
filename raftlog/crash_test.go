package raftlog

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"testing"
	"time"
)

// crashChildEnv, when set to a directory, turns the test binary into the
// process TestRecoverAfterKill kills (see TestMain).
const crashChildEnv = "RAFTLOG_CRASH_CHILD_DIR"

// runCrashChild opens a node in dir with fsync on, proposes 40 commands with
// a snapshot after the 20th, prints "READY <last index> <state>" and waits
// to be killed.
func runCrashChild(dir string) int {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	fsm := &hashFSM{}
	n, err := Open(Config{NodeID: "n1", Dir: dir, BindAddr: "127.0.0.1:0", Bootstrap: true, Logger: logger}, fsm)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	var last uint64
	for i := 0; i < 40; {
		idx, _, err := n.Propose(ctx, fmt.Appendf(nil, "crash-%d", i))
		switch {
		case err == nil:
			last = idx
			i++
		case errors.Is(err, ErrNotLeader) && ctx.Err() == nil:
			time.Sleep(10 * time.Millisecond) // not elected yet
			continue
		default:
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		if i == 20 {
			if err := n.Snapshot(); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 2
			}
		}
	}
	st := fsm.state()
	fmt.Printf("READY %d %x %d %d\n", last, st.Hash, st.Count, st.Last)
	time.Sleep(waitTimeout) // until SIGKILL; no Close
	return 3
}

func TestRecoverAfterKill(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := testCtx(t)
	cmd := exec.CommandContext(ctx, os.Args[0])
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
	cmd.Stderr = &testWriter{t: t}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, readErr := bufio.NewReader(out).ReadString('\n')
	_ = cmd.Process.Kill() // SIGKILL: no Close, no flush, no goodbye
	_ = cmd.Wait()
	var last uint64
	var want fsmState
	var hash []byte
	if _, err := fmt.Sscanf(line, "READY %d %x %d %d", &last, &hash, &want.Count, &want.Last); err != nil {
		t.Fatalf("child said %q (read: %v): %v", line, readErr, err)
	}
	copy(want.Hash[:], hash)

	fsm := &hashFSM{}
	n := mustOpen(t, diskConfig(t, dir), fsm)
	waitLeader(t, n)
	if err := n.WaitApplied(ctx, last); err != nil {
		t.Fatal(err)
	}
	if got := fsm.state(); got != want {
		t.Fatalf("recovered %s, child had %s", got, want)
	}
	if applies, restores := fsm.stats(); restores != 1 || applies != 20 {
		t.Errorf("restores %d applies %d, want the snapshot then 20 entries", restores, applies)
	}
}
