package shell

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jedib0t/go-pretty/v6/text"
)

// Format is how results are printed.
type Format string

const (
	// FormatTable is psql's aligned table: a header, right-aligned
	// numbers, NULL as PrintOptions.Null, nothing truncated.
	FormatTable Format = "table"
	// FormatCSV is a header line, then one line per row (RFC 4180); NULL
	// is PrintOptions.Null (empty by default), as psql --csv.
	FormatCSV Format = "csv"
	// FormatJSON is one JSON object per row, one per line (JSON Lines),
	// keys in column order; see WriteJSON.
	FormatJSON Format = "json"
)

// ParseFormat reads a format name (psql's "aligned" is table).
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "table", "aligned":
		return FormatTable, nil
	case "csv":
		return FormatCSV, nil
	case "json":
		return FormatJSON, nil
	}
	return "", fmt.Errorf("unknown format %q (want table, csv or json)", s)
}

// PrintOptions shape printed results.
type PrintOptions struct {
	Null     string // NULL in table and CSV output (default: empty, as psql)
	Expanded bool   // table: one "-[ RECORD n ]" block per row (psql's \x)
	// Numeric marks columns to right-align whatever their type (a
	// client.Result's NumericColumns); numeric Arrow types always are.
	Numeric []bool
}

// Write prints records in format f.
func Write(w io.Writer, f Format, schema *arrow.Schema, recs []arrow.RecordBatch, o PrintOptions) error {
	switch f {
	case FormatCSV:
		return WriteCSV(w, schema, recs, o)
	case FormatJSON:
		return WriteJSON(w, schema, recs)
	}
	return WriteTable(w, schema, recs, o)
}

// grid is a result as text, for the table printers.
type grid struct {
	names []string
	right []bool
	rows  [][]string
	width []int // per column: the widest header or line of a cell
}

func newGrid(schema *arrow.Schema, recs []arrow.RecordBatch, o PrintOptions) *grid {
	g := &grid{}
	for i, f := range schema.Fields() {
		g.names = append(g.names, f.Name)
		g.right = append(g.right, numericType(f.Type) || (i < len(o.Numeric) && o.Numeric[i]))
		g.width = append(g.width, width(f.Name))
	}
	for _, rec := range recs {
		for r := 0; r < int(rec.NumRows()); r++ {
			row := make([]string, len(g.names))
			for c := range row {
				s, null := Cell(rec.Column(c), r)
				if null {
					s = o.Null
				}
				row[c] = s
				for _, line := range strings.Split(s, "\n") {
					g.width[c] = max(g.width[c], width(line))
				}
			}
			g.rows = append(g.rows, row)
		}
	}
	return g
}

// width is the number of terminal columns s takes.
func width(s string) int {
	n := 0
	for _, r := range s {
		n += text.RuneWidth(r)
	}
	return n
}

func pad(s string, w int, right bool) string {
	fill := strings.Repeat(" ", max(0, w-width(s)))
	if right {
		return fill + s
	}
	return s + fill
}

func center(s string, w int) string {
	left := max(0, w-width(s)) / 2
	return pad(strings.Repeat(" ", left)+s, w, false)
}

// WriteTable prints records as psql's aligned format does (border 1), in
// full: no value is cut, a value with line breaks takes several lines
// with a "+" after each continued one. Trailing spaces are trimmed. It
// prints no row-count footer (see Footer).
func WriteTable(w io.Writer, schema *arrow.Schema, recs []arrow.RecordBatch, o PrintOptions) error {
	g := newGrid(schema, recs, o)
	bw := bufio.NewWriter(w)
	if o.Expanded {
		g.writeExpanded(bw)
	} else {
		g.writeAligned(bw)
	}
	return bw.Flush()
}

