package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/stratadb/strata/query/plan"
)

// batchReader yields a file's rows as records of the target schema, n
// rows at a time (fewer only at the end), then io.EOF.
type batchReader interface {
	schema() *arrow.Schema
	next(n int) (arrow.RecordBatch, error)
	close()
}

// valueError is a value that does not fit its column. Nothing of the batch
// holding it is sent.
type valueError struct {
	file   string
	line   int
	column string
	value  string
	why    string
}

func (e *valueError) Error() string {
	return fmt.Sprintf("%s:%d: column %q: %s %q", e.file, e.line, e.column, e.why, e.value)
}

// mapColumns matches a file's columns to a table's by name: the loaded
// schema is the table's fields in the file's column order, and idx[j] is
// the file column of field j. Table columns the file lacks must be
// nullable (the server fills them with NULLs).
func mapColumns(fileCols []string, table *arrow.Schema, tableName string) (*arrow.Schema, []int, error) {
	fields := make([]arrow.Field, 0, len(fileCols))
	idx := make([]int, 0, len(fileCols))
	have := map[string]bool{}
	for i, name := range fileCols {
		f, ok := table.FieldsByName(name)
		if !ok {
			return nil, nil, fmt.Errorf("the file's column %q is not a column of table %q (its columns: %s)",
				name, tableName, strings.Join(fieldNames(table), ", "))
		}
		fields = append(fields, f[0])
		idx = append(idx, i)
		have[name] = true
	}
	for _, f := range table.Fields() {
		if !have[f.Name] && !f.Nullable {
			return nil, nil, fmt.Errorf("table %q has a NOT NULL column %q that the file lacks", tableName, f.Name)
		}
	}
	return arrow.NewSchema(fields, nil), idx, nil
}

func fieldNames(s *arrow.Schema) []string {
	names := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		names[i] = f.Name
	}
	return names
}

// textBatches builds records from a CSV or JSONL file's rows.
type textBatches struct {
	file     string
	src      textReader
	buffered []textRow // the inference sample, replayed first
	target   *arrow.Schema
	idx      []int
	mem      memory.Allocator
	bld      *array.RecordBuilder
}

func newTextBatches(mem memory.Allocator, file string, src textReader, sample []textRow, target *arrow.Schema, idx []int) *textBatches {
	return &textBatches{file: file, src: src, buffered: sample, target: target, idx: idx, mem: mem,
		bld: array.NewRecordBuilder(mem, target)}
}

func (t *textBatches) schema() *arrow.Schema { return t.target }
func (t *textBatches) close()                { t.bld.Release() }

func (t *textBatches) next(n int) (arrow.RecordBatch, error) {
	rows := 0
	for rows < n {
		row, err := t.nextRow()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.reset()
			return nil, fmt.Errorf("%s: %w", t.file, err)
		}
		if err := t.appendRow(row); err != nil {
			t.reset()
			return nil, err
		}
		rows++
	}
	if rows == 0 {
		return nil, io.EOF
	}
	return t.bld.NewRecordBatch(), nil
}

// reset drops a partial batch (a failed row may be half appended).
func (t *textBatches) reset() {
	t.bld.Release()
	t.bld = array.NewRecordBuilder(t.mem, t.target)
}

func (t *textBatches) nextRow() (textRow, error) {
	if len(t.buffered) > 0 {
		row := t.buffered[0]
		t.buffered = t.buffered[1:]
		return row, nil
	}
	return t.src.next()
}

func (t *textBatches) appendRow(row textRow) error {
	for j, i := range t.idx {
		f := t.target.Field(j)
		v := rawValue{}
		if i < len(row.vals) {
			v = row.vals[i]
		}
		if why := appendRaw(t.bld.Field(j), f, v); why != "" {
			return &valueError{file: t.file, line: row.line, column: f.Name, value: v.s, why: why}
		}
	}
	return nil
}

// appendRaw appends one file value to a column's builder, or says why it
// cannot.
func appendRaw(b array.Builder, f arrow.Field, v rawValue) string {
	switch v.kind {
	case rawNull:
		if !f.Nullable {
			return "NULL (empty or missing) in NOT NULL column:"
		}
		b.AppendNull()
		return ""
	case rawNested:
		return "a JSON object or array is not a value:"
	}
	s := v.s
	if v.kind == rawText {
		s = strings.TrimSpace(s)
	}
	switch b := b.(type) {
	case *array.Int64Builder:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v.kind == rawBool {
			return "cannot read as int64:"
		}
		b.Append(n)
	case *array.Int32Builder:
		n, err := strconv.ParseInt(s, 10, 32)
		if err != nil || v.kind == rawBool {
			return "cannot read as int32:"
		}
		b.Append(int32(n))
	case *array.Float64Builder:
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || v.kind == rawBool {
			return "cannot read as float64:"
		}
		b.Append(x)
	case *array.BooleanBuilder:
		x, ok := parseBool(s)
		if !ok || v.kind == rawNumber {
			return "cannot read as bool:"
		}
		b.Append(x)
	case *array.StringBuilder:
		if !utf8.ValidString(v.s) {
			return "invalid UTF-8 in string:"
		}
		b.Append(v.s)
	case *array.BinaryBuilder:
		return appendBinary(b, v.s)
	case *array.TimestampBuilder:
		us, err := plan.ParseTimestamp(s)
		if err != nil || v.kind == rawNumber || v.kind == rawBool {
			return "cannot read as timestamp:"
		}
		b.Append(arrow.Timestamp(us))
	case *array.Date32Builder:
		d, err := plan.ParseDate(s)
		if err != nil || v.kind == rawNumber || v.kind == rawBool {
			return "cannot read as date (YYYY-MM-DD):"
		}
		b.Append(arrow.Date32(d))
	default:
		return fmt.Sprintf("column type %s cannot be loaded from text:", b.Type())
	}
	return ""
}

// appendBinary reads PostgreSQL's hex form (\x0a1b...) or takes the text's
// bytes as they are.
func appendBinary(b *array.BinaryBuilder, s string) string {
	if h, ok := strings.CutPrefix(s, `\x`); ok {
		raw, err := hex.DecodeString(h)
		if err != nil {
			return `invalid \x hex in binary value:`
		}
		b.Append(raw)
		return ""
	}
	b.AppendString(s)
	return ""
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true", "t", "yes", "y", "1":
		return true, true
	case "false", "f", "no", "n", "0":
		return false, true
	}
	return false, false
}
