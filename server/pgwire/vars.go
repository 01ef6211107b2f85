package pgwire

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Session variables (PostgreSQL's run-time parameters, "GUCs"): the ones
// drivers and tools set and ask for, with PostgreSQL's defaults. Only
// statement_timeout and extra_float_digits change what Strata does; the
// others are kept so that SET, SHOW and current_setting answer as
// PostgreSQL would. Names are case-insensitive; names with a dot are
// custom variables, which any session may set.

type varDef struct {
	name     string // PostgreSQL's spelling: SHOW's column, ParameterStatus
	def      string // default value
	readOnly bool
	report   bool                         // sent as ParameterStatus when it changes (GUC_REPORT)
	check    func(string) (string, error) // validates and normalizes; nil: any text
	desc     string
}

var varDefs = map[string]*varDef{}

func init() {
	for _, d := range []*varDef{
		{name: "application_name", report: true, check: checkAppName, desc: "Sets the application name to be reported in statistics and logs."},
		{name: "bytea_output", def: "hex", check: checkEnum("hex"), desc: "Sets the output format for bytea."},
		{name: "client_encoding", def: "UTF8", report: true, check: checkEncoding, desc: "Sets the client's character set encoding."},
		{name: "client_min_messages", def: "notice", check: checkEnum("debug5", "debug4", "debug3", "debug2", "debug1", "debug", "log", "notice", "warning", "error"), desc: "Sets the message levels that are sent to the client."},
		{name: "DateStyle", def: "ISO, MDY", report: true, check: checkDateStyle, desc: "Sets the display format for date and time values."},
		{name: "default_transaction_isolation", def: "read committed", check: checkIsolation, desc: "Sets the transaction isolation level of each new transaction."},
		{name: "default_transaction_read_only", def: "off", report: true, check: checkBool, desc: "Sets the default read-only status of new transactions."},
		{name: "extra_float_digits", def: "1", check: checkExtraFloatDigits, desc: "Sets the number of digits displayed for floating-point values."},
		{name: "idle_in_transaction_session_timeout", def: "0", check: checkMillis, desc: "Sets the maximum allowed idle time between queries, when in a transaction."},
		{name: "idle_session_timeout", def: "0", check: checkMillis, desc: "Sets the maximum allowed idle time between queries, when not in a transaction."},
		{name: "in_hot_standby", def: "off", readOnly: true, report: true, desc: "Shows whether hot standby is currently active."},
		{name: "integer_datetimes", def: "on", readOnly: true, report: true, desc: "Shows whether datetimes are integer based."},
		{name: "IntervalStyle", def: "postgres", report: true, check: checkEnum("postgres", "postgres_verbose", "sql_standard", "iso_8601"), desc: "Sets the display format for interval values."},
		{name: "is_superuser", def: "on", readOnly: true, report: true, desc: "Shows whether the current user is a superuser."},
		{name: "lc_collate", def: "C", readOnly: true, desc: "Shows the collation order locale."},
		{name: "lc_ctype", def: "C", readOnly: true, desc: "Shows the character classification and case conversion locale."},
		{name: "lc_messages", def: "C", desc: "Sets the language in which messages are displayed."},
		{name: "lc_monetary", def: "C", desc: "Sets the locale for formatting monetary amounts."},
		{name: "lc_numeric", def: "C", desc: "Sets the locale for formatting numbers."},
		{name: "lc_time", def: "C", desc: "Sets the locale for formatting date and time values."},
		{name: "lock_timeout", def: "0", check: checkMillis, desc: "Sets the maximum allowed duration of any wait for a lock."},
		{name: "max_identifier_length", def: "63", readOnly: true, desc: "Shows the maximum identifier length."},
		{name: "search_path", def: `"$user", public`, desc: "Sets the schema search order for names that are not schema-qualified."},
		{name: "server_encoding", def: "UTF8", readOnly: true, report: true, desc: "Shows the server (database) character set encoding."},
		{name: "server_version", readOnly: true, report: true, desc: "Shows the server version."},
		{name: "server_version_num", readOnly: true, desc: "Shows the server version as an integer."},
		{name: "session_authorization", readOnly: true, report: true, desc: "Sets the session user name."},
		{name: "standard_conforming_strings", def: "on", report: true, check: checkOn, desc: "Causes '...' strings to treat backslashes literally."},
		{name: "statement_timeout", def: "0", check: checkMillis, desc: "Sets the maximum allowed duration of any statement."},
		{name: "synchronous_commit", def: "on", check: checkEnum("on", "off", "local", "remote_write", "remote_apply"), desc: "Sets the current transaction's synchronization level."},
		{name: "TimeZone", def: "UTC", report: true, check: checkTimeZone, desc: "Sets the time zone for displaying and interpreting time stamps."},
		{name: "timezone_abbreviations", def: "Default", desc: "Selects a file of time zone abbreviations."},
		{name: "transaction_isolation", def: "read committed", check: checkIsolation, desc: "Sets the current transaction's isolation level."},
		{name: "transaction_read_only", def: "off", check: checkBool, desc: "Sets the current transaction's read-only status."},
		{name: "work_mem", def: "4MB", desc: "Sets the maximum memory to be used for query workspaces."},
	} {
		varDefs[strings.ToLower(d.name)] = d
	}
}

// readVersionVar is the session variable holding the version the last
// query read (SHOW strata.read_version).
const readVersionVar = "strata.read_version"

type settingsKey struct{}

// Setting returns a variable of the session whose statement ctx belongs to
// (the context Backend.Run and Fencer.Fence get), so a Backend can let
// sessions tune it with custom variables: SET strata.read_mode = 'follower'.
// Only the statement's own goroutine may call it.
func Setting(ctx context.Context, name string) (string, bool) {
	v, ok := ctx.Value(settingsKey{}).(*sessionVars)
	if !ok {
		return "", false
	}
	return v.get(name)
}

// sessionVars are one session's variables.
type sessionVars struct {
	vals  map[string]string  // current values, by lower-case name
	reset map[string]string  // what RESET returns to: defaults and startup values
	saved map[string]*string // values before SET LOCAL in this transaction block (nil: was unset)

	loc     *time.Location // TimeZone's location, for loc's name
	locName string
}

func newSessionVars(serverVersion, user string) *sessionVars {
	v := &sessionVars{vals: map[string]string{}, reset: map[string]string{}}
	for key, d := range varDefs {
		v.reset[key] = d.def
	}
	v.reset["server_version"] = serverVersion
	v.reset["server_version_num"] = versionNum(serverVersion)
	v.reset["session_authorization"] = user
	maps.Copy(v.vals, v.reset)
	return v
}

// versionNum turns "15.2 (Strata)" into "150002", as PostgreSQL 10+ does.
func versionNum(version string) string {
	major, rest, _ := strings.Cut(version, ".")
	minor := strings.TrimLeft(rest, "0123456789")
	minor = rest[:len(rest)-len(minor)]
	ma, err1 := strconv.Atoi(major)
	mi, err2 := strconv.Atoi(minor)
	if err1 != nil || err2 != nil {
		return "150000"
	}
	return strconv.Itoa(ma*10000 + mi)
}

// get returns a variable's value.
func (v *sessionVars) get(name string) (string, bool) {
	x, ok := v.vals[strings.ToLower(name)]
	return x, ok
}

// displayName is how SHOW titles a variable.
func displayName(name string) string {
	if d := varDefs[strings.ToLower(name)]; d != nil {
		return d.name
	}
	return strings.ToLower(name)
}

func unknownVar(name string) error {
	return newError(codeUndefinedObject, "unrecognized configuration parameter \"%s\"", name)
}

// lookup validates a SET of name to value and returns the normalized value.
func lookup(name, value string) (key, normalized string, err error) {
	key = strings.ToLower(name)
	d := varDefs[key]
	switch {
	case d == nil && !strings.Contains(key, "."):
		return "", "", unknownVar(name)
	case d == nil:
		return key, value, nil
	case d.readOnly:
		return "", "", newError(codeCantChangeRuntime, "parameter \"%s\" cannot be changed", d.name)
	case d.check == nil:
		return key, value, nil
	}
	normalized, err = d.check(value)
	if err != nil {
		return "", "", withVarName(err, d.name, value)
	}
	return key, normalized, nil
}

func withVarName(err error, name, value string) error {
	if pe, ok := err.(*pgError); ok {
		return pe
	}
	return &pgError{Code: codeInvalidParameterValue, Message: fmt.Sprintf("invalid value for parameter \"%s\": \"%s\"", name, value), Detail: err.Error()}
}

// setStartup sets a variable from the startup packet: it becomes the
// session's default too. Unknown names are ignored, as some drivers send
// parameters of newer servers.
func (v *sessionVars) setStartup(name, value string) error {
	key, norm, err := lookup(name, value)
	if err != nil {
		if pe, ok := err.(*pgError); ok && pe.Code == codeUndefinedObject {
			return nil
		}
		return err
	}
	v.vals[key], v.reset[key] = norm, norm
	return nil
}

// set is SET [LOCAL] name = value. inBlock says whether a transaction block
// is open (SET LOCAL lasts until it ends; outside one it does nothing).
// It returns the lower-case name of a variable whose value changed.
func (v *sessionVars) set(name, value string, local, inBlock bool) (string, error) {
	key, norm, err := lookup(name, value)
	if err != nil {
		return "", err
	}
	if local && !inBlock {
		return "", nil
	}
	v.assign(key, norm, local)
	return key, nil
}

func (v *sessionVars) assign(key, value string, local bool) {
	if local {
		if v.saved == nil {
			v.saved = map[string]*string{}
		}
		if _, done := v.saved[key]; !done {
			if old, ok := v.vals[key]; ok {
				v.saved[key] = &old
			} else {
				v.saved[key] = nil
			}
		}
	} else if v.saved != nil {
		delete(v.saved, key) // a session-level SET outlives the block
	}
	v.vals[key] = value
}

// resetVar is RESET name (or RESET ALL); it returns the names it changed.
func (v *sessionVars) resetVar(name string) ([]string, error) {
	key := strings.ToLower(name)
	if key == "all" {
		var changed []string
		for k, d := range varDefs {
			if !d.readOnly && v.vals[k] != v.reset[k] {
				v.vals[k] = v.reset[k]
				changed = append(changed, k)
			}
		}
		for k := range v.vals {
			if _, known := varDefs[k]; !known {
				delete(v.vals, k)
			}
		}
		return changed, nil
	}
	d := varDefs[key]
	switch {
	case d == nil && !strings.Contains(key, "."):
		return nil, unknownVar(name)
	case d == nil:
		delete(v.vals, key)
		return nil, nil
	case d.readOnly:
		return nil, newError(codeCantChangeRuntime, "parameter \"%s\" cannot be changed", d.name)
	}
	v.vals[key] = v.reset[key]
	return []string{key}, nil
}

// endBlock undoes SET LOCAL at the end of a transaction block; it returns
// the names it changed.
func (v *sessionVars) endBlock() []string {
	var changed []string
	for k, old := range v.saved {
		if old == nil {
			delete(v.vals, k)
		} else {
			v.vals[k] = *old
		}
		changed = append(changed, k)
	}
	v.saved = nil
	return changed
}

// all lists every variable as SHOW ALL does: name, setting, description.
func (v *sessionVars) all() [][]any {
	keys := make([]string, 0, len(v.vals))
	for k := range v.vals {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	rows := make([][]any, 0, len(keys))
	for _, k := range keys {
		desc := ""
		if d := varDefs[k]; d != nil {
			desc = d.desc
		}
		rows = append(rows, []any{displayName(k), v.vals[k], desc})
	}
	return rows
}

// statementTimeout is statement_timeout as a duration (0: none).
func (v *sessionVars) statementTimeout() time.Duration {
	ms, _ := parseMillis(v.vals["statement_timeout"])
	return time.Duration(ms) * time.Millisecond
}

// textStyle is what the variables change in text output.
func (v *sessionVars) textStyle() textStyle {
	return textStyle{efd: v.extraFloatDigits(), loc: v.location()}
}

// location is TimeZone as a location (UTC when unknown).
func (v *sessionVars) location() *time.Location {
	tz := v.vals["timezone"]
	if v.loc == nil || v.locName != tz {
		v.loc, v.locName = zoneLocation(tz), tz
	}
	return v.loc
}

// zoneLocation reads a TimeZone value: a zone name, hours east of UTC
// ("5", "-3.5") or an ISO offset ("+05:30").
func zoneLocation(tz string) *time.Location {
	if strings.EqualFold(tz, "UTC") || tz == "" {
		return time.UTC
	}
	if h, err := strconv.ParseFloat(tz, 64); err == nil {
		return time.FixedZone(tz, int(h*3600))
	}
	if t, err := time.Parse("-07:00", tz); err == nil {
		_, off := t.Zone()
		return time.FixedZone(tz, off)
	}
	if loc, err := time.LoadLocation(tz); err == nil {
		return loc
	}
	return time.UTC
}

func (v *sessionVars) extraFloatDigits() int {
	n, _ := strconv.Atoi(v.vals["extra_float_digits"])
	return n
}

// Checks: each validates a value and returns it as SHOW prints it.

func checkEnum(allowed ...string) func(string) (string, error) {
	return func(s string) (string, error) {
		low := strings.ToLower(strings.TrimSpace(s))
		if slices.Contains(allowed, low) {
			return low, nil
		}
		return "", fmt.Errorf("available values: %s", strings.Join(allowed, ", "))
	}
}

func checkBool(s string) (string, error) {
	b, err := parseBool(s)
	if err != nil {
		return "", fmt.Errorf("a Boolean value is required")
	}
	if b {
		return "on", nil
	}
	return "off", nil
}

func checkOn(s string) (string, error) {
	v, err := checkBool(s)
	if err == nil && v != "on" {
		return "", fmt.Errorf("Strata supports only \"on\"")
	}
	return v, err
}

func checkAppName(s string) (string, error) {
	// Like PostgreSQL: printable ASCII only, at most 63 bytes.
	b := []byte(s)
	for i, c := range b {
		if c < 32 || c > 126 {
			b[i] = '?'
		}
	}
	if len(b) > 63 {
		b = b[:63]
	}
	return string(b), nil
}

func checkEncoding(s string) (string, error) {
	switch strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), "-", "")) {
	case "UTF8", "UNICODE":
		return "UTF8", nil
	case "SQL_ASCII":
		return "SQL_ASCII", nil
	}
	return "", fmt.Errorf("Strata speaks only UTF8")
}

