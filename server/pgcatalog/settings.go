package pgcatalog

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// setting is a pg_settings row; boot is Strata's default (PostgreSQL 15's,
// except that Strata always speaks UTF8 in the C locale and UTC).
type setting struct {
	name, boot, unit, category, desc, context, vartype, min, max, enumvals string
}

// settings are the configuration parameters pg_settings lists and
// current_setting knows, in name order. server_version's and
// server_version_num's values come from Env.ServerVersion.
var settings = []setting{
	{"application_name", "", "", "Reporting and Logging / What to Log", "Sets the application name to be reported in statistics and logs.", "user", "string", "", "", ""},
	{"array_nulls", "on", "", "Version and Platform Compatibility / Previous PostgreSQL Versions", "Enable input of NULL elements in arrays.", "user", "bool", "", "", ""},
	{"backslash_quote", "safe_encoding", "", "Version and Platform Compatibility / Previous PostgreSQL Versions", "Sets whether \"\\'\" is allowed in string literals.", "user", "enum", "", "", "{safe_encoding,on,off}"},
	{"block_size", "8192", "", "Preset Options", "Shows the size of a disk block.", "internal", "integer", "8192", "8192", ""},
	{"bytea_output", "hex", "", "Client Connection Defaults / Statement Behavior", "Sets the output format for bytea.", "user", "enum", "", "", "{escape,hex}"},
	{"client_encoding", "UTF8", "", "Client Connection Defaults / Locale and Formatting", "Sets the client's character set encoding.", "user", "string", "", "", ""},
	{"client_min_messages", "notice", "", "Client Connection Defaults / Statement Behavior", "Sets the message levels that are sent to the client.", "user", "enum", "", "", "{debug5,debug4,debug3,debug2,debug1,log,notice,warning,error}"},
	{"data_checksums", "off", "", "Preset Options", "Shows whether data checksums are turned on for this cluster.", "internal", "bool", "", "", ""},
	{"DateStyle", "ISO, MDY", "", "Client Connection Defaults / Locale and Formatting", "Sets the display format for date and time values.", "user", "string", "", "", ""},
	{"default_tablespace", "", "", "Client Connection Defaults / Statement Behavior", "Sets the default tablespace to create tables and indexes in.", "user", "string", "", "", ""},
	{"default_transaction_deferrable", "off", "", "Client Connection Defaults / Statement Behavior", "Sets the default deferrable status of new transactions.", "user", "bool", "", "", ""},
	{"default_transaction_isolation", "read committed", "", "Client Connection Defaults / Statement Behavior", "Sets the transaction isolation level of each new transaction.", "user", "enum", "", "", "{serializable,\"repeatable read\",\"read committed\",\"read uncommitted\"}"},
	{"default_transaction_read_only", "off", "", "Client Connection Defaults / Statement Behavior", "Sets the default read-only status of new transactions.", "user", "bool", "", "", ""},
	{"enable_seqscan", "on", "", "Query Tuning / Planner Method Configuration", "Enables the planner's use of sequential-scan plans.", "user", "bool", "", "", ""},
	{"escape_string_warning", "on", "", "Version and Platform Compatibility / Previous PostgreSQL Versions", "Warn about backslash escapes in ordinary string literals.", "user", "bool", "", "", ""},
	{"extra_float_digits", "1", "", "Client Connection Defaults / Locale and Formatting", "Sets the number of digits displayed for floating-point values.", "user", "integer", "-15", "3", ""},
	{"geqo", "on", "", "Query Tuning / Genetic Query Optimizer", "Enables genetic query optimization.", "user", "bool", "", "", ""},
	{"idle_in_transaction_session_timeout", "0", "ms", "Client Connection Defaults / Statement Behavior", "Sets the maximum allowed idle time between queries, when in a transaction.", "user", "integer", "0", "2147483647", ""},
	{"in_hot_standby", "off", "", "Preset Options", "Shows whether hot standby is currently active.", "internal", "bool", "", "", ""},
	{"integer_datetimes", "on", "", "Preset Options", "Shows whether datetimes are integer based.", "internal", "bool", "", "", ""},
	{"IntervalStyle", "postgres", "", "Client Connection Defaults / Locale and Formatting", "Sets the display format for interval values.", "user", "enum", "", "", "{postgres,postgres_verbose,sql_standard,iso_8601}"},
	{"jit", "off", "", "Query Tuning / Other Planner Options", "Allow JIT compilation.", "user", "bool", "", "", ""},
	{"lc_collate", "C", "", "Preset Options", "Shows the collation order locale.", "internal", "string", "", "", ""},
	{"lc_ctype", "C", "", "Preset Options", "Shows the character classification and case conversion locale.", "internal", "string", "", "", ""},
	{"lc_messages", "C", "", "Client Connection Defaults / Locale and Formatting", "Sets the language in which messages are displayed.", "superuser", "string", "", "", ""},
	{"lc_monetary", "C", "", "Client Connection Defaults / Locale and Formatting", "Sets the locale for formatting monetary amounts.", "user", "string", "", "", ""},
	{"lc_numeric", "C", "", "Client Connection Defaults / Locale and Formatting", "Sets the locale for formatting numbers.", "user", "string", "", "", ""},
	{"lc_time", "C", "", "Client Connection Defaults / Locale and Formatting", "Sets the locale for formatting date and time values.", "user", "string", "", "", ""},
	{"lock_timeout", "0", "ms", "Client Connection Defaults / Statement Behavior", "Sets the maximum allowed duration of any wait for a lock.", "user", "integer", "0", "2147483647", ""},
	{"max_connections", "100", "", "Connections and Authentication / Connection Settings", "Sets the maximum number of concurrent connections.", "postmaster", "integer", "1", "262143", ""},
	{"max_function_args", "100", "", "Preset Options", "Shows the maximum number of function arguments.", "internal", "integer", "100", "100", ""},
	{"max_identifier_length", "63", "", "Preset Options", "Shows the maximum identifier length.", "internal", "integer", "63", "63", ""},
	{"max_index_keys", "32", "", "Preset Options", "Shows the maximum number of index keys.", "internal", "integer", "32", "32", ""},
	{"password_encryption", "scram-sha-256", "", "Connections and Authentication / Authentication", "Chooses the algorithm for encrypting passwords.", "user", "enum", "", "", "{md5,scram-sha-256}"},
	{"row_security", "on", "", "Client Connection Defaults / Statement Behavior", "Enable row security.", "user", "bool", "", "", ""},
	{"search_path", "\"$user\", public", "", "Client Connection Defaults / Statement Behavior", "Sets the schema search order for names that are not schema-qualified.", "user", "string", "", "", ""},
	{"segment_size", "131072", "8kB", "Preset Options", "Shows the number of pages per disk file.", "internal", "integer", "131072", "131072", ""},
	{"server_encoding", "UTF8", "", "Preset Options", "Shows the server (database) character set encoding.", "internal", "string", "", "", ""},
	{"server_version", "", "", "Preset Options", "Shows the server version.", "internal", "string", "", "", ""},
	{"server_version_num", "", "", "Preset Options", "Shows the server version as an integer.", "internal", "integer", "150018", "150018", ""},
	{"ssl", "off", "", "Connections and Authentication / SSL", "Enables SSL connections.", "sighup", "bool", "", "", ""},
	{"standard_conforming_strings", "on", "", "Version and Platform Compatibility / Previous PostgreSQL Versions", "Causes '...' strings to treat backslashes literally.", "user", "bool", "", "", ""},
	{"statement_timeout", "0", "ms", "Client Connection Defaults / Statement Behavior", "Sets the maximum allowed duration of any statement.", "user", "integer", "0", "2147483647", ""},
	{"synchronous_commit", "on", "", "Write-Ahead Log / Settings", "Sets the current transaction's synchronization level.", "user", "enum", "", "", "{local,remote_write,remote_apply,on,off}"},
	{"temp_tablespaces", "", "", "Client Connection Defaults / Statement Behavior", "Sets the tablespace(s) to use for temporary tables and sort files.", "user", "string", "", "", ""},
	{"TimeZone", "UTC", "", "Client Connection Defaults / Locale and Formatting", "Sets the time zone for displaying and interpreting time stamps.", "user", "string", "", "", ""},
	{"timezone_abbreviations", "Default", "", "Client Connection Defaults / Locale and Formatting", "Selects a file of time zone abbreviations.", "user", "string", "", "", ""},
	{"transaction_deferrable", "off", "", "Client Connection Defaults / Statement Behavior", "Whether to defer a read-only serializable transaction until it can be executed with no possible serialization failures.", "user", "bool", "", "", ""},
	{"transaction_isolation", "read committed", "", "Client Connection Defaults / Statement Behavior", "Sets the current transaction's isolation level.", "user", "enum", "", "", "{serializable,\"repeatable read\",\"read committed\",\"read uncommitted\"}"},
	{"transaction_read_only", "off", "", "Client Connection Defaults / Statement Behavior", "Sets the current transaction's read-only status.", "user", "bool", "", "", ""},
	{"wal_block_size", "8192", "", "Preset Options", "Shows the block size in the write ahead log.", "internal", "integer", "8192", "8192", ""},
	{"work_mem", "4096", "kB", "Resource Usage / Memory", "Sets the maximum memory to be used for query workspaces.", "user", "integer", "64", "2147483647", ""},
}

