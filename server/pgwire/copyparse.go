package pgwire

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"strings"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/query/sql"
)

// COPY's data formats, read as PostgreSQL reads them.
//
// text: one row a line (\n or \r\n), fields split by the delimiter (tab),
// backslash escapes (\t \n \r \b \f \v \\ \ooo \xhh, \c for c), NULL as
// \N (compared before unescaping), "\." alone on a line ends the data.
//
// csv: fields split by the delimiter (,), "quoted" fields may hold
// delimiters, newlines and doubled quotes, an unquoted field equal to the
// NULL string ("") is NULL, a quoted one never is.
//
// binary: "PGCOPY\n\377\r\n\0", int32 flags, int32 extension length and
// extension; then per row int16 field count (-1 ends the data) and per
// field int32 length (-1: NULL) and the value in its type's binary format.

// copyFormat consumes the COPY data as it arrives.
type copyFormat interface {
	feed(data []byte) error // a CopyData's bytes; complete rows go to the loader
	end() error             // CopyDone: the rest
}

// newCopyFormat picks the parser for c; the format code is what
// CopyInResponse announces (0 text, 1 binary).
func newCopyFormat(c *sql.CopyFrom, l *copyLoader) (int16, copyFormat, error) {
	format := strings.ToLower(c.Format)
	if format == "binary" {
		return formatBinary, &binaryCopy{l: l}, nil
	}
	if format != "" && format != "text" && format != "csv" {
		return 0, nil, newError(codeInvalidParameterValue, "COPY format \"%s\" not recognized", c.Format)
	}
	p := &textCopy{l: l, csv: format == "csv", header: c.Header, null: c.Null, delim: '\t'}
	if p.csv {
		p.delim = ','
	}
	if c.Delimiter != 0 {
		if c.Delimiter > 127 {
			return 0, nil, newError(codeFeatureNotSupported, "COPY delimiter must be a single one-byte character")
		}
		p.delim = byte(c.Delimiter)
	}
	if p.delim == '\n' || p.delim == '\r' || (!p.csv && p.delim == '\\') || (p.csv && p.delim == '"') {
		return 0, nil, newError(codeInvalidParameterValue, "COPY delimiter cannot be \"%s\"", string(rune(p.delim)))
	}
	return formatText, p, nil
}

// textCopy reads the text and csv formats.
type textCopy struct {
	l      *copyLoader
	csv    bool
	header bool
	null   string
	delim  byte
	carry  []byte // an incomplete last line
	line   int
	done   bool // "\." seen
	vals   []plan.Value
}

func (p *textCopy) feed(data []byte) error {
	if p.done {
		return nil
	}
	buf := data
	if len(p.carry) > 0 {
		buf = append(p.carry, data...)
	}
	for !p.done {
		n := p.recordEnd(buf)
		if n < 0 {
			break
		}
		if err := p.record(buf[:n]); err != nil {
			return err
		}
		buf = buf[n+1:]
	}
	p.carry = append([]byte(nil), buf...)
	return nil
}

func (p *textCopy) end() error {
	if p.done || len(p.carry) == 0 {
		return nil
	}
	if p.csv && p.recordEnd(append(p.carry, '\n')) < 0 {
		p.line++
		return p.formatError("unterminated CSV quoted field", string(p.carry))
	}
	return p.record(p.carry)
}

// recordEnd is the index of the newline that ends the first record of buf
// (-1: none yet): backslash escapes it in text, quotes in csv.
func (p *textCopy) recordEnd(buf []byte) int {
	if !p.csv {
		for i := 0; i < len(buf); i++ {
			switch buf[i] {
			case '\\':
				i++
			case '\n':
				return i
			}
		}
		return -1
	}
	quoted := false
	for i, c := range buf {
		switch {
		case c == '"':
			quoted = !quoted
		case c == '\n' && !quoted:
			return i
		}
	}
	return -1
}

