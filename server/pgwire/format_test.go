package pgwire

import (
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

func TestFloat8Text(t *testing.T) {
	// What PostgreSQL 15 prints (extra_float_digits = 1, the default).
	for v, want := range map[float64]string{
		1.5: "1.5", 0.1: "0.1", 100: "100", 1e14: "100000000000000", 1e15: "1e+15", 1e20: "1e+20",
		0.0001: "0.0001", 0.00001: "1e-05", 1.0 / 3: "0.3333333333333333", -2.5e-10: "-2.5e-10",
		123456789012345.6: "123456789012345.6", math.Inf(1): "Infinity", math.Inf(-1): "-Infinity",
		0: "0", math.Copysign(0, -1): "-0",
	} {
		if got := string(appendFloat8(nil, v, false, 1)); got != want {
			t.Errorf("%v: %q, want %q", v, got, want)
		}
	}
	if got := string(appendFloat8(nil, math.NaN(), false, 1)); got != "NaN" {
		t.Errorf("NaN: %q", got)
	}
	// extra_float_digits = 0: %.15g.
	if got := string(appendFloat8(nil, 1.0/3, false, 0)); got != "0.333333333333333" {
		t.Errorf("efd 0: %q", got)
	}
}

func TestNumericFloatText(t *testing.T) {
	for v, want := range map[float64]string{
		1.5: "1.5", 2: "2", 0.1 + 0.2: "0.3", 1.0 / 3: "0.333333333333333", 100.0 / 3: "33.3333333333333",
		-0.000123: "-0.000123", 1e20: "100000000000000000000", 1.25e-7: "0.000000125", 0: "0",
	} {
		if got := string(appendNumericFloat(nil, v)); got != want {
			t.Errorf("%v: %q, want %q", v, got, want)
		}
	}
}

func TestNumericBinary(t *testing.T) {
	for text, want := range map[string]string{
		"0": "0", "1": "1", "-12.50": "-12.50", "10000": "10000", "0.0001": "0.0001",
		"123456789.123456789": "123456789.123456789", "NaN": "NaN", "-Infinity": "-Infinity", "-0": "0",
	} {
		got, ok := decodeNumericBinary(appendNumericBinary(nil, []byte(text)))
		if !ok || got != want {
			t.Errorf("%s: %q %v, want %q", text, got, ok, want)
		}
	}
}

func FuzzNumericBinary(f *testing.F) {
	for _, s := range []string{"0", "1", "-12.5", "1e20", "0.000125", "123456789.25"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return
		}
		text := string(appendNumericFloat(nil, v))
		back, ok := decodeNumericBinary(appendNumericBinary(nil, []byte(text)))
		if !ok {
			t.Fatalf("%s: not decodable", text)
		}
		a, _ := strconv.ParseFloat(text, 64)
		b, _ := strconv.ParseFloat(back, 64)
		if a != b {
			t.Fatalf("%s -> %s", text, back)
		}
	})
}