// hiddenSettings are known to current_setting but not listed, as in
// PostgreSQL.
var hiddenSettings = []string{"is_superuser", "session_authorization"}

var startTime = time.Now()

// startTimeText is when this process started, as timestamptz prints it.
var startTimeText = startTime.UTC().Format("2006-01-02 15:04:05.999999-07")

func findSetting(name string) *setting {
	for i := range settings {
		if strings.EqualFold(settings[i].name, name) {
			return &settings[i]
		}
	}
	return nil
}

// settingValue is a parameter's current value: the session's (Env.Setting)
// or Strata's default. ok is false for an unknown parameter.
func (e *Env) settingValue(name string) (value string, ok bool) {
	lower := strings.ToLower(name)
	s := findSetting(lower)
	if e.Setting != nil {
		if v, ok := e.Setting(lower); ok {
			return v, true
		}
		if s != nil && s.name != lower {
			if v, ok := e.Setting(s.name); ok {
				return v, true
			}
		}
	}
	switch lower {
	case "is_superuser":
		return "on", true
	case "session_authorization":
		return e.userName(), true
	}
	if s == nil {
		return "", false
	}
	return showSetting(e.bootValue(s), s.unit), true
}

// setting is settingValue without the ok.
func (e *Env) setting(name string) string {
	v, _ := e.settingValue(name)
	return v
}

