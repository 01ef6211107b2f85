package pgcatalog

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
)

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

// textOf is the text form of a non-NULL value of type typ, as a cast to
// text gives it.
func textOf(ec *evalCtx, v any, typ uint32) string {
	switch v := v.(type) {
	case string:
		return v
	case bool:
		if v {
			return "true"
		}
		return "false"
	case int64:
		if isReg(typ) {
			return ec.regName(v, typ)
		}
		return itoa(v)
	case float64:
		return formatFloat(v)
	case []any:
		return formatArray(ec, v, elemType(typ))
	}
	return fmt.Sprint(v)
}

func formatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	// Shortest exact form, as PostgreSQL 12+ prints float8 (1e+20, 0.1).
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// formatArray is PostgreSQL's array output: {a,b,"c d",NULL}.
func formatArray(ec *evalCtx, elems []any, elem uint32) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, e := range elems {
		if i > 0 {
			b.WriteByte(',')
		}
		if e == nil {
			b.WriteString("NULL")
			continue
		}
		var s string
		if x, ok := e.(bool); ok {
			s = "f"
			if x {
				s = "t"
			}
		} else {
			s = textOf(ec, e, elem)
		}
		if needsArrayQuote(s) {
			b.WriteByte('"')
			for _, r := range s {
				if r == '"' || r == '\\' {
					b.WriteByte('\\')
				}
				b.WriteRune(r)
			}
			b.WriteByte('"')
		} else {
			b.WriteString(s)
		}
	}
	b.WriteByte('}')
	return b.String()
}

func needsArrayQuote(s string) bool {
	if s == "" || strings.EqualFold(s, "NULL") {
		return true
	}
	return strings.ContainsAny(s, "{},\"\\ \t\n\r\v\f")
}

// parseArray reads a one-dimensional array literal ('{a,"b c",NULL}');
// nil elements are NULLs.
func parseArray(s string) ([]*string, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[") { // explicit bounds: [0:2]={1,2,3}
		if i := strings.Index(s, "="); i > 0 {
			s = strings.TrimSpace(s[i+1:])
		}
	}
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return nil, errorf(codeInvalidText, "malformed array literal: %q", s)
	}
	body := s[1 : len(s)-1]
	var out []*string
	if strings.TrimSpace(body) == "" {
		return out, nil
	}
	for i := 0; ; {
		elem, quoted, next, err := arrayElem(body, i)
		if err != nil {
			return nil, errorf(codeInvalidText, "malformed array literal: %q", s)
		}
		if !quoted && strings.EqualFold(elem, "NULL") {
			out = append(out, nil)
		} else {
			out = append(out, &elem)
		}
		if next >= len(body) {
			return out, nil
		}
		i = next + 1 // skip the comma
	}
}

// arrayElem reads one element starting at i; next is the index of the
// comma after it (or len(body)).
func arrayElem(body string, i int) (elem string, quoted bool, next int, err error) {
	for i < len(body) && isSpace(body[i]) {
		i++
	}
	var b bytes.Buffer
	if i < len(body) && body[i] == '"' {
		quoted = true
		i++
		for ; i < len(body) && body[i] != '"'; i++ {
			if body[i] == '\\' && i+1 < len(body) {
				i++
			}
			b.WriteByte(body[i])
		}
		if i >= len(body) {
			return "", false, 0, fmt.Errorf("unterminated quote")
		}
		i++
		for i < len(body) && isSpace(body[i]) {
			i++
		}
		if i < len(body) && body[i] != ',' {
			return "", false, 0, fmt.Errorf("junk after quoted element")
		}
		return b.String(), true, i, nil
	}
	for ; i < len(body) && body[i] != ','; i++ {
		switch body[i] {
		case '{', '}', '"':
			return "", false, 0, fmt.Errorf("nested or misplaced brace or quote")
		case '\\':
			if i+1 < len(body) {
				i++
			}
		}
		b.WriteByte(body[i])
	}
	return strings.TrimRight(b.String(), " \t\n\r\v\f"), false, i, nil
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// cast converts v of type from to type to, as PostgreSQL's casts (and
// input functions, for text) do.
func cast(ec *evalCtx, v any, from, to uint32) (any, error) {
	if v == nil || from == to {
		return v, nil
	}
	switch kindOf(to) {
	case kText:
		s := textOf(ec, v, from)
		if to == oidChar && len(s) > 1 {
			s = s[:1]
		}
		return s, nil
	case kBool:
		return castBool(v)
	case kInt:
		return castInt(v, to)
	case kFloat:
		return castFloat(v, to)
	case kOID:
		return castOID(ec, v, to)
	case kArray:
		return castArray(ec, v, from, to)
	}
	return nil, errorf(codeInternal, "BUG: no cast to %s", typeName(to))
}

func castBool(v any) (any, error) {
	switch v := v.(type) {
	case bool:
		return v, nil
	case int64:
		return v != 0, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "t", "tr", "tru", "true", "y", "ye", "yes", "on", "1":
			return true, nil
		case "f", "fa", "fal", "fals", "false", "n", "no", "of", "off", "0":
			return false, nil
		}
		return nil, errorf(codeInvalidText, "invalid input syntax for type boolean: %q", v)
	}
	return nil, errorf(codeDatatypeMismatch, "cannot cast %T to boolean", v)
}