func TestParseText(t *testing.T) {
	ok := []struct {
		t    storage.ColumnType
		in   string
		want plan.Value
	}{
		{storage.TypeInt64, " -42 ", plan.Int64(-42)},
		{storage.TypeInt64, "+7", plan.Int64(7)},
		{storage.TypeInt32, "2147483647", plan.Int32(math.MaxInt32)},
		{storage.TypeFloat64, " 1.5e3", plan.Float64(1500)},
		{storage.TypeFloat64, "-Infinity", plan.Float64(math.Inf(-1))},
		{storage.TypeBool, "YES", plan.Bool(true)},
		{storage.TypeBool, "of", plan.Bool(false)},
		{storage.TypeBool, " t ", plan.Bool(true)},
		{storage.TypeBinary, `\x DE ad`, plan.Binary([]byte{0xde, 0xad})},
		{storage.TypeBinary, `a\\b\001`, plan.Binary([]byte{'a', '\\', 'b', 1})},
		{storage.TypeTimestamp, "2024-01-02 03:04:05.5", plan.TimestampMicros(1704164645500000)},
		{storage.TypeTimestamp, "2024-01-02T05:04:05+02:00", plan.TimestampMicros(1704164645000000)},
		{storage.TypeTimestamp, "2024-01-02", plan.TimestampMicros(1704153600000000)},
		{storage.TypeDate, "1969-12-31", plan.Date(-1)},
		{storage.TypeDate, "2024-01-02 23:59", plan.Date(19724)},
		{storage.TypeString, "héllo", plan.String("héllo")},
	}
	for _, c := range ok {
		got, err := parseText(c.t, c.in)
		if err != nil || got != c.want {
			t.Errorf("%v %q: %v %v, want %v", c.t, c.in, got, err, c.want)
		}
	}
	bad := []struct {
		t    storage.ColumnType
		in   string
		code string
	}{
		{storage.TypeInt64, "1.5", "22P02"},
		{storage.TypeInt64, "", "22P02"},
		{storage.TypeInt64, "--1", "22P02"},
		{storage.TypeInt32, "2147483648", "22003"},
		{storage.TypeFloat64, "1e400", "22003"},
		{storage.TypeFloat64, "abc", "22P02"},
		{storage.TypeBool, "o", "22P02"},
		{storage.TypeBool, "maybe", "22P02"},
		{storage.TypeBinary, `\x0`, "22023"},
		{storage.TypeBinary, `a\b`, "22P02"},
		{storage.TypeTimestamp, "yesterday-ish", "22007"},
		{storage.TypeDate, "2024-13-01", "22008"},
		{storage.TypeString, "a\x00b", "22021"},
		{storage.TypeString, "\xff", "22021"},
	}
	for _, c := range bad {
		_, err := parseText(c.t, c.in)
		if code := errorResponse(err).Code; err == nil || code != c.code {
			t.Errorf("%v %q: %v (%s), want %s", c.t, c.in, err, code, c.code)
		}
	}
}

func TestStatementTimeoutSetting(t *testing.T) {
	for in, want := range map[string]string{"0": "0", "100": "100ms", "100ms": "100ms", "5s": "5s", "5000": "5s", "1.5s": "1500ms",
		"2 min": "2min", "60s": "1min", "1h": "1h", "1d": "1d", "1500us": "2ms"} {
		got, err := checkMillis(in)
		if err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"abc", "-1", "5 weeks", "1e12"} {
		if _, err := checkMillis(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestVersionNum(t *testing.T) {
	for in, want := range map[string]string{"15.0 (Strata)": "150000", "15.4": "150004", "16.12 x": "160012", "junk": "150000"} {
		if got := versionNum(in); got != want {
			t.Errorf("%q: %q want %q", in, got, want)
		}
	}
}

// The fast timestamp and date readers agree with time.Parse.
func TestFastTimestamp(t *testing.T) {
	for _, s := range []string{"2024-01-02", "1969-12-31 23:59:59.999999", "2024-02-29T12:00", "2000-03-01 00:00:00Z",
		"2024-01-02 03:04:05.123456789", "2024-01-02 03:04:05+05:30", "2024-01-02 03:04:05-0800", "2024-01-02T03:04:05.5-02",
		"0001-01-01 00:00:00", "9999-12-31 23:59:59", "1900-02-28"} {
		got, ok := fastTimestamp(s)
		want, err := plan.ParseTimestamp(s)
		if err != nil {
			tt, err2 := time.Parse("2006-01-02 15:04:05.999999999Z0700", s)
			if err2 != nil {
				tt, err2 = time.Parse("2006-01-02T15:04:05.999999999Z07", s)
			}
			if err2 != nil {
				tt, err2 = time.Parse("2006-01-02T15:04", s)
			}
			if err2 != nil {
				t.Fatalf("%s: no reference parse: %v", s, err)
			}
			want = tt.UnixMicro()
		}
		if !ok || got != want {
			t.Errorf("%s: %d %v, want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"2024-02-30", "2023-02-29", "2024-13-01", "2024-01-02 24:00:00", "2024-01-02 3:04", "20240102", "2024-01-02 03:04:05 UTC"} {
		if _, ok := fastTimestamp(s); ok {
			t.Errorf("%s: accepted", s)
		}
	}
}