func (e *Env) bootValue(s *setting) string {
	switch s.name {
	case "server_version":
		return e.serverVersion()
	case "server_version_num":
		return strconv.Itoa(versionNum(e.serverVersion()))
	}
	return s.boot
}

// versionNum turns "15.0 (Strata 0.1.0)" into 150000.
func versionNum(v string) int {
	num, _, _ := strings.Cut(v, " ")
	major, minor, _ := strings.Cut(num, ".")
	ma, _ := strconv.Atoi(major)
	mi, _ := strconv.Atoi(minor)
	return ma*10000 + mi
}

func settingRows(cd *catalogData, r *relSchema) [][]any {
	rows := make([][]any, 0, len(settings))
	for i := range settings {
		s := &settings[i]
		boot := cd.env.bootValue(s)
		value := baseSetting(cd.env.setting(s.name), s.unit)
		row := newRow(r)
		set(r, row, "name", s.name)
		set(r, row, "setting", value)
		set(r, row, "unit", nullIfEmpty(s.unit))
		set(r, row, "category", s.category)
		set(r, row, "short_desc", s.desc)
		set(r, row, "context", s.context)
		set(r, row, "vartype", s.vartype)
		source := "default"
		if value != boot {
			source = "session"
		}
		set(r, row, "source", source)
		set(r, row, "min_val", nullIfEmpty(s.min))
		set(r, row, "max_val", nullIfEmpty(s.max))
		if s.enumvals != "" {
			vals, _ := parseArray(s.enumvals)
			a := make([]any, len(vals))
			for j, v := range vals {
				a[j] = *v
			}
			set(r, row, "enumvals", a)
		}
		set(r, row, "boot_val", boot)
		set(r, row, "reset_val", boot)
		set(r, row, "pending_restart", false)
		rows = append(rows, row)
	}
	return rows
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (e *Env) userName() string {
	if e.User == "" {
		return "strata"
	}
	return e.User
}

func (e *Env) databaseName() string {
	if e.Database == "" {
		return "strata"
	}
	return e.Database
}

func (e *Env) serverVersion() string {
	if e.ServerVersion == "" {
		return "15.0 (Strata)"
	}
	return e.ServerVersion
}

// version is version()'s answer.
func (e *Env) version() string {
	arch := map[string]string{"amd64": "x86_64", "arm64": "aarch64", "386": "i686"}[runtime.GOARCH]
	if arch == "" {
		arch = runtime.GOARCH
	}
	vendor := "pc"
	if arch != "x86_64" && arch != "i686" {
		vendor = "unknown"
	}
	return "PostgreSQL " + e.serverVersion() + " on " + arch + "-" + vendor + "-" + runtime.GOOS +
		"-gnu, compiled by " + runtime.Version() + ", 64-bit"
}

// backendPID is pg_backend_pid(): Strata serves every session from one
// process, so this is its pid.
func (e *Env) backendPID() int {
	return os.Getpid()
}

// Units of the settings with units, as multiples of their base unit.
var (
	memoryUnits = []struct {
		name string
		kb   int64
	}{{"TB", 1 << 30}, {"GB", 1 << 20}, {"MB", 1 << 10}, {"kB", 1}}
	timeUnits = []struct {
		name string
		ms   int64
	}{{"d", 86_400_000}, {"h", 3_600_000}, {"min", 60_000}, {"s", 1000}, {"ms", 1}}
)

// unitScale is how many kB (memory) or ms (time) one base unit of a
// setting is; 0 for settings without units.
func unitScale(unit string) (scale int64, memory bool) {
	switch unit {
	case "kB":
		return 1, true
	case "8kB":
		return 8, true
	case "MB":
		return 1024, true
	case "ms":
		return 1, false
	case "s":
		return 1000, false
	case "min":
		return 60_000, false
	}
	return 0, false
}

// showSetting is a setting's value in base units as SHOW and
// current_setting print it: in the largest unit that divides it (4096 kB
// is "4MB").
func showSetting(value, unit string) string {
	scale, memory := unitScale(unit)
	n, err := strconv.ParseInt(value, 10, 64)
	if scale == 0 || err != nil || n <= 0 {
		return value
	}
	n *= scale
	if memory {
		for _, u := range memoryUnits {
			if n%u.kb == 0 {
				return strconv.FormatInt(n/u.kb, 10) + u.name
			}
		}
	}
	for _, u := range timeUnits {
		if n%u.ms == 0 {
			return strconv.FormatInt(n/u.ms, 10) + u.name
		}
	}
	return value
}

// baseSetting turns a value with a unit ("4MB", "30s") into the setting's
// base unit, as pg_settings.setting shows it ("4096"); other values pass.
func baseSetting(value, unit string) string {
	scale, memory := unitScale(unit)
	v := strings.TrimSpace(value)
	i := 0
	for i < len(v) && (v[i] >= '0' && v[i] <= '9' || i == 0 && v[i] == '-') {
		i++
	}
	n, err := strconv.ParseInt(v[:i], 10, 64)
	if scale == 0 || err != nil {
		return value
	}
	suffix := strings.TrimSpace(v[i:])
	if suffix == "" {
		return strconv.FormatInt(n, 10)
	}
	if memory {
		for _, u := range memoryUnits {
			if strings.EqualFold(suffix, u.name) {
				return strconv.FormatInt(n*u.kb/scale, 10)
			}
		}
		return value
	}
	for _, u := range timeUnits {
		if suffix == u.name {
			return strconv.FormatInt(n*u.ms/scale, 10)
		}
	}
	return value
}
