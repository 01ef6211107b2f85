package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// rawKind is what a field was in the file, before it meets a column type.
type rawKind uint8

const (
	rawNull   rawKind = iota // an empty CSV field, a JSON null or missing key
	rawText                  // a CSV field
	rawString                // a JSON string
	rawNumber                // a JSON number (its literal text)
	rawBool                  // a JSON true/false ("true"/"false")
	rawNested                // a JSON object or array (not supported)
)

type rawValue struct {
	kind rawKind
	s    string
}

// textRow is one data row of a CSV or JSONL file, its values aligned with
// the file's columns.
type textRow struct {
	line int // 1-based line in the file
	vals []rawValue
}

// textReader reads the rows of a text file. Columns may grow while
// reading the sample (JSONL keys); after that, a row with a new key is
// an error.
type textReader interface {
	columns() []string
	next() (textRow, error) // io.EOF at the end
	freeze()                // the columns are final
}

// csvReader reads a CSV file with a header row. An empty field is NULL.
type csvReader struct {
	r    *csv.Reader
	cols []string
}

func newCSVReader(r io.Reader) (*csvReader, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("the CSV file is empty (it needs a header row)")
	}
	if err != nil {
		return nil, fmt.Errorf("read CSV header: %w", err)
	}
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if h == "" {
			return nil, fmt.Errorf("CSV header: column %d has no name", i+1)
		}
		if seen[h] {
			return nil, fmt.Errorf("CSV header: column %q appears twice", h)
		}
		seen[h] = true
		header[i] = h
	}
	return &csvReader{r: cr, cols: header}, nil
}

func (c *csvReader) columns() []string { return c.cols }
func (c *csvReader) freeze()           {}

func (c *csvReader) next() (textRow, error) {
	rec, err := c.r.Read()
	if err != nil {
		return textRow{}, err // csv errors name the line
	}
	line, _ := c.r.FieldPos(0)
	vals := make([]rawValue, len(rec))
	for i, f := range rec {
		if f != "" {
			vals[i] = rawValue{kind: rawText, s: f}
		}
	}
	return textRow{line: line, vals: vals}, nil
}

// jsonlReader reads one JSON object per line; blank lines are skipped.
// Columns are the keys in the order first seen.
type jsonlReader struct {
	r      *bufio.Reader
	line   int
	cols   []string
	index  map[string]int
	frozen bool
}

func newJSONLReader(r io.Reader) *jsonlReader {
	return &jsonlReader{r: bufio.NewReaderSize(r, 1<<20), index: map[string]int{}}
}

func (j *jsonlReader) columns() []string { return j.cols }
func (j *jsonlReader) freeze()           { j.frozen = true }

func (j *jsonlReader) next() (textRow, error) {
	for {
		text, err := j.r.ReadBytes('\n')
		if len(text) == 0 && err != nil {
			return textRow{}, err
		}
		j.line++
		if len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		vals, perr := j.parse(text)
		if perr != nil {
			return textRow{}, fmt.Errorf("line %d: %w", j.line, perr)
		}
		return textRow{line: j.line, vals: vals}, nil
	}
}

// parse reads one object, keeping its keys' order.
func (j *jsonlReader) parse(text []byte) ([]rawValue, error) {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	vals := make([]rawValue, len(j.cols))
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("invalid JSON: %w", err)
		}
		key := tok.(string)
		v, err := jsonValue(dec)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", key, err)
		}
		i, ok := j.index[key]
		if !ok {
			if j.frozen {
				return nil, fmt.Errorf("key %q is not one of the columns %s", key, strings.Join(j.cols, ", "))
			}
			i = len(j.cols)
			j.index[key] = i
			j.cols = append(j.cols, key)
			vals = append(vals, rawValue{})
		}
		vals[i] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value on the line")
	}
	return vals, nil
}

func jsonValue(dec *json.Decoder) (rawValue, error) {
	tok, err := dec.Token()
	if err != nil {
		return rawValue{}, fmt.Errorf("invalid JSON: %w", err)
	}
	switch v := tok.(type) {
	case nil:
		return rawValue{}, nil
	case string:
		return rawValue{kind: rawString, s: v}, nil
	case json.Number:
		return rawValue{kind: rawNumber, s: string(v)}, nil
	case bool:
		return rawValue{kind: rawBool, s: fmt.Sprint(v)}, nil
	case json.Delim:
		if err := skipNested(dec); err != nil {
			return rawValue{}, err
		}
		return rawValue{kind: rawNested, s: string(v)}, nil
	}
	return rawValue{}, fmt.Errorf("unexpected JSON token %v", tok)
}

// skipNested consumes the rest of an object or array whose opening
// delimiter was read.
func skipNested(dec *json.Decoder) error {
	for depth := 1; depth > 0; {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("invalid JSON: %w", err)
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

// sampleRows reads up to n rows to infer a schema from; they are replayed
// before the rest of the file. After it the columns are final.
func sampleRows(r textReader, n int) ([]textRow, error) {
	var rows []textRow
	for len(rows) < n {
		row, err := r.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	r.freeze()
	width := len(r.columns())
	for i := range rows { // JSONL rows read before a later key appeared
		for len(rows[i].vals) < width {
			rows[i].vals = append(rows[i].vals, rawValue{})
		}
	}
	return rows, nil
}