// record reads one line (without its newline).
func (p *textCopy) record(line []byte) error {
	p.line++
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if p.header && p.line == 1 {
		return nil
	}
	if string(line) == `\.` {
		p.done = true
		return nil
	}
	var err error
	if p.csv {
		err = p.csvRecord(line)
	} else {
		err = p.textRecord(line)
	}
	if err != nil {
		return err
	}
	return p.l.add(p.vals, func() string { return copyWhere(p.l.def.Name, p.line, "", string(line), true) })
}

func (p *textCopy) formatError(msg, line string) error {
	e := newError(codeBadCopyFormat, "%s", msg)
	e.Where = copyWhere(p.l.def.Name, p.line, "", line, true)
	return e
}

// textRecord splits a text-format line and converts its fields.
func (p *textCopy) textRecord(line []byte) error {
	p.vals = p.vals[:0]
	start := 0
	for i := 0; i <= len(line); i++ {
		if i < len(line) && line[i] == '\\' {
			i++
			continue
		}
		if i < len(line) && line[i] != p.delim {
			continue
		}
		if err := p.textField(line[start:min(i, len(line))], string(line)); err != nil {
			return err
		}
		start = i + 1
	}
	return p.checkCount(string(line))
}

func (p *textCopy) textField(raw []byte, line string) error {
	k := len(p.vals)
	if k >= len(p.l.targets) {
		return p.formatError("extra data after last expected column", line)
	}
	if string(raw) == p.null {
		p.vals = append(p.vals, plan.Null())
		return nil
	}
	return p.convert(k, unescapeText(raw))
}

// unescapeText resolves text-format backslash escapes.
func unescapeText(raw []byte) string {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw)
	}
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' || i+1 == len(raw) {
			out = append(out, c)
			continue
		}
		i++
		switch c = raw[i]; c {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'v':
			out = append(out, '\v')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := c - '0'
			for n := 1; n < 3 && i+1 < len(raw) && isOctal(raw[i+1]); n++ {
				i++
				v = v<<3 | (raw[i] - '0')
			}
			out = append(out, v)
		case 'x':
			if i+1 < len(raw) {
				if h, ok := hexValue(raw[i+1]); ok {
					i++
					if i+1 < len(raw) {
						if l, ok := hexValue(raw[i+1]); ok {
							i++
							h = h<<4 | l
						}
					}
					out = append(out, h)
					continue
				}
			}
			out = append(out, 'x')
		default:
			out = append(out, c)
		}
	}
	return string(out)
}

// csvRecord splits a csv line (quoted newlines included) and converts its
// fields.
func (p *textCopy) csvRecord(line []byte) error {
	p.vals = p.vals[:0]
	var field []byte
	quoted, sawQuote := false, false
	flush := func() error {
		if len(p.vals) >= len(p.l.targets) {
			return p.formatError("extra data after last expected column", string(line))
		}
		k := len(p.vals)
		if !sawQuote && string(field) == p.null {
			p.vals = append(p.vals, plan.Null())
		} else if err := p.convert(k, string(field)); err != nil {
			return err
		}
		field, sawQuote = field[:0], false
		return nil
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quoted && c == '"' && i+1 < len(line) && line[i+1] == '"':
			field = append(field, '"')
			i++
		case c == '"':
			quoted = !quoted
			sawQuote = true
		case !quoted && c == p.delim:
			if err := flush(); err != nil {
				return err
			}
		default:
			field = append(field, c)
		}
	}
	if quoted {
		return p.formatError("unterminated CSV quoted field", string(line))
	}
	if err := flush(); err != nil {
		return err
	}
	return p.checkCount(string(line))
}

func (p *textCopy) checkCount(line string) error {
	if len(p.vals) < len(p.l.targets) {
		return p.formatError("missing data for column \""+p.l.field(len(p.vals)).Name+"\"", line)
	}
	return nil
}

// convert reads field k's text as its column's type.
func (p *textCopy) convert(k int, s string) error {
	c := p.l.field(k)
	v, err := parseText(c.Type, s)
	if err != nil {
		if pe, ok := err.(*pgError); ok {
			e := *pe
			e.Where = copyWhere(p.l.def.Name, p.line, c.Name, s, true)
			return &e
		}
		return err
	}
	p.vals = append(p.vals, v)
	return nil
}

