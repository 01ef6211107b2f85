package pgwire

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"
)

// float8 and numeric, printed as PostgreSQL prints them.

// appendFloat8 is float8out. With extra_float_digits > 0 (the default, 1)
// PostgreSQL 12+ prints the shortest text that reads back exactly, in
// exponent form when the decimal exponent is below -4 or at least 15;
// otherwise it prints 15+extra_float_digits significant digits (%g).
func appendFloat8(dst []byte, v float64, bin bool, efd int) []byte {
	if bin {
		return binary.BigEndian.AppendUint64(dst, math.Float64bits(v))
	}
	switch {
	case math.IsNaN(v):
		return append(dst, "NaN"...)
	case math.IsInf(v, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(v, -1):
		return append(dst, "-Infinity"...)
	}
	if efd <= 0 {
		return strconv.AppendFloat(dst, v, 'g', max(15+efd, 1), 64)
	}
	if v == 0 {
		return strconv.AppendFloat(dst, v, 'f', -1, 64) // "0" or "-0"
	}
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], v, 'e', -1, 64)
	exp, _ := strconv.Atoi(string(e[strings.LastIndexByte(string(e), 'e')+1:]))
	if exp < -4 || exp >= 15 {
		return append(dst, e...)
	}
	return strconv.AppendFloat(dst, v, 'f', -1, 64)
}

// appendNumericFloat prints a float result declared numeric (avg) as
// decimal text with at most 15 significant digits (DBL_DIG: every one of
// them is meaningful; a 16th would print float64's rounding noise, as in
// 33.33333333333334 for 100/3), trailing zeros dropped, never in exponent
// form (numeric has none).
func appendNumericFloat(dst []byte, v float64) []byte {
	switch {
	case math.IsNaN(v):
		return append(dst, "NaN"...)
	case math.IsInf(v, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(v, -1):
		return append(dst, "-Infinity"...)
	case v == 0:
		return append(dst, '0')
	}
	if v < 0 {
		dst = append(dst, '-')
		v = -v
	}
	e := strconv.FormatFloat(v, 'e', 14, 64) // d.dddddddddddddde±XX
	at := strings.IndexByte(e, 'e')
	digits := e[:1] + e[2:at]
	exp, _ := strconv.Atoi(e[at+1:])
	point := exp + 1 // digits before the decimal point
	var intPart, frac string
	switch {
	case point <= 0:
		intPart, frac = "0", strings.Repeat("0", -point)+digits
	case point >= len(digits):
		intPart = digits + strings.Repeat("0", point-len(digits))
	default:
		intPart, frac = digits[:point], digits[point:]
	}
	dst = append(dst, intPart...)
	if frac = strings.TrimRight(frac, "0"); frac != "" {
		dst = append(dst, '.')
		dst = append(dst, frac...)
	}
	return dst
}

// Binary numeric:
//
//	int16 ndigits | int16 weight | uint16 sign | int16 dscale | ndigits × int16 (base 10000)
//
// The value is Σ digit[i] × 10000^(weight-i); dscale is the number of
// decimal digits after the point.
const (
	numericPos  = 0x0000
	numericNeg  = 0x4000
	numericNaN  = 0xC000
	numericPInf = 0xD000
	numericNInf = 0xF000
)

// appendNumericBinary encodes decimal text ("-12.50", "NaN", "Infinity")
// in numeric's binary format.
func appendNumericBinary(dst, text []byte) []byte {
	s := string(text)
	if sign, ok := numericSpecial(s); ok {
		dst = binary.BigEndian.AppendUint16(dst, 0)
		dst = binary.BigEndian.AppendUint16(dst, 0)
		dst = binary.BigEndian.AppendUint16(dst, sign)
		return binary.BigEndian.AppendUint16(dst, 0)
	}
	sign := uint16(numericPos)
	if strings.HasPrefix(s, "-") {
		sign, s = numericNeg, s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	dscale := len(frac)
	intPart = strings.Repeat("0", (4-len(intPart)%4)%4) + intPart
	frac += strings.Repeat("0", (4-len(frac)%4)%4)
	all := intPart + frac
	groups := make([]uint16, 0, len(all)/4)
	for i := 0; i < len(all); i += 4 {
		g, _ := strconv.Atoi(all[i : i+4])
		groups = append(groups, uint16(g))
	}
	weight := len(intPart)/4 - 1
	for len(groups) > 0 && groups[0] == 0 {
		groups, weight = groups[1:], weight-1
	}
	for len(groups) > 0 && groups[len(groups)-1] == 0 {
		groups = groups[:len(groups)-1]
	}
	if len(groups) == 0 {
		weight, sign = 0, numericPos
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(groups)))
	dst = binary.BigEndian.AppendUint16(dst, uint16(int16(weight)))
	dst = binary.BigEndian.AppendUint16(dst, sign)
	dst = binary.BigEndian.AppendUint16(dst, uint16(dscale))
	for _, g := range groups {
		dst = binary.BigEndian.AppendUint16(dst, g)
	}
	return dst
}

func numericSpecial(s string) (uint16, bool) {
	switch s {
	case "NaN":
		return numericNaN, true
	case "Infinity":
		return numericPInf, true
	case "-Infinity":
		return numericNInf, true
	}
	return 0, false
}

// decodeNumericBinary turns numeric's binary format into decimal text.
func decodeNumericBinary(b []byte) (string, bool) {
	if len(b) < 8 {
		return "", false
	}
	n := int(binary.BigEndian.Uint16(b))
	weight := int(int16(binary.BigEndian.Uint16(b[2:])))
	sign := binary.BigEndian.Uint16(b[4:])
	dscale := int(binary.BigEndian.Uint16(b[6:]))
	if len(b) != 8+2*n {
		return "", false
	}
	switch sign {
	case numericNaN:
		return "NaN", true
	case numericPInf:
		return "Infinity", true
	case numericNInf:
		return "-Infinity", true
	case numericPos, numericNeg:
	default:
		return "", false
	}
	var digits strings.Builder
	for i := range n {
		g := binary.BigEndian.Uint16(b[8+2*i:])
		if g > 9999 {
			return "", false
		}
		digits.WriteString(strconv.Itoa(int(g) + 10000)[1:])
	}
	// digits hold 4*n decimal digits; the point sits after 4*(weight+1).
	all := digits.String()
	point := 4 * (weight + 1)
	switch {
	case point <= 0:
		all = strings.Repeat("0", -point) + all
		point = 0
	case point > len(all):
		all += strings.Repeat("0", point-len(all))
	}
	intPart := strings.TrimLeft(all[:point], "0")
	if intPart == "" {
		intPart = "0"
	}
	frac := all[point:]
	if len(frac) > dscale {
		frac = frac[:dscale]
	} else {
		frac += strings.Repeat("0", dscale-len(frac))
	}
	out := intPart
	if frac != "" {
		out += "." + frac
	}
	if sign == numericNeg && strings.Trim(out, "0.") != "" {
		out = "-" + out
	}
	return out, true
}
