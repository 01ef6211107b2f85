package ingest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/stratadb/strata/storage"
)

// RecordError is why one record value could not be decoded. Nothing of the
// record was added.
type RecordError struct {
	Column string // the column the problem is in; "" when it is no column's
	Offset int    // byte offset in the record value; -1 when it does not apply
	Reason string
}

func (e *RecordError) Error() string {
	var b bytes.Buffer
	b.WriteString("record")
	if e.Column != "" {
		fmt.Fprintf(&b, ": column %q", e.Column)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	if e.Offset >= 0 {
		fmt.Fprintf(&b, " (at byte %d)", e.Offset)
	}
	return b.String()
}

const (
	formatJSON = iota
	formatCSV
)

// maxVarBytes bounds the bytes one string or binary column collects
// between Finishes: arrow's 32-bit offsets.
const maxVarBytes = math.MaxInt32 - 1<<20

// RecordDecoder turns Kafka record values into rows of one table.
//
// JSON: one object per record, keys are column names (case-sensitive);
// an unknown key, a duplicate key, a nested object or array is an error; a
// missing key or null is NULL. Numbers go into int64/int32 (integral and in
// range) and float64; strings into string, binary (base64), timestamp (RFC
// 3339, a space in place of the T accepted) and date (YYYY-MM-DD); an
// integer into a timestamp is microseconds since the epoch.
//
// CSV: one line per record, no header, fields in the table's column order,
// RFC 4180 quoting. An empty unquoted field is NULL; a quoted empty field
// is an empty string. Text is read as in JSON; booleans are true/false,
// t/f, yes/no, y/n, 1/0 (any case). Spaces around a non-string value are
// ignored.
//
// A decoder is not safe for concurrent use.
type RecordDecoder struct {
	def    storage.TableDef
	schema *arrow.Schema
	format int
	mem    memory.Allocator
	cols   []decCol
	names  map[string]int
	n      int

	// The row being decoded: a cell is set when its gen is the row's.
	cells   []cell
	gen     uint32
	next    int    // JSON: the column the next key most likely names
	scratch []byte // unescaped strings and decoded binary of the row
	keyBuf  []byte
}

type decCol struct {
	name     string
	typ      storage.ColumnType
	nullable bool
	bld      array.Builder
	varBytes int
}

type cell struct {
	gen  uint32
	null bool
	i    int64
	f    float64
	b    []byte
}

// NewRecordDecoder returns a decoder of format "json" or "csv" for rows of
// def. Release frees its builders.
func NewRecordDecoder(def storage.TableDef, format string, mem memory.Allocator) (*RecordDecoder, error) {
	d := &RecordDecoder{def: def.Clone(), mem: mem}
	switch format {
	case "json":
		d.format = formatJSON
	case "csv":
		d.format = formatCSV
	default:
		return nil, fmt.Errorf("ingest: unknown record format %q (want json or csv)", format)
	}
	if len(def.Columns) == 0 {
		return nil, fmt.Errorf("ingest: table %q has no columns", def.Name)
	}
	if mem == nil {
		mem = memory.DefaultAllocator
		d.mem = mem
	}
	d.names = make(map[string]int, len(def.Columns))
	for i, c := range def.Columns {
		if !c.Type.Valid() {
			return nil, fmt.Errorf("ingest: table %q: column %q has type %v, which records cannot fill", def.Name, c.Name, c.Type)
		}
		if _, dup := d.names[c.Name]; dup {
			return nil, fmt.Errorf("ingest: table %q: column %q appears twice", def.Name, c.Name)
		}
		d.names[c.Name] = i
	}
	d.schema = d.def.ArrowSchema()
	d.cols = make([]decCol, len(def.Columns))
	for i, c := range def.Columns {
		d.cols[i] = decCol{name: c.Name, typ: c.Type, nullable: c.Nullable, bld: array.NewBuilder(mem, d.schema.Field(i).Type)}
	}
	d.cells = make([]cell, len(def.Columns))
	return d, nil
}

// Len is the number of rows added since the last Finish.
func (d *RecordDecoder) Len() int { return d.n }

// Release frees the rows not yet finished and the builders. The decoder
// must not be used afterwards.
func (d *RecordDecoder) Release() {
	for i := range d.cols {
		if d.cols[i].bld != nil {
			d.cols[i].bld.Release()
			d.cols[i].bld = nil
		}
	}
	d.n = 0
}

// Add decodes one record value into a row. A bad record returns a
// *RecordError and adds nothing. value is not retained.
func (d *RecordDecoder) Add(value []byte) error {
	d.gen++
	if d.gen == 0 { // wrapped: forget every old mark
		for i := range d.cells {
			d.cells[i].gen = 0
		}
		d.gen = 1
	}
	d.scratch = d.scratch[:0]
	var err error
	if d.format == formatJSON {
		err = d.parseJSON(value)
	} else {
		err = d.parseCSV(value)
	}
	if err != nil {
		return err
	}
	// Validate the whole row before appending any of it.
	for i := range d.cols {
		c := &d.cells[i]
		col := &d.cols[i]
		if c.gen != d.gen {
			c.gen, c.null = d.gen, true
		}
		if c.null {
			if !col.nullable {
				return &RecordError{Column: col.name, Offset: -1, Reason: "NULL (missing, null or empty) in a NOT NULL column"}
			}
			continue
		}
		if col.typ == storage.TypeString || col.typ == storage.TypeBinary {
			if col.varBytes+len(c.b) > maxVarBytes {
				return &RecordError{Column: col.name, Offset: -1, Reason: "too many bytes for one batch; Finish first"}
			}
		}
	}
	for i := range d.cols {
		c := &d.cells[i]
		col := &d.cols[i]
		if c.null {
			col.bld.AppendNull()
			continue
		}
		switch col.typ {
		case storage.TypeInt64:
			col.bld.(*array.Int64Builder).Append(c.i)
		case storage.TypeInt32:
			col.bld.(*array.Int32Builder).Append(int32(c.i))
		case storage.TypeFloat64:
			col.bld.(*array.Float64Builder).Append(c.f)
		case storage.TypeBool:
			col.bld.(*array.BooleanBuilder).Append(c.i != 0)
		case storage.TypeString:
			col.bld.(*array.StringBuilder).BinaryBuilder.Append(c.b)
			col.varBytes += len(c.b)
		case storage.TypeBinary:
			col.bld.(*array.BinaryBuilder).Append(c.b)
			col.varBytes += len(c.b)
		case storage.TypeTimestamp:
			col.bld.(*array.TimestampBuilder).Append(arrow.Timestamp(c.i))
		case storage.TypeDate:
			col.bld.(*array.Date32Builder).Append(arrow.Date32(c.i))
		}
		c.b = nil
	}
	d.n++
	return nil
}

// Finish returns the rows added since the last Finish as an Arrow IPC
// stream (the table's schema, one record batch, bodies not compressed), or
// nil when there are none, and starts over.
func (d *RecordDecoder) Finish() ([]byte, error) {
	if d.n == 0 {
		return nil, nil
	}
	arrs := make([]arrow.Array, len(d.cols))
	size := 0
	for i := range d.cols {
		arrs[i] = d.cols[i].bld.NewArray()
		d.cols[i].varBytes = 0
		for _, b := range arrs[i].Data().Buffers() {
			if b != nil {
				size += b.Len()
			}
		}
	}
	rec := array.NewRecordBatch(d.schema, arrs, int64(d.n))
	for _, a := range arrs {
		a.Release()
	}
	defer rec.Release()
	d.n = 0
	var buf bytes.Buffer
	buf.Grow(size + 1024 + 256*len(d.cols))
	w := ipc.NewWriter(&buf, ipc.WithSchema(d.schema), ipc.WithAllocator(d.mem))
	if err := w.Write(rec); err != nil {
		return nil, fmt.Errorf("ingest: encode records: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("ingest: encode records: %w", err)
	}
	return buf.Bytes(), nil
}

// ---- JSON ----

func isWS(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipWS(v []byte, i int) int {
	for i < len(v) && isWS(v[i]) {
		i++
	}
	return i
}

func syntaxErr(v []byte, i int, want string) error {
	if i >= len(v) {
		return &RecordError{Offset: i, Reason: "invalid JSON: unexpected end, expected " + want}
	}
	return &RecordError{Offset: i, Reason: fmt.Sprintf("invalid JSON: unexpected %q, expected %s", v[i], want)}
}

func (d *RecordDecoder) parseJSON(v []byte) error {
	i := skipWS(v, 0)
	if i >= len(v) || v[i] != '{' {
		if i < len(v) && (v[i] == '[' || v[i] == '"' || v[i] == '-' || (v[i] >= '0' && v[i] <= '9') || v[i] == 't' || v[i] == 'f' || v[i] == 'n') {
			return &RecordError{Offset: i, Reason: "the record is not a JSON object"}
		}
		return syntaxErr(v, i, "a JSON object")
	}
	i = skipWS(v, i+1)
	d.next = 0
	if i < len(v) && v[i] == '}' {
		i++
	} else {
		for {
			if i >= len(v) || v[i] != '"' {
				return syntaxErr(v, i, "a key string")
			}
			kpos := i
			key, esc, _, j, err := scanString(v, i)
			if err != nil {
				return err
			}
			if esc {
				var ok bool
				d.keyBuf, ok = appendUnescaped(d.keyBuf[:0], key)
				if !ok {
					return &RecordError{Offset: kpos, Reason: "invalid JSON: bad escape in key"}
				}
				key = d.keyBuf
			}
			col := d.lookup(key)
			if col < 0 {
				return &RecordError{Offset: kpos, Reason: fmt.Sprintf("key %q is not a column of table %q", key, d.def.Name)}
			}
			if d.cells[col].gen == d.gen {
				return &RecordError{Column: d.cols[col].name, Offset: kpos, Reason: "the key appears twice"}
			}
			d.next = col + 1
			i = skipWS(v, j)
			if i >= len(v) || v[i] != ':' {
				return syntaxErr(v, i, "':'")
			}
			i = skipWS(v, i+1)
			if i, err = d.jsonValue(v, i, col); err != nil {
				return err
			}
			i = skipWS(v, i)
			if i < len(v) && v[i] == ',' {
				i = skipWS(v, i+1)
				continue
			}
			if i < len(v) && v[i] == '}' {
				i++
				break
			}
			return syntaxErr(v, i, "',' or '}'")
		}
	}
	if i = skipWS(v, i); i != len(v) {
		return &RecordError{Offset: i, Reason: "invalid JSON: data after the object"}
	}
	return nil
}

// lookup finds the column a key names, trying the one after the previous
// key first (producers usually write keys in one order).
func (d *RecordDecoder) lookup(key []byte) int {
	if d.next < len(d.cols) && string(key) == d.cols[d.next].name {
		return d.next
	}
	if i, ok := d.names[string(key)]; ok {
		return i
	}
	return -1
}

// scanString reads the string starting at v[i] == '"': its raw contents,
// whether they hold escapes, whether they are all ASCII, and the offset
// after the closing quote.
func scanString(v []byte, i int) (raw []byte, esc, ascii bool, end int, err error) {
	start := i + 1
	var hi byte
	for j := start; j < len(v); j++ {
		c := v[j]
		hi |= c
		switch {
		case c == '"':
			return v[start:j], esc, hi < 0x80, j + 1, nil
		case c == '\\':
			esc = true
			j++
		case c < 0x20:
			return nil, false, false, 0, &RecordError{Offset: j, Reason: "invalid JSON: control character in string"}
		}
	}
	return nil, false, false, 0, &RecordError{Offset: i, Reason: "invalid JSON: unterminated string"}
}

// appendUnescaped appends the unescaped contents of a JSON string. A lone
// surrogate becomes U+FFFD, as encoding/json does.
func appendUnescaped(dst, s []byte) ([]byte, bool) {
	for i := 0; i < len(s); {
		if s[i] != '\\' {
			j := i + 1
			for j < len(s) && s[j] != '\\' {
				j++
			}
			dst = append(dst, s[i:j]...)
			i = j
			continue
		}
		if i+1 >= len(s) {
			return dst, false
		}
		switch s[i+1] {
		case '"', '\\', '/':
			dst = append(dst, s[i+1])
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := hex4(s[i+2:])
			if !ok {
				return dst, false
			}
			i += 6
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if x, ok := hex4(s[i+2:]); ok {
						r2 = x
					}
				}
				if c := utf16.DecodeRune(r, r2); c != utf8.RuneError {
					r = c
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			dst = utf8.AppendRune(dst, r)
			continue
		default:
			return dst, false
		}
		i += 2
	}
	return dst, true
}

func hex4(s []byte) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range s[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// scanNumber reads a JSON number starting at v[i]: its end and whether it
// is a plain integer (no fraction, no exponent).
func scanNumber(v []byte, i int) (end int, plain bool, ok bool) {
	j := i
	if j < len(v) && v[j] == '-' {
		j++
	}
	switch {
	case j < len(v) && v[j] == '0':
		j++
	case j < len(v) && v[j] >= '1' && v[j] <= '9':
		for j++; j < len(v) && v[j] >= '0' && v[j] <= '9'; j++ {
		}
	default:
		return j, false, false
	}
	plain = true
	if j < len(v) && v[j] == '.' {
		plain = false
		j++
		k := j
		for j < len(v) && v[j] >= '0' && v[j] <= '9' {
			j++
		}
		if j == k {
			return j, false, false
		}
	}
	if j < len(v) && (v[j] == 'e' || v[j] == 'E') {
		plain = false
		j++
		if j < len(v) && (v[j] == '+' || v[j] == '-') {
			j++
		}
		k := j
		for j < len(v) && v[j] >= '0' && v[j] <= '9' {
			j++
		}
		if j == k {
			return j, false, false
		}
	}
	return j, plain, true
}

var errNotIntegral = errors.New("not an integer")
var errRange = errors.New("out of range")

// parseIntLit reads a valid JSON number literal as an exact int64. A
// fraction or exponent is accepted when the value is integral (1.0, 2e3).
func parseIntLit(lit []byte, plain bool) (int64, error) {
	neg := lit[0] == '-'
	if neg {
		lit = lit[1:]
	}
	if !plain {
		var err error
		if lit, err = integralDigits(lit); err != nil {
			return 0, err
		}
	}
	if len(lit) > 19 {
		return 0, errRange
	}
	var u uint64
	for _, c := range lit {
		u = u*10 + uint64(c-'0')
	}
	if neg {
		if u > 1<<63 {
			return 0, errRange
		}
		return -int64(u), nil
	}
	if u > math.MaxInt64 {
		return 0, errRange
	}
	return int64(u), nil
}

// integralDigits turns an unsigned number literal with a fraction or
// exponent into the digits of its integer value.
func integralDigits(lit []byte) ([]byte, error) {
	mant := make([]byte, 0, 24)
	exp := 0
	i := 0
	for ; i < len(lit) && lit[i] >= '0' && lit[i] <= '9'; i++ {
		mant = append(mant, lit[i])
	}
	if i < len(lit) && lit[i] == '.' {
		for i++; i < len(lit) && lit[i] >= '0' && lit[i] <= '9'; i++ {
			mant = append(mant, lit[i])
			exp--
		}
	}
	if i < len(lit) && (lit[i] == 'e' || lit[i] == 'E') {
		i++
		eneg := false
		if lit[i] == '+' || lit[i] == '-' {
			eneg = lit[i] == '-'
			i++
		}
		e := 0
		for ; i < len(lit); i++ {
			if e < 1e6 {
				e = e*10 + int(lit[i]-'0')
			}
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	for len(mant) > 0 && mant[0] == '0' {
		mant = mant[1:]
	}
	if len(mant) == 0 {
		return []byte{'0'}, nil
	}
	for len(mant) > 0 && mant[len(mant)-1] == '0' && exp < 0 {
		mant = mant[:len(mant)-1]
		exp++
	}
	if exp < 0 {
		return nil, errNotIntegral
	}
	if len(mant)+exp > 19 {
		return nil, errRange
	}
	for ; exp > 0; exp-- {
		mant = append(mant, '0')
	}
	return mant, nil
}

func (d *RecordDecoder) typeErr(col int, pos int, got string) error {
	return &RecordError{Column: d.cols[col].name, Offset: pos, Reason: fmt.Sprintf("expected %s, got %s", d.cols[col].typ, got)}
}

func (d *RecordDecoder) valueErr(col int, pos int, why string, lit []byte) error {
	return &RecordError{Column: d.cols[col].name, Offset: pos, Reason: fmt.Sprintf("%s: %q", why, lit)}
}

// jsonValue reads the value of column col at v[i] into its cell.
func (d *RecordDecoder) jsonValue(v []byte, i int, col int) (int, error) {
	c := &d.cells[col]
	c.gen, c.null = d.gen, false
	if i >= len(v) {
		return i, syntaxErr(v, i, "a value")
	}
	switch ch := v[i]; {
	case ch == '"':
		raw, esc, ascii, end, err := scanString(v, i)
		if err != nil {
			return end, err
		}
		if ascii && !esc && d.cols[col].typ == storage.TypeString {
			c.b = raw // valid UTF-8
			return end, nil
		}
		if esc {
			start := len(d.scratch)
			var ok bool
			d.scratch, ok = appendUnescaped(d.scratch, raw)
			if !ok {
				return end, &RecordError{Column: d.cols[col].name, Offset: i, Reason: "invalid JSON: bad escape in string"}
			}
			raw = d.scratch[start:]
		}
		return end, d.setString(col, raw, i)
	case ch == 'n':
		if !bytes.HasPrefix(v[i:], []byte("null")) {
			return i, syntaxErr(v, i, "a value")
		}
		c.null = true
		return i + 4, nil
	case ch == 't' || ch == 'f':
		lit := "false"
		if ch == 't' {
			lit = "true"
		}
		if !bytes.HasPrefix(v[i:], []byte(lit)) {
			return i, syntaxErr(v, i, "a value")
		}
		if d.cols[col].typ != storage.TypeBool {
			return i, d.typeErr(col, i, "a JSON boolean")
		}
		c.i = 0
		if ch == 't' {
			c.i = 1
		}
		return i + len(lit), nil
	case ch == '{' || ch == '[':
		return i, &RecordError{Column: d.cols[col].name, Offset: i, Reason: fmt.Sprintf("expected %s, got a nested JSON object or array", d.cols[col].typ)}
	case ch == '-' || (ch >= '0' && ch <= '9'):
		end, plain, ok := scanNumber(v, i)
		if !ok {
			return end, syntaxErr(v, end, "a digit")
		}
		return end, d.setNumber(col, v[i:end], plain, i)
	}
	return i, syntaxErr(v, i, "a value")
}

// setNumber stores a valid JSON number literal in column col's cell.
func (d *RecordDecoder) setNumber(col int, lit []byte, plain bool, pos int) error {
	c := &d.cells[col]
	switch t := d.cols[col].typ; t {
	case storage.TypeInt64, storage.TypeInt32, storage.TypeTimestamp:
		n, err := parseIntLit(lit, plain)
		if err == nil && t == storage.TypeInt32 && (n < math.MinInt32 || n > math.MaxInt32) {
			err = errRange
		}
		switch err {
		case nil:
		case errNotIntegral:
			return d.valueErr(col, pos, fmt.Sprintf("expected %s, got a number that is not an integer", t), lit)
		default:
			return d.valueErr(col, pos, fmt.Sprintf("number out of range for %s", t), lit)
		}
		c.i = n
	case storage.TypeFloat64:
		f, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(lit), len(lit)), 64)
		if err != nil {
			return d.valueErr(col, pos, "number out of range for float64", lit)
		}
		c.f = f
	default:
		return d.typeErr(col, pos, "a JSON number")
	}
	return nil
}

// setString stores a JSON string's (unescaped) contents in column col's
// cell. raw is kept until the row is appended.
func (d *RecordDecoder) setString(col int, raw []byte, pos int) error {
	c := &d.cells[col]
	switch t := d.cols[col].typ; t {
	case storage.TypeString:
		if !utf8.Valid(raw) {
			return &RecordError{Column: d.cols[col].name, Offset: pos, Reason: "invalid UTF-8 in string"}
		}
		c.b = raw
	case storage.TypeBinary:
		return d.setBase64(col, raw, pos)
	case storage.TypeTimestamp:
		us, ok := parseTimestamp(raw)
		if !ok {
			return d.valueErr(col, pos, "expected an RFC 3339 timestamp", raw)
		}
		c.i = us
	case storage.TypeDate:
		days, ok := parseDate(raw)
		if !ok {
			return d.valueErr(col, pos, "expected a date YYYY-MM-DD", raw)
		}
		c.i = days
	default:
		return d.typeErr(col, pos, "a JSON string")
	}
	return nil
}

func (d *RecordDecoder) setBase64(col int, raw []byte, pos int) error {
	enc := base64.StdEncoding
	if len(raw)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	start := len(d.scratch)
	need := enc.DecodedLen(len(raw))
	d.scratch = append(d.scratch, make([]byte, need)...)
	n, err := enc.Decode(d.scratch[start:], raw)
	if err != nil {
		d.scratch = d.scratch[:start]
		return d.valueErr(col, pos, "invalid base64 in binary value", raw)
	}
	d.scratch = d.scratch[:start+n]
	d.cells[col].b = d.scratch[start : start+n : start+n]
	return nil
}

// ---- dates and times ----

func digits2(b []byte) (int, bool) {
	if b[0] < '0' || b[0] > '9' || b[1] < '0' || b[1] > '9' {
		return 0, false
	}
	return int(b[0]-'0')*10 + int(b[1]-'0'), true
}

// ymd reads "YYYY-MM-DD" at the start of b.
func ymd(b []byte) (y, m, dd int, ok bool) {
	if len(b) < 10 || b[4] != '-' || b[7] != '-' {
		return 0, 0, 0, false
	}
	y1, ok1 := digits2(b[0:2])
	y2, ok2 := digits2(b[2:4])
	m, ok3 := digits2(b[5:7])
	dd, ok4 := digits2(b[8:10])
	y = y1*100 + y2
	if !(ok1 && ok2 && ok3 && ok4) || m < 1 || m > 12 || dd < 1 || dd > storage.DaysInMonth(y, m) {
		return 0, 0, 0, false
	}
	return y, m, dd, true
}

func parseDate(b []byte) (int64, bool) {
	if len(b) != 10 {
		return 0, false
	}
	y, m, dd, ok := ymd(b)
	if !ok {
		return 0, false
	}
	return storage.DaysFromCivil(int64(y), int64(m), int64(dd)), true
}

// parseTimestamp reads RFC 3339 (YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)),
// also with 't' or a space in place of the 'T', as microseconds since the
// epoch (digits past microseconds are dropped).
func parseTimestamp(b []byte) (int64, bool) {
	if len(b) < 20 {
		return 0, false
	}
	y, mo, dd, ok := ymd(b)
	if !ok || (b[10] != 'T' && b[10] != 't' && b[10] != ' ') || b[13] != ':' || b[16] != ':' {
		return 0, false
	}
	h, ok1 := digits2(b[11:13])
	mi, ok2 := digits2(b[14:16])
	s, ok3 := digits2(b[17:19])
	if !(ok1 && ok2 && ok3) || h > 23 || mi > 59 || s > 59 {
		return 0, false
	}
	i := 19
	var us int64
	if b[i] == '.' {
		i++
		k := i
		scale := int64(100000)
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			us += int64(b[i]-'0') * scale
			scale /= 10
			i++
		}
		if i == k || i-k > 9 {
			return 0, false
		}
	}
	if i >= len(b) {
		return 0, false
	}
	off := 0
	switch b[i] {
	case 'Z', 'z':
		i++
	case '+', '-':
		if len(b)-i != 6 || b[i+3] != ':' {
			return 0, false
		}
		oh, ok1 := digits2(b[i+1 : i+3])
		om, ok2 := digits2(b[i+4 : i+6])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return 0, false
		}
		off = oh*3600 + om*60
		if b[i] == '-' {
			off = -off
		}
		i += 6
	default:
		return 0, false
	}
	if i != len(b) {
		return 0, false
	}
	secs := storage.DaysFromCivil(int64(y), int64(mo), int64(dd))*86400 + int64(h*3600+mi*60+s-off)
	return secs*1_000_000 + us, true
}

// ---- CSV ----

func (d *RecordDecoder) parseCSV(v []byte) error {
	// One trailing line end is the record's terminator.
	if n := len(v); n > 0 && v[n-1] == '\n' {
		v = v[:n-1]
		if n := len(v); n > 0 && v[n-1] == '\r' {
			v = v[:n-1]
		}
	}
	ncols := len(d.cols)
	k := 0 // field index
	i := 0
	for {
		if k >= ncols {
			return &RecordError{Offset: i, Reason: fmt.Sprintf("more than %d fields (the table has %d columns)", ncols, ncols)}
		}
		if i < len(v) && v[i] == '"' {
			start := i
			j := i + 1
			var field []byte
			escaped := false
			for {
				q := bytes.IndexByte(v[j:], '"')
				if q < 0 {
					return &RecordError{Column: d.cols[k].name, Offset: start, Reason: "unterminated quoted field"}
				}
				j += q
				if j+1 < len(v) && v[j+1] == '"' {
					escaped = true
					j += 2
					continue
				}
				break
			}
			field = v[i+1 : j]
			if escaped {
				s := len(d.scratch)
				for p := 0; p < len(field); p++ {
					d.scratch = append(d.scratch, field[p])
					if field[p] == '"' {
						p++
					}
				}
				field = d.scratch[s:]
			}
			i = j + 1
			if i < len(v) && v[i] != ',' {
				return &RecordError{Column: d.cols[k].name, Offset: i, Reason: "extraneous character after a quoted field"}
			}
			if err := d.setText(k, field, true, start); err != nil {
				return err
			}
		} else {
			start := i
			for i < len(v) && v[i] != ',' {
				switch v[i] {
				case '"':
					return &RecordError{Column: d.cols[k].name, Offset: i, Reason: "quote in an unquoted field"}
				case '\n', '\r':
					return &RecordError{Column: d.cols[k].name, Offset: i, Reason: "line break in an unquoted field (one record is one line)"}
				}
				i++
			}
			if err := d.setText(k, v[start:i], false, start); err != nil {
				return err
			}
		}
		k++
		if i >= len(v) {
			break
		}
		i++ // the comma
	}
	if k != ncols {
		return &RecordError{Column: d.cols[k].name, Offset: len(v), Reason: fmt.Sprintf("the record has %d fields, the table has %d columns", k, ncols)}
	}
	return nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// setText stores one CSV field in column col's cell.
func (d *RecordDecoder) setText(col int, f []byte, quoted bool, pos int) error {
	c := &d.cells[col]
	c.gen, c.null = d.gen, false
	if len(f) == 0 && !quoted {
		c.null = true
		return nil
	}
	t := d.cols[col].typ
	switch t {
	case storage.TypeString:
		if !utf8.Valid(f) {
			return &RecordError{Column: d.cols[col].name, Offset: pos, Reason: "invalid UTF-8 in string"}
		}
		c.b = f
		return nil
	case storage.TypeBinary:
		return d.setBase64(col, f, pos)
	}
	lit := trimSpace(f)
	switch t {
	case storage.TypeInt64, storage.TypeInt32:
		end, plain, ok := scanNumber(lit, 0)
		if !ok || end != len(lit) {
			return d.valueErr(col, pos, fmt.Sprintf("expected %s", t), f)
		}
		return d.setNumber(col, lit, plain, pos)
	case storage.TypeFloat64:
		x, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(lit), len(lit)), 64)
		if err != nil {
			if errors.Is(err, strconv.ErrRange) {
				return d.valueErr(col, pos, "number out of range for float64", f)
			}
			return d.valueErr(col, pos, "expected float64", f)
		}
		c.f = x
	case storage.TypeBool:
		x, ok := parseBoolText(lit)
		if !ok {
			return d.valueErr(col, pos, "expected bool", f)
		}
		c.i = 0
		if x {
			c.i = 1
		}
	case storage.TypeTimestamp:
		if end, plain, ok := scanNumber(lit, 0); ok && plain && end == len(lit) {
			return d.setNumber(col, lit, true, pos)
		}
		us, ok := parseTimestamp(lit)
		if !ok {
			return d.valueErr(col, pos, "expected an RFC 3339 timestamp or integer microseconds", f)
		}
		c.i = us
	case storage.TypeDate:
		days, ok := parseDate(lit)
		if !ok {
			return d.valueErr(col, pos, "expected a date YYYY-MM-DD", f)
		}
		c.i = days
	}
	return nil
}

func parseBoolText(b []byte) (bool, bool) {
	if len(b) > 5 {
		return false, false
	}
	var lower [5]byte
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	switch string(lower[:len(b)]) {
	case "true", "t", "yes", "y", "1":
		return true, true
	case "false", "f", "no", "n", "0":
		return false, true
	}
	return false, false
}
