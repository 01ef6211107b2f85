package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ergochat/readline"
)

// LineReader reads lines from a terminal with editing and history;
// *readline.Instance is one. Readline returns readline.ErrInterrupt on
// Ctrl-C and io.EOF on Ctrl-D.
type LineReader interface {
	Readline() (string, error)
	SetPrompt(prompt string)
	SaveToHistory(entry string) error
}

// HistoryFile is where the interactive shell keeps its history:
// $STRATA_HISTORY if set, else ~/.strata_history ("" if there is no home
// directory).
func HistoryFile() string {
	if p := os.Getenv("STRATA_HISTORY"); p != "" {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".strata_history")
}

// NewTerminal opens the terminal for Interactive: line editing, history
// in historyFile (none if ""), one history entry per statement.
func NewTerminal(historyFile string) (*readline.Instance, error) {
	return readline.NewFromConfig(&readline.Config{
		HistoryFile:            historyFile,
		HistoryLimit:           1000,
		DisableAutoSaveHistory: true,
		HistorySearchFold:      true,
	})
}

// Interactive reads and runs lines until \q or Ctrl-D. A failing
// statement is printed and the shell goes on; Ctrl-C clears what is
// being typed, and while a statement runs it cancels it. Each complete
// statement is one history entry (its lines joined by spaces).
func (s *Shell) Interactive(ctx context.Context, lr LineReader) error {
	s.interruptible = true
	defer func() { s.interruptible = false }()
	var entry []string // lines of the statement being typed
	for {
		lr.SetPrompt(s.Prompt())
		line, err := lr.Readline()
		switch {
		case errors.Is(err, readline.ErrInterrupt):
			s.split.Reset()
			entry = nil
			continue
		case errors.Is(err, io.EOF):
			fmt.Fprintln(s.Out, `\q`)
			return nil
		case err != nil:
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		meta := s.split.InCode() && strings.HasPrefix(strings.TrimSpace(line), `\`)
		if !meta && (len(entry) > 0 || strings.TrimSpace(line) != "") {
			entry = append(entry, line)
		}
		quit, _ := s.Line(ctx, line, false)
		switch {
		case meta:
			lr.SaveToHistory(strings.TrimSpace(line))
		case len(entry) > 0 && s.split.Empty():
			lr.SaveToHistory(strings.Join(entry, " "))
			entry = nil
		}
		if quit {
			return nil
		}
	}
}

// Prompt is psql's: "strata=> " with nothing pending, "strata-> " inside
// a statement, "strata'> " inside a string, and so on (see
// Splitter.PromptChar).
func (s *Shell) Prompt() string {
	return fmt.Sprintf("%s%c> ", s.Name, s.split.PromptChar())
}
