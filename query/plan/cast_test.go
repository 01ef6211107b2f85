package plan

import (
	"errors"
	"math"
	"testing"

	"github.com/stratadb/strata/storage"
)

// Expected texts are PostgreSQL 15's.
func TestFormatFloat8(t *testing.T) {
	cases := map[float64]string{
		1e15: "1e+15", 1e14: "100000000000000", 123456789012345.6: "123456789012345.6", 0.0001: "0.0001",
		0.00001: "1e-05", math.Copysign(0, -1): "-0", math.NaN(): "NaN", math.Inf(1): "Infinity",
		math.Inf(-1): "-Infinity", -2.5: "-2.5", 1.2345678901234568e+17: "1.2345678901234568e+17", 1e300: "1e+300",
	}
	for f, want := range cases {
		if got := FormatFloat8(f); got != want {
			t.Errorf("FormatFloat8(%v) = %q, want %q", f, got, want)
		}
	}
}

func TestParseAs(t *testing.T) {
	ok := []struct {
		s    string
		t    storage.ColumnType
		want Value
	}{
		{" 12 ", storage.TypeInt64, Int64(12)}, {"-7", storage.TypeInt32, Int32(-7)}, {"+3", storage.TypeInt64, Int64(3)},
		{"ye", storage.TypeBool, Bool(true)}, {"of", storage.TypeBool, Bool(false)}, {"T", storage.TypeBool, Bool(true)},
		{"0", storage.TypeBool, Bool(false)}, {" 1.5e3", storage.TypeFloat64, Float64(1500)}, {"-Infinity", storage.TypeFloat64, Float64(math.Inf(-1))},
		{"2024-01-02 10:11", storage.TypeDate, Date(19724)}, {"1969-12-31 23:00", storage.TypeDate, Date(-1)},
		{"2024-01-02", storage.TypeTimestamp, TimestampMicros(19724 * usPerDay)}, {" x ", storage.TypeString, String(" x ")},
	}
	for _, c := range ok {
		got, err := ParseAs(c.s, c.t)
		if err != nil || got != c.want {
			t.Errorf("ParseAs(%q, %v) = %v, %v; want %v", c.s, c.t, got, err, c.want)
		}
	}
	bad := []struct {
		s    string
		t    storage.ColumnType
		want error
	}{
		{"abc", storage.TypeInt64, ErrBadValue}, {"1.5", storage.TypeInt32, ErrBadValue}, {"0x10", storage.TypeFloat64, ErrBadValue},
		{"1_000", storage.TypeFloat64, ErrBadValue}, {"o", storage.TypeBool, ErrBadValue}, {"", storage.TypeBool, ErrBadValue},
		{"99999999999999999999", storage.TypeInt64, ErrOutOfRange}, {"3000000000", storage.TypeInt32, ErrOutOfRange},
		{"1e400", storage.TypeFloat64, ErrOutOfRange}, {"1e-400", storage.TypeFloat64, ErrOutOfRange}, {"x", storage.TypeDate, ErrBadValue},
	}
	for _, c := range bad {
		if _, err := ParseAs(c.s, c.t); !errors.Is(err, c.want) {
			t.Errorf("ParseAs(%q, %v): %v, want %v", c.s, c.t, err, c.want)
		}
	}
	_, err := ParseAs("abc", storage.TypeInt64)
	if want := `invalid input syntax for type bigint: "abc"`; err == nil || err.Error() != "invalid value: "+want {
		t.Errorf("message %q, want it to end with %s", err, want)
	}
}

func TestCastValue(t *testing.T) {
	ok := []struct {
		v    Value
		to   storage.ColumnType
		want Value
	}{
		{Float64(2.5), storage.TypeInt64, Int64(2)}, {Float64(-2.5), storage.TypeInt32, Int32(-2)}, {Float64(3.5), storage.TypeInt64, Int64(4)},
		{Float64(0.49999999999999994), storage.TypeInt64, Int64(0)}, {Int64(7), storage.TypeFloat64, Float64(7)},
		{Int32(0), storage.TypeBool, Bool(false)}, {Bool(true), storage.TypeInt64, Int64(1)},
		{TimestampMicros(-1), storage.TypeDate, Date(-1)}, {Date(1), storage.TypeTimestamp, TimestampMicros(usPerDay)},
		{Binary([]byte{1, 0xab}), storage.TypeString, String(`\x01ab`)}, {Float64(1e20), storage.TypeString, String("1e+20")},
		{TimestampMicros(1_500_000), storage.TypeString, String("1970-01-01 00:00:01.5")}, {NullOf(storage.TypeTimestamp), storage.TypeDate, NullOf(storage.TypeDate)},
		{Null(), storage.TypeBool, NullOf(storage.TypeBool)}, {String("abc"), storage.TypeBinary, Binary([]byte("abc"))},
	}
	for _, c := range ok {
		got, err := CastValue(c.v, c.to)
		if err != nil || got != c.want {
			t.Errorf("CastValue(%v, %v) = %v, %v; want %v", c.v, c.to, got, err, c.want)
		}
	}
	for _, c := range []struct {
		v  Value
		to storage.ColumnType
	}{{Float64(math.NaN()), storage.TypeInt64}, {Float64(9.3e18), storage.TypeInt64}, {Int64(3e9), storage.TypeInt32}, {Float64(math.Inf(-1)), storage.TypeInt32}} {
		if _, err := CastValue(c.v, c.to); !errors.Is(err, ErrOutOfRange) {
			t.Errorf("CastValue(%v, %v): %v, want out of range", c.v, c.to, err)
		}
	}
	if _, err := CastValue(Bool(true), storage.TypeFloat64); !errors.Is(err, ErrTypeMismatch) {
		t.Errorf("bool to float: %v", err)
	}
}