func castInt(v any, to uint32) (any, error) {
	var i int64
	switch v := v.(type) {
	case int64:
		i = v
	case bool:
		if v {
			i = 1
		}
	case float64:
		if math.IsNaN(v) || v > math.MaxInt64 || v < math.MinInt64 {
			return nil, errorf(codeOutOfRange, "%s out of range", typeName(to))
		}
		i = int64(math.RoundToEven(v))
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return nil, errorf(codeOutOfRange, "value %q is out of range for type %s", v, typeName(to))
			}
			return nil, errorf(codeInvalidText, "invalid input syntax for type %s: %q", typeName(to), v)
		}
		i = n
	default:
		return nil, errorf(codeDatatypeMismatch, "cannot cast to %s", typeName(to))
	}
	return checkIntRange(i, to)
}

func checkIntRange(i int64, to uint32) (any, error) {
	switch to {
	case oidInt2:
		if i < math.MinInt16 || i > math.MaxInt16 {
			return nil, errorf(codeOutOfRange, "smallint out of range")
		}
	case oidInt4:
		if i < math.MinInt32 || i > math.MaxInt32 {
			return nil, errorf(codeOutOfRange, "integer out of range")
		}
	}
	return i, nil
}

func castFloat(v any, to uint32) (any, error) {
	switch v := v.(type) {
	case float64:
		return v, nil
	case int64:
		return float64(v), nil
	case bool:
		if v {
			return 1.0, nil
		}
		return 0.0, nil
	case string:
		s := strings.TrimSpace(v)
		switch strings.ToLower(s) {
		case "infinity", "+infinity", "inf":
			return math.Inf(1), nil
		case "-infinity", "-inf":
			return math.Inf(-1), nil
		case "nan":
			return math.NaN(), nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, errorf(codeInvalidText, "invalid input syntax for type %s: %q", typeName(to), v)
		}
		return f, nil
	}
	return nil, errorf(codeDatatypeMismatch, "cannot cast to %s", typeName(to))
}

func castOID(ec *evalCtx, v any, to uint32) (any, error) {
	switch v := v.(type) {
	case int64:
		return int64(uint32(v)), nil
	case float64:
		return int64(uint32(int64(v))), nil
	case string:
		s := strings.TrimSpace(v)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			if n < math.MinInt32 || n > math.MaxUint32 {
				return nil, errorf(codeOutOfRange, "value %q is out of range for type oid", v)
			}
			return int64(uint32(n)), nil
		}
		if !isReg(to) {
			return nil, errorf(codeInvalidText, "invalid input syntax for type %s: %q", typeName(to), v)
		}
		if s == "-" {
			return int64(0), nil
		}
		return ec.regLookup(s, to)
	}
	return nil, errorf(codeDatatypeMismatch, "cannot cast to %s", typeName(to))
}

func castArray(ec *evalCtx, v any, from, to uint32) (any, error) {
	elem := elemType(to)
	switch v := v.(type) {
	case []any:
		fromElem := elemType(from)
		out := make([]any, len(v))
		for i, e := range v {
			c, err := cast(ec, e, fromElem, elem)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case string:
		if to == oidInt2Vector || to == oidOIDVector {
			// Space-separated, without braces.
			fields := strings.Fields(v)
			out := make([]any, len(fields))
			for i, f := range fields {
				c, err := cast(ec, f, oidText, elem)
				if err != nil {
					return nil, err
				}
				out[i] = c
			}
			return out, nil
		}
		parts, err := parseArray(v)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(parts))
		for i, p := range parts {
			if p == nil {
				continue
			}
			c, err := cast(ec, *p, oidText, elem)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	}
	return nil, errorf(codeDatatypeMismatch, "cannot cast %s to %s", typeName(from), typeName(to))
}

// compare orders two non-NULL values: numbers numerically, strings by
// bytes (the C collation), false before true, arrays element by element.
func compare(a, b any) int {
	switch a := a.(type) {
	case int64:
		switch b := b.(type) {
		case int64:
			return cmp3(a < b, a > b)
		case float64:
			return compareFloat(float64(a), b)
		}
	case float64:
		switch b := b.(type) {
		case float64:
			return compareFloat(a, b)
		case int64:
			return compareFloat(a, float64(b))
		}
	case string:
		if b, ok := b.(string); ok {
			return strings.Compare(a, b)
		}
	case bool:
		if b, ok := b.(bool); ok {
			return cmp3(!a && b, a && !b)
		}
	case []any:
		if b, ok := b.([]any); ok {
			return compareArrays(a, b)
		}
	}
	// Mixed kinds only meet in lenient comparisons: order by text.
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

func cmp3(less, greater bool) int {
	switch {
	case less:
		return -1
	case greater:
		return 1
	}
	return 0
}

// compareFloat orders NaN above every other value, as PostgreSQL does.
func compareFloat(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	return cmp3(a < b, a > b)
}

func compareArrays(a, b []any) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		switch {
		case a[i] == nil && b[i] == nil:
			continue
		case a[i] == nil:
			return 1
		case b[i] == nil:
			return -1
		}
		if c := compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return cmp3(len(a) < len(b), len(a) > len(b))
}

// appendKey appends an encoding of v that is equal for values DISTINCT,
// GROUP BY and UNION treat as the same.
func appendKey(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, 'N')
	case bool:
		if v {
			return append(b, 'T')
		}
		return append(b, 'F')
	case int64:
		return strconv.AppendInt(append(b, 'n'), v, 10)
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<62 {
			return strconv.AppendInt(append(b, 'n'), int64(v), 10)
		}
		return strconv.AppendFloat(append(b, 'f'), v, 'g', -1, 64)
	case string:
		b = strconv.AppendInt(append(b, 's'), int64(len(v)), 10)
		return append(append(b, ':'), v...)
	case []any:
		b = strconv.AppendInt(append(b, 'a'), int64(len(v)), 10)
		for _, e := range v {
			b = appendKey(b, e)
		}
		return b
	}
	return fmt.Appendf(b, "?%v", v)
}