// binaryCopy reads the binary format.
type binaryCopy struct {
	l          *copyLoader
	carry      []byte
	headerDone bool
	done       bool
	row        int
	vals       []plan.Value
	fields     [][]byte
}

var copySignature = []byte("PGCOPY\n\377\r\n\000")

func (p *binaryCopy) feed(data []byte) error {
	if p.done {
		return nil
	}
	buf := data
	if len(p.carry) > 0 {
		buf = append(p.carry, data...)
	}
	for !p.done {
		n, err := p.next(buf)
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
		buf = buf[n:]
	}
	p.carry = append([]byte(nil), buf...)
	return nil
}

func (p *binaryCopy) end() error {
	if !p.done && (len(p.carry) > 0 || !p.headerDone) {
		return p.formatError("unexpected EOF in COPY data")
	}
	return nil
}

func (p *binaryCopy) formatError(msg string) error {
	e := newError(codeBadCopyFormat, "%s", msg)
	e.Where = copyWhere(p.l.def.Name, max(p.row, 1), "", "", false)
	return e
}

// next consumes the header or one row from buf; 0 means it needs more.
func (p *binaryCopy) next(buf []byte) (int, error) {
	if !p.headerDone {
		return p.header(buf)
	}
	if len(buf) < 2 {
		return 0, nil
	}
	count := int(int16(binary.BigEndian.Uint16(buf)))
	if count == -1 {
		p.done = true
		return 2, nil
	}
	p.row++
	if count != len(p.l.targets) {
		return 0, p.formatError("row field count is " + strconv.Itoa(count) + ", expected " + strconv.Itoa(len(p.l.targets)))
	}
	pos := 2
	fields := p.fields[:0]
	for range count {
		if len(buf) < pos+4 {
			p.row--
			return 0, nil
		}
		n := int(int32(binary.BigEndian.Uint32(buf[pos:])))
		pos += 4
		if n < 0 {
			fields = append(fields, nil)
			continue
		}
		if len(buf) < pos+n {
			p.row--
			return 0, nil
		}
		fields = append(fields, buf[pos:pos+n:pos+n])
		pos += n
	}
	p.fields = fields
	if err := p.convertRow(fields); err != nil {
		return 0, err
	}
	return pos, nil
}

// header consumes the signature, flags and header extension.
func (p *binaryCopy) header(buf []byte) (int, error) {
	if len(buf) < len(copySignature)+8 {
		return 0, nil
	}
	if !bytes.HasPrefix(buf, copySignature) {
		return 0, p.formatError("COPY file signature not recognized")
	}
	flags := binary.BigEndian.Uint32(buf[11:])
	if flags&(1<<16) != 0 {
		return 0, newError(codeFeatureNotSupported, "COPY with OIDs is not supported")
	}
	ext := int(int32(binary.BigEndian.Uint32(buf[15:])))
	if ext < 0 {
		return 0, p.formatError("invalid COPY file header (wrong length)")
	}
	if len(buf) < 19+ext {
		return 0, nil
	}
	p.headerDone = true
	return 19 + ext, nil
}

func (p *binaryCopy) convertRow(fields [][]byte) error {
	p.vals = p.vals[:0]
	for i, f := range fields {
		if f == nil {
			p.vals = append(p.vals, plan.Null())
			continue
		}
		c := p.l.field(i)
		v, err := decodeBinary(oidOfType(c.Type), f, c.Type)
		if err == nil {
			v, err = convertValue(v, c.Type)
		}
		if err != nil {
			if pe, ok := err.(*pgError); ok {
				e := *pe
				e.Where = copyWhere(p.l.def.Name, p.row, c.Name, "", false)
				return &e
			}
			return err
		}
		p.vals = append(p.vals, v)
	}
	return p.l.add(p.vals, func() string { return copyWhere(p.l.def.Name, p.row, "", "", false) })
}
