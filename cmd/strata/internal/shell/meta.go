package shell

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Help is the text of \?.
const Help = `General
  \q                    quit (also Ctrl-D)
  \?                    this help
Informational
  \d                    list tables (sends SHOW TABLES)
  \d NAME               describe a table (sends DESCRIBE NAME)
Formatting
  \x [on|off]           expanded output: one block per row
  \pset format FORMAT   table, csv or json
  \pset null TEXT       how NULL prints (default: nothing)
  \timing [on|off]      print each statement's round-trip time
  \stats [on|off]       print what each statement read (version, chunks, rows)
Input
  \i FILE               run the statements in FILE (stops at the first error)
  \r                    clear the statement being typed
  \echo TEXT            print TEXT

A statement ends with ";" and may span lines. Ctrl-C clears what is being
typed, or cancels the running statement.
`

// Meta runs a meta-command line ("\timing on"); quit is \q. An unknown or
// malformed command is printed and returned as a *Failed.
func (s *Shell) Meta(ctx context.Context, line string) (quit bool, err error) {
	name, args, err := ParseMeta(line)
	if err == nil {
		quit, err = s.meta(ctx, name, args)
	}
	var failed *Failed
	if err != nil && !errors.As(err, &failed) {
		fmt.Fprintln(s.Err, err)
		err = &Failed{Err: err}
	}
	return quit, err
}

func (s *Shell) meta(ctx context.Context, name string, args []string) (bool, error) {
	switch name {
	case `\q`, `\quit`:
		return true, nil
	case `\?`:
		fmt.Fprint(s.Out, Help)
	case `\d`, `\dt`:
		return false, s.describe(ctx, args)
	case `\timing`:
		return false, s.toggle(&s.Timing, args, "Timing is %s.")
	case `\x`:
		return false, s.toggle(&s.Expanded, args, "Expanded display is %s.")
	case `\stats`:
		return false, s.toggle(&s.Stats, args, "Statistics are %s.")
	case `\pset`:
		return false, s.pset(args)
	case `\r`:
		s.split.Reset()
		fmt.Fprintln(s.info(), "Query buffer reset (cleared).")
	case `\echo`:
		fmt.Fprintln(s.Out, strings.Join(args, " "))
	case `\i`, `\include`:
		if err := s.include(ctx, args); !errors.Is(err, ErrQuit) {
			return false, err
		}
		return true, nil // \q in the file quits the shell, as in psql
	default:
		return false, fmt.Errorf("invalid command %s\nTry \\? for help.", name)
	}
	return false, nil
}

func (s *Shell) describe(ctx context.Context, args []string) error {
	switch len(args) {
	case 0:
		return s.Exec(ctx, "SHOW TABLES")
	case 1:
		return s.Exec(ctx, "DESCRIBE "+args[0])
	}
	return fmt.Errorf(`\d: want at most one table name, got %d arguments`, len(args))
}

// toggle sets *v from "on"/"off" (or flips it without an argument) and
// says what it is now.
func (s *Shell) toggle(v *bool, args []string, say string) error {
	switch {
	case len(args) == 0:
		*v = !*v
	case len(args) == 1 && strings.EqualFold(args[0], "on"):
		*v = true
	case len(args) == 1 && strings.EqualFold(args[0], "off"):
		*v = false
	default:
		return fmt.Errorf("unrecognized value %q: want on or off", strings.Join(args, " "))
	}
	state := "off"
	if *v {
		state = "on"
	}
	fmt.Fprintf(s.info(), say+"\n", state)
	return nil
}

func (s *Shell) pset(args []string) error {
	if len(args) != 2 {
		return errors.New(`\pset: want "\pset format table|csv|json" or "\pset null TEXT"`)
	}
	switch args[0] {
	case "format":
		f, err := ParseFormat(args[1])
		if err != nil {
			return fmt.Errorf(`\pset: %w`, err)
		}
		s.Format = f
		fmt.Fprintf(s.info(), "Output format is %s.\n", f)
	case "null":
		s.Null = args[1]
		fmt.Fprintf(s.info(), "Null display is %q.\n", s.Null)
	default:
		return fmt.Errorf(`\pset: unknown option %q (want format or null)`, args[0])
	}
	return nil
}

func (s *Shell) include(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return errors.New(`\i: want one file name`)
	}
	f, err := os.Open(args[0])
	if err != nil {
		return fmt.Errorf(`\i: %w`, err)
	}
	defer f.Close()
	return s.RunScript(ctx, f)
}

// ParseMeta splits a meta-command line into its name and arguments.
// Arguments are separated by spaces; a 'single-quoted' argument may hold
// spaces (a doubled quote stands for one) and loses its quotes; a "double-quoted" one (an
// identifier) keeps them, to be passed on to SQL as typed.
func ParseMeta(line string) (name string, args []string, err error) {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, `\`) {
		return "", nil, fmt.Errorf("not a meta-command: %q", line)
	}
	end := strings.IndexAny(line, " \t")
	if end < 0 {
		return line, nil, nil
	}
	name, rest := line[:end], line[end:]
	for {
		rest = strings.TrimLeft(rest, " \t")
		if rest == "" {
			return name, args, nil
		}
		var arg string
		if arg, rest, err = nextMetaArg(rest); err != nil {
			return "", nil, fmt.Errorf("%s: %w", name, err)
		}
		args = append(args, arg)
	}
}

func nextMetaArg(s string) (arg, rest string, err error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ' || c == '\t':
			return b.String(), s[i:], nil
		case c == '\'' || c == '"':
			j := closingQuote(s, i)
			if j < 0 {
				return "", "", fmt.Errorf("unterminated quoted argument %s", s[i:])
			}
			if c == '"' {
				b.WriteString(s[i : j+1])
			} else {
				b.WriteString(strings.ReplaceAll(s[i+1:j], "''", "'"))
			}
			i = j
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), "", nil
}

// closingQuote is the index of the quote closing the one at s[i] (a
// doubled quote stands for itself), or -1.
func closingQuote(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		if s[j] != q {
			continue
		}
		if j+1 < len(s) && s[j+1] == q {
			j++
			continue
		}
		return j
	}
	return -1
}