// outputType is the type a result column is declared with: the types the
// wire protocol knows (see the package doc), others as text.
func outputType(t uint32) uint32 {
	switch t {
	case oidBool, oidChar, oidName, oidText, oidVarchar, oidBpchar,
		oidInt2, oidInt4, oidInt8, oidOID, oidRegproc, oidRegclass, oidRegtype,
		oidRegnamespace, oidRegrole, oidFloat8, oidTextArray, oidNameArray:
		return t
	case oidFloat4, oidNumeric:
		return oidFloat8
	case oidXID, 29, 5069:
		return oidOID
	case oidUnknown:
		return oidText
	}
	if kindOf(t) == kArray {
		return oidTextArray
	}
	return oidText
}

// toOutput converts an evaluated value of type t to the Go value its
// output column (outputType(t)) carries.
func toOutput(ec *evalCtx, v any, t uint32) any {
	if v == nil {
		return nil
	}
	switch out := outputType(t); out {
	case oidBool:
		if b, ok := v.(bool); ok {
			return b
		}
	case oidInt2, oidInt4, oidInt8:
		if i, ok := v.(int64); ok {
			switch out {
			case oidInt2:
				return int16(i)
			case oidInt4:
				return int32(i)
			}
			return i
		}
	case oidFloat8:
		if f, ok := v.(float64); ok {
			return f
		}
		if i, ok := v.(int64); ok {
			return float64(i)
		}
	case oidOID, oidRegproc, oidRegclass, oidRegtype, oidRegnamespace, oidRegrole:
		if i, ok := v.(int64); ok {
			return uint32(i)
		}
	case oidTextArray, oidNameArray:
		if a, ok := v.([]any); ok {
			el := elemType(t)
			s := make([]string, len(a))
			for i, e := range a {
				if e == nil {
					s[i] = "NULL"
					continue
				}
				s[i] = textOf(ec, e, el)
			}
			return s
		}
	default:
		return textOf(ec, v, t)
	}
	// A value of an unexpected kind (only lenient paths produce one).
	c, err := cast(ec, v, oidText, outputType(t))
	if err != nil {
		return nil
	}
	return toOutput(ec, c, outputType(t))
}

// fromArg converts a parameter value given by the caller (decoded by the
// wire protocol as the Go type of its OID, or as text) to an evaluated
// value of type t.
func fromArg(ec *evalCtx, v any, t uint32) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return cast(ec, x, oidText, t)
	case []byte:
		return cast(ec, string(x), oidText, t)
	case bool:
		return cast(ec, x, oidBool, t)
	case int:
		return cast(ec, int64(x), oidInt8, t)
	case int8:
		return cast(ec, int64(x), oidInt8, t)
	case int16:
		return cast(ec, int64(x), oidInt8, t)
	case int32:
		return cast(ec, int64(x), oidInt8, t)
	case int64:
		return cast(ec, x, oidInt8, t)
	case uint8:
		return cast(ec, int64(x), oidInt8, t)
	case uint16:
		return cast(ec, int64(x), oidInt8, t)
	case uint32:
		return cast(ec, int64(x), oidOID, t)
	case uint64:
		if x > math.MaxInt64 {
			return nil, errorf(codeOutOfRange, "parameter out of range")
		}
		return cast(ec, int64(x), oidInt8, t)
	case float32:
		return cast(ec, float64(x), oidFloat8, t)
	case float64:
		return cast(ec, x, oidFloat8, t)
	case []string:
		a := make([]any, len(x))
		for i, s := range x {
			a[i] = s
		}
		return cast(ec, a, oidTextArray, t)
	case fmt.Stringer:
		return cast(ec, x.String(), oidText, t)
	}
	return nil, errorf(codeInvalidParameter, "unsupported parameter value of Go type %T", v)
}
