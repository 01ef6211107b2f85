package pgwire

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// PostgreSQL's input functions, for values that arrive as text: parameters
// in text format and COPY fields. Errors carry PostgreSQL's SQLSTATE and
// message.

// parseText reads s as the input function of column type t.
func parseText(t storage.ColumnType, s string) (plan.Value, error) {
	switch t {
	case storage.TypeInt64:
		v, err := parseInt(s, 64, oidInt8)
		return plan.Int64(v), err
	case storage.TypeInt32:
		v, err := parseInt(s, 32, oidInt4)
		return plan.Int32(int32(v)), err
	case storage.TypeFloat64:
		v, err := parseFloat(s)
		return plan.Float64(v), err
	case storage.TypeBool:
		v, err := parseBool(s)
		return plan.Bool(v), err
	case storage.TypeString:
		return plan.String(s), checkText(s)
	case storage.TypeBinary:
		v, err := parseBytea(s)
		return plan.Binary(v), err
	case storage.TypeTimestamp:
		v, err := parseTimestamp(s)
		return plan.TimestampMicros(v), err
	case storage.TypeDate:
		v, err := parseDate(s)
		return plan.Date(int32(v)), err
	}
	return plan.Value{}, newError(codeFeatureNotSupported, "type %v is not supported", t)
}

func invalidText(oid uint32, s string) *pgError {
	return newError(codeInvalidText, "invalid input syntax for type %s: \"%s\"", pgTypeName(oid), s)
}

const pgSpace = " \t\n\r\v\f"

// parseInt is int8in/int4in/int2in: optional sign, decimal digits, spaces
// around.
func parseInt(s string, bits int, oid uint32) (int64, error) {
	t := strings.Trim(s, pgSpace)
	digits := strings.TrimLeft(t, "+-")
	if len(t)-len(digits) > 1 || digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, invalidText(oid, s)
	}
	v, err := strconv.ParseInt(t, 10, bits)
	if err != nil {
		return 0, newError(codeOutOfRange, "value \"%s\" is out of range for type %s", s, pgTypeName(oid))
	}
	return v, nil
}

// parseFloat is float8in: strtod's syntax, NaN and Infinity, spaces around.
func parseFloat(s string) (float64, error) {
	t := strings.Trim(s, pgSpace)
	if t == "" || strings.ContainsRune(t, '_') {
		return 0, invalidText(oidFloat8, s)
	}
	v, err := strconv.ParseFloat(t, 64)
	if errors.Is(err, strconv.ErrRange) {
		return 0, newError(codeOutOfRange, "\"%s\" is out of range for type double precision", s)
	}
	if err != nil {
		return 0, invalidText(oidFloat8, s)
	}
	return v, nil
}

// parseBool is boolin: t/true/y/yes/on/1 and f/false/n/no/off/0, any
// case, unique prefixes, spaces around.
func parseBool(s string) (bool, error) {
	t := strings.ToLower(strings.Trim(s, pgSpace))
	prefixOf := func(word string, minLen int) bool {
		return len(t) >= minLen && strings.HasPrefix(word, t)
	}
	switch {
	case t == "":
	case prefixOf("true", 1), prefixOf("yes", 1), prefixOf("on", 2), t == "1":
		return true, nil
	case prefixOf("false", 1), prefixOf("no", 1), prefixOf("off", 2), t == "0":
		return false, nil
	}
	return false, invalidText(oidBool, s)
}

// checkText rejects what PostgreSQL's text cannot hold: invalid UTF-8 and
// NUL bytes.
func checkText(s string) error {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return newError(codeBadEncoding, `invalid byte sequence for encoding "UTF8": 0x00`)
	}
	if !utf8.ValidString(s) {
		for i := 0; i < len(s); {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n <= 1 {
				return newError(codeBadEncoding, `invalid byte sequence for encoding "UTF8": 0x%02x`, s[i])
			}
			i += n
		}
	}
	return nil
}

// parseBytea is byteain: "\x" and hex digits (spaces between pairs), or the
// escape format (\\ and \ooo octal; other bytes as they are).
func parseBytea(s string) ([]byte, error) {
	if strings.HasPrefix(s, `\x`) {
		return parseHexBytea(s[2:])
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		switch {
		case i+1 < len(s) && s[i+1] == '\\':
			out = append(out, '\\')
			i++
		case i+3 < len(s) && isOctal(s[i+1]) && s[i+1] <= '3' && isOctal(s[i+2]) && isOctal(s[i+3]):
			out = append(out, (s[i+1]-'0')<<6|(s[i+2]-'0')<<3|(s[i+3]-'0'))
			i += 3
		default:
			return nil, invalidText(oidBytea, s)
		}
	}
	return out, nil
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

func parseHexBytea(s string) ([]byte, error) {
	out := make([]byte, 0, len(s)/2)
	var hi byte
	half := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if strings.IndexByte(" \t\n\r", c) >= 0 {
			continue
		}
		v, ok := hexValue(c)
		if !ok {
			return nil, newError(codeInvalidParameterValue, "invalid hexadecimal digit: \"%s\"", string(rune(c)))
		}
		if half {
			out = append(out, hi<<4|v)
		} else {
			hi = v
		}
		half = !half
	}
	if half {
		return nil, newError(codeInvalidParameterValue, "invalid hexadecimal data: odd number of digits")
	}
	return out, nil
}