func (g *grid) writeAligned(w *bufio.Writer) {
	var line strings.Builder
	for c, name := range g.names {
		if c > 0 {
			line.WriteByte('|')
		}
		line.WriteString(" " + center(name, g.width[c]) + " ")
	}
	writeTrimmed(w, line.String())
	line.Reset()
	for c := range g.names {
		if c > 0 {
			line.WriteByte('+')
		}
		line.WriteString(strings.Repeat("-", g.width[c]+2))
	}
	writeTrimmed(w, line.String())
	for _, row := range g.rows {
		g.writeRow(w, row)
	}
}

// writeRow prints one row, several lines high if a value has line breaks.
func (g *grid) writeRow(w *bufio.Writer, row []string) {
	lines := make([][]string, len(row))
	height := 1
	for c, s := range row {
		lines[c] = strings.Split(s, "\n")
		height = max(height, len(lines[c]))
	}
	var line strings.Builder
	for k := range height {
		line.Reset()
		for c := range row {
			if c > 0 {
				line.WriteByte('|')
			}
			part := ""
			if k < len(lines[c]) {
				part = lines[c][k]
			}
			line.WriteString(" " + pad(part, g.width[c], g.right[c] && len(lines[c]) == 1))
			if k+1 < len(lines[c]) {
				line.WriteByte('+')
			} else {
				line.WriteByte(' ')
			}
		}
		writeTrimmed(w, line.String())
	}
}

func (g *grid) writeExpanded(w *bufio.Writer) {
	nameW, valW := 0, 0
	for c, name := range g.names {
		nameW = max(nameW, width(name))
		valW = max(valW, g.width[c])
	}
	for r, row := range g.rows {
		head := fmt.Sprintf("-[ RECORD %d ]", r+1)
		writeTrimmed(w, head+strings.Repeat("-", max(0, nameW+3+valW-width(head))))
		for c, s := range row {
			for k, part := range strings.Split(s, "\n") {
				name := g.names[c]
				if k > 0 {
					name = ""
				}
				writeTrimmed(w, pad(name, nameW, false)+" | "+part)
			}
		}
	}
}

func writeTrimmed(w *bufio.Writer, s string) {
	w.WriteString(strings.TrimRight(s, " "))
	w.WriteByte('\n')
}

// Footer is psql's row count line: "(1 row)", "(n rows)".
func Footer(n int64) string {
	if n == 1 {
		return "(1 row)"
	}
	return fmt.Sprintf("(%d rows)", n)
}

// WriteCSV prints a header line of column names, then the rows; values as
// in a table (Cell), NULL as o.Null.
func WriteCSV(w io.Writer, schema *arrow.Schema, recs []arrow.RecordBatch, o PrintOptions) error {
	cw := csv.NewWriter(w)
	names := make([]string, schema.NumFields())
	for i, f := range schema.Fields() {
		names[i] = f.Name
	}
	if err := cw.Write(names); err != nil {
		return err
	}
	for _, rec := range recs {
		for r := 0; r < int(rec.NumRows()); r++ {
			row := make([]string, rec.NumCols())
			for c := range row {
				s, null := Cell(rec.Column(c), r)
				if null {
					s = o.Null
				}
				row[c] = s
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteJSON prints one JSON object per row, one per line, keys in column
// order (a name that appears twice appears twice): integers and finite
// floats as numbers (NaN and infinities as strings), booleans, strings,
// null; timestamps as RFC 3339 strings in UTC ("2024-01-02T03:04:05Z"),
// dates "2024-01-02", binary as "\\x0102" (PostgreSQL's to_json).
func WriteJSON(w io.Writer, schema *arrow.Schema, recs []arrow.RecordBatch) error {
	names := make([][]byte, schema.NumFields())
	for i, f := range schema.Fields() {
		names[i], _ = json.Marshal(f.Name)
	}
	bw := bufio.NewWriter(w)
	var line []byte
	for _, rec := range recs {
		for r := 0; r < int(rec.NumRows()); r++ {
			line = append(line[:0], '{')
			for c := range names {
				if c > 0 {
					line = append(line, ',')
				}
				line = append(append(line, names[c]...), ':')
				line = AppendJSON(line, rec.Column(c), r)
			}
			line = append(line, '}', '\n')
			if _, err := bw.Write(line); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}
