package shell

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/stratadb/strata/client"
)

// Runner runs one SQL statement; *client.Client is one.
type Runner interface {
	SQL(ctx context.Context, text string) (*client.Result, error)
}

// Settings are what meta-commands change.
type Settings struct {
	Format   Format // default table
	Null     string // how NULL prints in table and CSV output (default empty)
	Expanded bool   // \x
	Timing   bool   // \timing: "Time: 1.234 ms" after each statement
	Stats    bool   // \stats: what each statement read
	Quiet    bool   // no command tags ("INSERT 0 3") for statements without rows
}

// Shell runs statements and meta-commands and prints their answers. It
// is not safe for concurrent use.
type Shell struct {
	Settings
	Out, Err io.Writer
	// Addr names the node in connection errors (optional).
	Addr string
	// Name is the prompt's prefix (default "strata").
	Name string

	run   Runner
	split Splitter
	// interruptible: Ctrl-C (SIGINT) cancels a running statement instead
	// of ending the process (interactive mode).
	interruptible bool
	since         func(time.Time) time.Duration // time.Since; tests fix it
}

// New returns a shell printing to out (rows, tags, timing) and errOut
// (errors; tags and timing too when the format is csv or json, so that
// out holds nothing but rows).
func New(run Runner, out, errOut io.Writer, s Settings) *Shell {
	if s.Format == "" {
		s.Format = FormatTable
	}
	return &Shell{Settings: s, Out: out, Err: errOut, Name: "strata", run: run, since: time.Since}
}

// Failed is a statement or meta-command that failed; the shell has
// printed it already.
type Failed struct{ Err error }

func (f *Failed) Error() string { return f.Err.Error() }
func (f *Failed) Unwrap() error { return f.Err }

// info is where tags, timing and notices go.
func (s *Shell) info() io.Writer {
	if s.Format == FormatTable {
		return s.Out
	}
	return s.Err
}

// Exec runs one statement and prints its answer, or its error to Err
// (then it returns a *Failed).
func (s *Shell) Exec(ctx context.Context, stmt string) error {
	if s.interruptible {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt)
		defer stop()
	}
	start := time.Now()
	res, err := s.run.SQL(ctx, stmt)
	took := s.since(start)
	if err != nil {
		if ctx.Err() != nil && status.Code(err) == codes.Canceled {
			err = errors.New("canceling statement due to user request (SQLSTATE 57014)")
		}
		fmt.Fprintln(s.Err, s.ErrorText(err))
		return &Failed{Err: err}
	}
	defer res.Release()
	if err := s.print(res); err != nil {
		return err
	}
	if s.Timing {
		fmt.Fprintf(s.info(), "Time: %.3f ms\n", float64(took.Nanoseconds())/1e6)
	}
	if s.Stats && res.Stats != nil {
		fmt.Fprintln(s.info(), StatsLine(res))
	}
	return nil
}

func (s *Shell) print(res *client.Result) error {
	if res.Schema == nil || res.Schema.NumFields() == 0 {
		if tag := res.Tag(); tag != "" && !s.Quiet {
			fmt.Fprintln(s.info(), tag)
		}
		return nil
	}
	o := PrintOptions{Null: s.Null, Expanded: s.Expanded, Numeric: res.NumericColumns()}
	if err := Write(s.Out, s.Format, res.Schema, res.Records, o); err != nil {
		return err
	}
	if s.Format != FormatTable {
		return nil
	}
	n := res.NumRows()
	if !s.Expanded || n == 0 {
		fmt.Fprintln(s.Out, Footer(n))
	}
	_, err := fmt.Fprintln(s.Out)
	return err
}

// StatsLine says what a statement read, from the node's stats.
func StatsLine(res *client.Result) string {
	st := res.Stats
	return fmt.Sprintf("Stats: version %d; %d chunks scanned, %d pruned; %d rows read by %d workers in %.3f ms",
		st.GetVersion(), st.GetChunksScanned(), st.GetChunksPruned(), st.GetRowsScanned(), st.GetWorkers(),
		float64(st.GetElapsedUs())/1e3)
}

var sqlStateRE = regexp.MustCompile(`\s*\(SQLSTATE ([0-9A-Z]{5})\)`)

// ErrorText is how the shell prints an error: "ERROR: message (SQLSTATE
// 42P01)" when the node's message carries a SQLSTATE, else "ERROR:
// message"; the gRPC code's name is not shown.
func (s *Shell) ErrorText(err error) string {
	msg := err.Error()
	st, isStatus := status.FromError(err)
	if isStatus {
		msg = st.Message()
	}
	if m := sqlStateRE.FindStringSubmatchIndex(msg); m != nil {
		code := msg[m[2]:m[3]]
		msg = strings.TrimSpace(msg[:m[0]] + msg[m[1]:])
		return fmt.Sprintf("ERROR: %s (SQLSTATE %s)", msg, code)
	}
	if isStatus && st.Code() == codes.Unavailable && s.Addr != "" {
		return fmt.Sprintf("ERROR: cannot reach the node at %s: %s", s.Addr, msg)
	}
	return "ERROR: " + msg
}

// ErrQuit is RunScript's answer to \q: the caller should stop too.
var ErrQuit = errors.New("shell: quit")

// RunScript runs the statements and meta-commands read from r, as psql
// -f with ON_ERROR_STOP=1: it stops at the first failure and returns it
// (a *Failed, already printed), or at \q (ErrQuit). A last statement
// without its semicolon runs at the end.
func (s *Shell) RunScript(ctx context.Context, r io.Reader) error {
	saved := s.split
	s.split = Splitter{}
	defer func() { s.split = saved }()
	br := bufio.NewReader(r)
	for {
		line, readErr := br.ReadString('\n')
		if line != "" {
			quit, err := s.Line(ctx, strings.TrimSuffix(line, "\n"), true)
			if err != nil {
				return err
			}
			if quit {
				return ErrQuit
			}
		}
		if readErr == io.EOF {
			break
		}
		if readErr != nil {
			return readErr
		}
	}
	for _, stmt := range s.split.Finish() {
		if err := s.Exec(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

// Line handles one line of input: SQL text, running the statements it
// completes, then a meta-command if the line has one (from a backslash
// outside quotes and comments to the end of the line, as in psql). With
// stop it stops at the first failure; else it runs the line's other
// statements and returns the last failure. quit is \q.
func (s *Shell) Line(ctx context.Context, line string, stop bool) (quit bool, err error) {
	stmts, meta := s.split.FeedLine(line)
	for _, stmt := range stmts {
		if e := s.Exec(ctx, stmt); e != nil {
			err = e
			if stop {
				s.split.Reset()
				return false, err
			}
		}
	}
	if meta == "" {
		return false, err
	}
	quit, e := s.Meta(ctx, meta)
	if e != nil {
		err = e
	}
	return quit, err
}
