// Package shell is Strata's SQL shell, `strata sql`: it splits typed or
// scripted text into statements (Splitter), sends each to a node over
// gRPC (one statement per call), and prints answers as psql does
// (WriteTable), or as CSV or JSON lines. It also holds the one result
// printer of the strata binary (`strata query` and the demo use it).
//
// It owns reading input (readline, history, scripts), meta-commands
// (\d, \timing, \x, \pset, \i, \q, \?) and printing. It does not parse
// SQL beyond finding where statements end: the node parses and plans.
//
//	c, _ := client.Dial(addr, client.Options{})
//	sh := shell.New(c, os.Stdout, os.Stderr, shell.Settings{Format: shell.FormatTable})
//	err := sh.RunScript(ctx, strings.NewReader("SELECT 1; SELECT 2;")) // stops at the first error
//	// or, on a terminal:
//	rl, _ := shell.NewTerminal(shell.HistoryFile())
//	defer rl.Close()
//	err = sh.Interactive(ctx, rl)
//
// Output: rows, tags ("INSERT 0 3") and "Time: 1.234 ms" go to the
// shell's Out, errors ("ERROR: message (SQLSTATE 42P01)") to Err; with
// the csv and json formats, tags and timing go to Err as well, so Out
// holds nothing but rows.
package shell