func hexValue(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// timestampLayouts extend the engine's literal syntax (plan.ParseTimestamp)
// with the other ISO 8601 spellings clients send.
var timestampLayouts = []string{
	"2006-01-02 15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999Z07",
	"2006-01-02 15:04:05.999999999 MST",
	"2006-01-02T15:04",
	"2006-01-02 15:04Z07:00",
}

// parseTimestamp reads an ISO 8601 timestamp as microseconds since the
// epoch; a zone offset converts it to UTC (the engine's rule for literals).
func parseTimestamp(s string) (int64, error) {
	t := strings.Trim(s, pgSpace)
	switch strings.ToLower(t) {
	case "epoch":
		return 0, nil
	case "infinity", "-infinity", "+infinity":
		return 0, newError(codeFeatureNotSupported, "timestamp \"%s\" is not supported", s)
	}
	if us, ok := fastTimestamp(t); ok {
		return us, nil
	}
	if us, err := plan.ParseTimestamp(t); err == nil {
		return us, nil
	}
	var firstErr error
	for _, layout := range timestampLayouts {
		ts, err := time.Parse(layout, t)
		if err == nil {
			return ts.UnixMicro(), nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if _, err := time.Parse("2006-01-02 15:04:05.999999999", t); err != nil {
		firstErr = err
	}
	return 0, datetimeError(oidTimestamp, s, firstErr)
}

// parseDate reads "YYYY-MM-DD" (or a timestamp, whose time is dropped) as
// days since the epoch.
func parseDate(s string) (int64, error) {
	t := strings.Trim(s, pgSpace)
	if strings.EqualFold(t, "epoch") {
		return 0, nil
	}
	if len(t) == 10 {
		if days, ok := fastDate(t); ok {
			return days, nil
		}
	}
	if d, err := plan.ParseDate(t); err == nil {
		return d, nil
	}
	if us, err := parseTimestamp(t); err == nil {
		return floorDiv(us, 86400*1e6), nil
	}
	_, err := time.Parse("2006-01-02", t)
	return 0, datetimeError(oidDate, s, err)
}

// fastDate reads "YYYY-MM-DD" without time.Parse (COPY's hot path); false
// leaves the text to the general parser.
func fastDate(s string) (int64, bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > storage.DaysInMonth(y, m) {
		return 0, false
	}
	return storage.DaysFromCivil(int64(y), int64(m), int64(d)), true
}

// fastTimestamp reads "YYYY-MM-DD[( |T)HH:MM[:SS[.fraction]]][Z|±HH[[:]MM]]"
// without time.Parse; false leaves the text to the general parser. The
// fraction is cut to microseconds, as the general parser does.
func fastTimestamp(s string) (int64, bool) {
	days, ok := fastDate(s)
	if !ok {
		return 0, false
	}
	us := days * 86400 * 1_000_000
	rest := s[10:]
	if rest == "" {
		return us, true
	}
	if len(rest) < 6 || (rest[0] != ' ' && rest[0] != 'T') || rest[3] != ':' {
		return 0, false
	}
	h, ok1 := digits(rest[1:3])
	mi, ok2 := digits(rest[4:6])
	if !ok1 || !ok2 || h > 23 || mi > 59 {
		return 0, false
	}
	sec := int64(h*3600 + mi*60)
	rest = rest[6:]
	if len(rest) >= 3 && rest[0] == ':' {
		se, ok := digits(rest[1:3])
		if !ok || se > 59 {
			return 0, false
		}
		sec += int64(se)
		rest = rest[3:]
		if len(rest) > 1 && rest[0] == '.' {
			n := 1
			frac := int64(0)
			for ; n < len(rest) && rest[n] >= '0' && rest[n] <= '9'; n++ {
				if n <= 6 {
					frac = frac*10 + int64(rest[n]-'0')
				}
			}
			if n == 1 || n > 10 {
				return 0, false
			}
			for i := n; i <= 6; i++ {
				frac *= 10
			}
			us += frac
			rest = rest[n:]
		}
	}
	us += sec * 1_000_000
	off, ok := fastOffset(rest)
	if !ok {
		return 0, false
	}
	return us - int64(off)*1_000_000, true
}

// fastOffset reads "", "Z", "±HH", "±HHMM" or "±HH:MM" as seconds east.
func fastOffset(s string) (int, bool) {
	switch {
	case s == "" || s == "Z":
		return 0, true
	case s[0] != '+' && s[0] != '-' || len(s) < 3:
		return 0, false
	}
	h, ok := digits(s[1:3])
	m := 0
	switch rest := s[3:]; {
	case rest == "":
	case len(rest) == 2:
		m, ok = digits(rest)
	case len(rest) == 3 && rest[0] == ':':
		m, ok = digits(rest[1:])
	default:
		return 0, false
	}
	if !ok || h > 15 || m > 59 {
		return 0, false
	}
	off := h*3600 + m*60
	if s[0] == '-' {
		off = -off
	}
	return off, true
}

// digits reads a short run of decimal digits.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, len(s) > 0
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// datetimeError is 22008 when the text had the shape of a date but a field
// out of range, else 22007.
func datetimeError(oid uint32, s string, err error) error {
	if err != nil && strings.Contains(err.Error(), "out of range") {
		return newError(codeDatetimeOverflow, "date/time field value out of range: \"%s\"", s)
	}
	name := "timestamp"
	if oid == oidDate {
		name = "date"
	}
	return newError(codeInvalidDatetime, "invalid input syntax for type %s: \"%s\"", name, s)
}

// checkIntRange narrows v to a column of type t (22003 when it does not
// fit).
func checkIntRange(v int64, t storage.ColumnType) error {
	if t == storage.TypeInt32 && (v < math.MinInt32 || v > math.MaxInt32) {
		return newError(codeOutOfRange, "integer out of range")
	}
	return nil
}
