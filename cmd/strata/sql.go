package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/stratadb/strata/client"
	"github.com/stratadb/strata/cmd/strata/internal/shell"
)

// shellOptions are the flags of the SQL shell, shared by `sql` and `demo`.
type shellOptions struct {
	Commands []string
	Files    []string
	Format   string
	Null     string
	Timing   bool
	Expanded bool
	Quiet    bool
	ReadMode string
}

// readModeRunner runs each statement with the shell's --read-mode.
type readModeRunner struct {
	c    *client.Client
	mode client.ReadMode
}

func (r readModeRunner) SQL(ctx context.Context, text string) (*client.Result, error) {
	return r.c.SQLWith(ctx, text, client.QueryOptions{ReadMode: r.mode})
}

// parseClientReadMode turns --read-mode into the client's mode.
func parseClientReadMode(s string) (client.ReadMode, error) {
	switch s {
	case "", "default":
		return client.ReadDefault, nil
	case "linearizable":
		return client.ReadLinearizable, nil
	case "follower":
		return client.ReadFollower, nil
	}
	return 0, fmt.Errorf("--read-mode %q: want default, linearizable or follower", s)
}

func (o *shellOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArrayVarP(&o.Commands, "command", "c", nil, "run these statements (separated by ;) and exit; repeatable")
	f.StringArrayVarP(&o.Files, "file", "f", nil, `run the statements in a file ("-": standard input) and exit; repeatable`)
	f.StringVar(&o.Format, "format", "table", "output: table (psql's aligned), csv or json (one object per row per line)")
	f.StringVar(&o.Null, "null", "", "how NULL prints in table and csv output")
	f.BoolVar(&o.Timing, "timing", false, `print "Time: 1.234 ms" after each statement (\timing)`)
	f.BoolVarP(&o.Expanded, "expanded", "x", false, `one block per row (\x)`)
	f.BoolVarP(&o.Quiet, "quiet", "q", false, `do not print command tags such as "INSERT 0 3"`)
	f.StringVar(&o.ReadMode, "read-mode", "default", `how queries read in a cluster: "default" (the node's --read-mode), "linearizable" or "follower" (the node's applied state, at once)`)
}

const shellHelp = `Statements end with ";" and may span lines; semicolons inside quotes,
dollar quotes, comments and parentheses do not end one. Each statement is
sent on its own.

With -c or -f (or SQL on standard input when it is not a terminal) the
statements run in order and the first error stops the run with exit
status 1, like psql -v ON_ERROR_STOP=1. A last statement without its ";"
runs too. Commands (-c) run before files (-f).

Interactively: line editing, history in $STRATA_HISTORY or
~/.strata_history (one entry per statement), an error is printed and the
shell goes on; \? lists the meta-commands (\d, \d TABLE, \timing, \x,
\pset, \i, \q). Ctrl-C clears the line or cancels a running statement;
Ctrl-D quits.

Output: --format table is psql's aligned table (numbers right-aligned,
NULL empty unless --null, timestamps "2024-01-02 03:04:05" in UTC, binary
as \x hex, a "(n rows)" footer, nothing truncated); a statement without
rows prints its tag ("CREATE TABLE", "INSERT 0 3"). --format csv prints a
header line, then rows; --format json prints one JSON object per row per
line (JSON Lines: keys in column order, timestamps RFC 3339 strings,
binary "\\x..." strings). With csv and json, tags and timing go to
standard error, so standard output holds only rows. Errors print to
standard error as "ERROR: message (SQLSTATE xxxxx)".`

func sqlCmd() *cobra.Command {
	var o shellOptions
	var addr string
	cmd := &cobra.Command{
		Use:   "sql [--addr host:port] [-c SQL | -f FILE]",
		Short: "A SQL shell on a node (interactive, like psql), or run SQL from -c, -f or standard input",
		Long:  "sql is Strata's SQL shell: it sends SQL to a node over gRPC and prints the answers.\n\n" + shellHelp,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := client.Dial(addr, client.Options{})
			if err != nil {
				return err
			}
			defer c.Close()
			return runShell(cmd.Context(), c, addr, o, shellIO{In: cmd.InOrStdin(), Out: cmd.OutOrStdout(), Err: cmd.ErrOrStderr()}, nil)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", defaultAddr, "a node's gRPC address")
	o.addFlags(cmd)
	return cmd
}

// shellIO are the shell's streams.
type shellIO struct {
	In       io.Reader
	Out, Err io.Writer
}

// interactive reports whether the shell reads a terminal.
func (s shellIO) interactive() bool {
	f, ok := s.In.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// runShell runs -c and -f, else standard input as a script, else the
// interactive shell (after banner, if given, or a greeting naming the
// node). A failed statement is a *shell.Failed: printed already.
func runShell(ctx context.Context, c *client.Client, addr string, o shellOptions, sio shellIO, banner func(io.Writer)) error {
	format, err := shell.ParseFormat(o.Format)
	if err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	mode, err := parseClientReadMode(o.ReadMode)
	if err != nil {
		return err
	}
	var runner shell.Runner = c
	if mode != client.ReadDefault {
		runner = readModeRunner{c: c, mode: mode}
	}
	sh := shell.New(runner, sio.Out, sio.Err, shell.Settings{Format: format, Null: o.Null, Timing: o.Timing, Expanded: o.Expanded, Quiet: o.Quiet})
	sh.Addr = addr
	if len(o.Commands) > 0 || len(o.Files) > 0 || !sio.interactive() {
		if err := runScripts(ctx, sh, o, sio.In); !errors.Is(err, shell.ErrQuit) {
			return err
		}
		return nil
	}
	if banner != nil {
		banner(sio.Out)
	} else if err := greet(ctx, c, addr, sio.Out); err != nil {
		return err
	}
	rl, err := shell.NewTerminal(shell.HistoryFile())
	if err != nil {
		return err
	}
	defer rl.Close()
	// A signal that ends ctx (the demo's SIGTERM) interrupts the prompt.
	defer context.AfterFunc(ctx, func() { rl.Close() })()
	return sh.Interactive(ctx, rl)
}

// runScripts runs -c and -f in order, or else standard input.
func runScripts(ctx context.Context, sh *shell.Shell, o shellOptions, stdin io.Reader) error {
	if len(o.Commands) == 0 && len(o.Files) == 0 {
		return sh.RunScript(ctx, stdin)
	}
	for _, text := range o.Commands {
		if err := sh.RunScript(ctx, strings.NewReader(text)); err != nil {
			return err
		}
	}
	for _, path := range o.Files {
		if err := runFile(ctx, sh, path, stdin); err != nil {
			return err
		}
	}
	return nil
}

func runFile(ctx context.Context, sh *shell.Shell, path string, stdin io.Reader) error {
	if path == "-" {
		return sh.RunScript(ctx, stdin)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return sh.RunScript(ctx, f)
}

// greet checks the node answers and says which it is.
func greet(ctx context.Context, c *client.Client, addr string, out io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	st, err := c.Status(ctx)
	if err != nil {
		return fmt.Errorf("cannot reach the node at %s: %w", addr, err)
	}
	fmt.Fprintf(out, "strata sql %s: node %s (strata %s) at %s\nType \\? for help, \\q to quit.\n\n", version, st.GetNodeId(), st.GetVersion(), addr)
	return nil
}