func checkDateStyle(s string) (string, error) {
	order := "MDY"
	iso := false
	for _, part := range strings.Split(s, ",") {
		switch strings.ToUpper(strings.TrimSpace(part)) {
		case "ISO":
			iso = true
		case "MDY", "US", "NONEURO", "NONEUROPEAN":
			order = "MDY"
		case "DMY", "EURO", "EUROPEAN":
			order = "DMY"
		case "YMD":
			order = "YMD"
		case "DEFAULT":
			iso = true
		default:
			return "", fmt.Errorf("Strata prints dates in ISO style only")
		}
	}
	if !iso {
		return "", fmt.Errorf("Strata prints dates in ISO style only")
	}
	return "ISO, " + order, nil
}

func checkIsolation(s string) (string, error) {
	return checkEnum("read uncommitted", "read committed", "repeatable read", "serializable")(strings.Join(strings.Fields(s), " "))
}

func checkExtraFloatDigits(s string) (string, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < -15 || n > 3 {
		return "", fmt.Errorf("an integer from -15 to 3 is required")
	}
	return strconv.Itoa(n), nil
}

// checkTimeZone accepts zone names the system knows, UTC and numeric
// offsets. The zone changes no output: Strata's timestamps are timestamp
// without time zone.
func checkTimeZone(s string) (string, error) {
	t := strings.TrimSpace(s)
	switch strings.ToUpper(t) {
	case "UTC", "Z", "ZULU", "GMT", "UCT", "UNIVERSAL", "ETC/UTC":
		return "UTC", nil
	case "LOCAL", "DEFAULT":
		return "UTC", nil
	}
	if _, err := strconv.ParseFloat(t, 64); err == nil {
		return t, nil
	}
	if _, err := time.Parse("-07:00", t); err == nil {
		return t, nil
	}
	if _, err := time.LoadLocation(t); err == nil {
		return t, nil
	}
	return "", fmt.Errorf("time zone \"%s\" not recognized", t)
}

func checkMillis(s string) (string, error) {
	ms, err := parseMillis(s)
	if err != nil {
		return "", err
	}
	return formatMillis(ms), nil
}

var timeUnits = []struct {
	name string
	ms   float64
}{{"d", 86400000}, {"h", 3600000}, {"min", 60000}, {"s", 1000}, {"ms", 1}, {"us", 0.001}}

// parseMillis reads a time setting as PostgreSQL does: a number with an
// optional unit (us, ms, s, min, h, d; none: ms).
func parseMillis(s string) (int64, error) {
	t := strings.TrimSpace(s)
	num := strings.TrimRight(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ ")
	unit := strings.TrimSpace(t[len(num):])
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("not a number with a time unit (us, ms, s, min, h, d)")
	}
	factor := 1.0
	if unit != "" {
		i := slices.IndexFunc(timeUnits, func(u struct {
			name string
			ms   float64
		}) bool {
			return u.name == unit
		})
		if i < 0 {
			return 0, fmt.Errorf("valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\"")
		}
		factor = timeUnits[i].ms
	}
	ms := math.Round(v * factor)
	if ms < 0 || ms > math.MaxInt32 {
		return 0, fmt.Errorf("%s is outside the valid range (0 .. %d ms)", s, math.MaxInt32)
	}
	return int64(ms), nil
}

// formatMillis prints milliseconds in the largest unit that divides them.
func formatMillis(ms int64) string {
	if ms == 0 {
		return "0"
	}
	for _, u := range timeUnits[:5] {
		if n := int64(u.ms); ms%n == 0 {
			return strconv.FormatInt(ms/n, 10) + u.name
		}
	}
	return strconv.FormatInt(ms, 10) + "ms"
}
