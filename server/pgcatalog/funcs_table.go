package pgcatalog

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

var scalarFuncs map[string]funcDef

func init() {
	scalarFuncs = map[string]funcDef{}
	for name, def := range sessionFuncs() {
		scalarFuncs[name] = def
	}
	for name, def := range catalogFuncs() {
		scalarFuncs[name] = def
	}
	for name, def := range stringFuncs() {
		scalarFuncs[name] = def
	}
	for name, def := range arrayFuncs() {
		scalarFuncs[name] = def
	}
	for name, def := range mathFuncs() {
		scalarFuncs[name] = def
	}
}

func sessionFuncs() map[string]funcDef {
	user := funcDef{ret: oidName, fn: func(ec *evalCtx, _ []any, _ []uint32) (any, error) {
		return ec.env.userName(), nil
	}}
	db := funcDef{ret: oidName, fn: func(ec *evalCtx, _ []any, _ []uint32) (any, error) {
		return ec.env.databaseName(), nil
	}}
	now := funcDef{ret: oidTimestampTZ, fn: func(*evalCtx, []any, []uint32) (any, error) {
		return time.Now().UTC().Format("2006-01-02 15:04:05.999999-07"), nil
	}}
	return map[string]funcDef{
		"version": {ret: oidText, fn: func(ec *evalCtx, _ []any, _ []uint32) (any, error) {
			return ec.env.version(), nil
		}},
		"current_user": user, "session_user": user, "user": user, "current_role": user, "getpgusername": user,
		"current_database": db, "current_catalog": db,
		"current_schema": constFunc(oidName, "public"),
		"current_schemas": {min: 1, max: 1, args: []uint32{oidBool}, ret: oidNameArray,
			fn: func(_ *evalCtx, args []any, _ []uint32) (any, error) {
				if args[0] == true {
					return []any{"pg_catalog", "public"}, nil
				}
				return []any{"public"}, nil
			}},
		"current_setting": {min: 1, max: 2, args: []uint32{oidText, oidBool}, ret: oidText, lazy: true,
			fn: func(ec *evalCtx, args []any, _ []uint32) (any, error) {
				name, ok := args[0].(string)
				if !ok {
					return nil, nil
				}
				if v, ok := ec.env.settingValue(name); ok {
					return v, nil
				}
				if len(args) > 1 && args[1] == true {
					return nil, nil
				}
				return nil, errorf(codeUndefinedObject, "unrecognized configuration parameter %q", name)
			}},
		// set_config answers the value; the session keeps its settings
		// (SET goes through the server, not here).
		"set_config": {min: 3, max: 3, args: []uint32{oidText, oidText, oidBool}, ret: oidText, lazy: true,
			fn: func(_ *evalCtx, args []any, _ []uint32) (any, error) { return args[1], nil }},
		"pg_backend_pid": {ret: oidInt4, fn: func(ec *evalCtx, _ []any, _ []uint32) (any, error) {
			return int64(int32(ec.env.backendPID())), nil
		}},
		"pg_postmaster_start_time": constFunc(oidTimestampTZ, startTimeText),
		"pg_conf_load_time":        constFunc(oidTimestampTZ, startTimeText),
		"now":                      now, "current_timestamp": now, "transaction_timestamp": now,
		"statement_timestamp": now, "clock_timestamp": now,
		"current_date": {ret: oidDate, fn: func(*evalCtx, []any, []uint32) (any, error) {
			return time.Now().UTC().Format("2006-01-02"), nil
		}},
		"current_query": {ret: oidText, fn: func(ec *evalCtx, _ []any, _ []uint32) (any, error) {
			return ec.cat.query, nil
		}},
		"pg_is_in_recovery":       constFunc(oidBool, false),
		"pg_jit_available":        constFunc(oidBool, false),
		"pg_trigger_depth":        constFunc(oidInt4, int64(0)),
		"txid_current":            constFunc(oidInt8, int64(1)),
		"pg_my_temp_schema":       constFunc(oidOID, int64(0)),
		"pg_is_other_temp_schema": funcDef{min: 1, max: 1, ret: oidBool, fn: func(*evalCtx, []any, []uint32) (any, error) { return false, nil }},
		"inet_client_addr":        nullFunc(0, 0, oidText),
		"inet_server_addr":        nullFunc(0, 0, oidText),
		"inet_client_port":        nullFunc(0, 0, oidInt4),
		"inet_server_port":        nullFunc(0, 0, oidInt4),
		"getdatabaseencoding":     constFunc(oidName, "UTF8"),
		"pg_encoding_to_char": {min: 1, max: 1, args: []uint32{oidInt4}, ret: oidName,
			fn: func(_ *evalCtx, args []any, _ []uint32) (any, error) {
				switch toInt(args[0]) {
				case 0:
					return "SQL_ASCII", nil
				case encodingUTF8:
					return "UTF8", nil
				}
				return "", nil
			}},
		"pg_char_to_encoding": {min: 1, max: 1, args: []uint32{oidName}, ret: oidInt4,
			fn: func(_ *evalCtx, args []any, _ []uint32) (any, error) {
				switch strings.ToUpper(args[0].(string)) {
				case "SQL_ASCII":
					return int64(0), nil
				case "UTF8", "UTF-8", "UNICODE":
					return int64(encodingUTF8), nil
				}
				return int64(-1), nil
			}},
	}
}

func catalogFuncs() map[string]funcDef {
	m := map[string]funcDef{
		"pg_table_is_visible": {min: 1, max: 1, args: []uint32{oidOID}, ret: oidBool,
			fn: func(ec *evalCtx, args []any, _ []uint32) (any, error) {
				oid := uint32(toInt(args[0]))
				if ec.cat.tableByOID(oid) != nil {
					return true, nil
				}
				if r := catalogByOID[oid]; r != nil {
					return r.nsp == nspPgCatalog, nil
				}
				return nil, nil
			}},
		"pg_type_is_visible": {min: 1, max: 1, args: []uint32{oidOID}, ret: oidBool,
			fn: func(_ *evalCtx, args []any, _ []uint32) (any, error) {
				if typeByOID[uint32(toInt(args[0]))] != nil {
					return true, nil
				}
				return nil, nil
			}},
		"pg_get_userbyid": {min: 1, max: 1, args: []uint32{oidOID}, ret: oidName,
			fn: func(ec *evalCtx, args []any, _ []uint32) (any, error) {
				oid := uint32(toInt(args[0]))
				if name, ok := ec.cat.roleName(oid); ok {
					return name, nil
				}
				return fmt.Sprintf("unknown (OID=%d)", oid), nil
			}},
		"format_type": {min: 2, max: 2, args: []uint32{oidOID, oidInt4}, ret: oidText, lazy: true,
			fn: func(_ *evalCtx, args []any, _ []uint32) (any, error) {
				if args[0] == nil {
					return nil, nil
				}
				typmod := int64(-1)
				if args[1] != nil {
					typmod = toInt(args[1])
				}
				return formatType(uint32(toInt(args[0])), typmod), nil
			}},
		"pg_relation_is_publishable": {min: 1, max: 1, args: []uint32{oidRegclass}, ret: oidBool,
			fn: func(ec *evalCtx, args []any, _ []uint32) (any, error) {
				return ec.cat.tableByOID(uint32(toInt(args[0]))) != nil, nil
			}},
		"pg_size_pretty": {min: 1, max: 1, args: []uint32{oidInt8}, ret: oidText,
			fn: func(_ *evalCtx, args []any, _ []uint32) (any, error) { return sizePretty(toInt(args[0])), nil }},
		"pg_tablespace_location": {min: 1, max: 1, args: []uint32{oidOID}, ret: oidText,
			fn: func(*evalCtx, []any, []uint32) (any, error) { return "", nil }},
		"pg_typeof": {min: 1, max: 1, ret: oidRegtype, lazy: true,
			fn: func(_ *evalCtx, _ []any, types []uint32) (any, error) { return int64(types[0]), nil }},
		"pg_column_is_updatable": trueFunc(3, 3),
		// _pg_expandarray is a set-returning function of composite (x, n):
		// only a NULL array (or no call at all) can be answered.
		"_pg_expandarray": {min: 1, max: 1, ret: oidRecord, fn: func(*evalCtx, []any, []uint32) (any, error) {
			return nil, unsupported("information_schema._pg_expandarray of an array")
		}},
	}
	// Sizes: Strata's catalog does not report them (0 for a table).
	for _, name := range []string{"pg_table_size", "pg_relation_size", "pg_total_relation_size", "pg_indexes_size"} {
		m[name] = funcDef{min: 1, max: 2, args: []uint32{oidRegclass, oidText}, ret: oidInt8,
			fn: func(ec *evalCtx, args []any, _ []uint32) (any, error) {
				oid := uint32(toInt(args[0]))
				if ec.cat.tableByOID(oid) != nil || catalogByOID[oid] != nil {
					return int64(0), nil
				}
				return nil, nil
			}}
	}
	m["pg_database_size"] = funcDef{min: 1, max: 1, ret: oidInt8,
		fn: func(*evalCtx, []any, []uint32) (any, error) { return int64(0), nil }}
	for _, name := range []string{"to_regclass", "to_regtype", "to_regproc", "to_regnamespace", "to_regrole", "to_regprocedure"} {
		typ := map[string]uint32{"to_regclass": oidRegclass, "to_regtype": oidRegtype, "to_regproc": oidRegproc,
			"to_regnamespace": oidRegnamespace, "to_regrole": oidRegrole, "to_regprocedure": 2202}[name]
		m[name] = funcDef{min: 1, max: 1, args: []uint32{oidText}, ret: typ,
			fn: func(ec *evalCtx, args []any, _ []uint32) (any, error) {
				v, err := castOID(ec, args[0], typ)
				if err != nil {
					return nil, nil
				}
				return v, nil
			}}
	}
	for _, name := range []string{"pg_function_is_visible", "pg_operator_is_visible", "pg_opclass_is_visible",
		"pg_opfamily_is_visible", "pg_collation_is_visible", "pg_conversion_is_visible",
		"pg_statistics_obj_is_visible", "pg_ts_config_is_visible", "pg_ts_dict_is_visible",
		"pg_ts_parser_is_visible", "pg_ts_template_is_visible"} {
		m[name] = trueFunc(1, 1)
	}
	for _, name := range []string{"has_table_privilege", "has_schema_privilege", "has_database_privilege",
		"has_column_privilege", "has_function_privilege", "has_sequence_privilege",
		"has_any_column_privilege", "has_tablespace_privilege", "has_type_privilege",
		"has_foreign_data_wrapper_privilege", "has_server_privilege", "has_language_privilege",
		"has_parameter_privilege", "pg_has_role"} {
		m[name] = trueFunc(2, 4)
	}
	// Definitions and comments Strata does not keep.
	for name, arity := range map[string][2]int{
		"pg_get_expr": {2, 3}, "pg_get_indexdef": {1, 3}, "pg_get_constraintdef": {1, 2},
		"pg_get_statisticsobjdef": {1, 1}, "pg_get_statisticsobjdef_columns": {1, 1},
		"pg_get_statisticsobjdef_expressions": {1, 1}, "pg_get_viewdef": {1, 2},
		"pg_get_triggerdef": {1, 2}, "pg_get_ruledef": {1, 2}, "pg_get_functiondef": {1, 1},
		"pg_get_function_result": {1, 1}, "pg_get_function_arguments": {1, 1},
		"pg_get_function_identity_arguments": {1, 1}, "pg_get_function_sqlbody": {1, 1},
		"pg_get_partkeydef": {1, 1}, "pg_get_partition_constraintdef": {1, 1},
		"pg_get_serial_sequence": {2, 2}, "obj_description": {1, 2}, "col_description": {2, 2},
		"pg_describe_object": {3, 3}, "pg_identify_object": {3, 3},
		"shobj_description": {2, 2}, "pg_get_publication_tables": {1, 1},
	} {
		m[name] = nullFunc(arity[0], arity[1], oidText)
	}
	return m
}

// sizePretty is pg_size_pretty: bytes, kB, MB, GB, TB, PB with halves
// rounded away from zero.
func sizePretty(size int64) string {
	abs := func(x int64) int64 {
		if x < 0 {
			return -x
		}
		return x
	}
	half := func(x int64) int64 {
		if x < 0 {
			return (x - 1) / 2
		}
		return (x + 1) / 2
	}
	if abs(size) < 10*1024 {
		return fmt.Sprintf("%d bytes", size)
	}
	size /= 1 << 9 // one extra bit for rounding
	for _, unit := range []string{"kB", "MB", "GB", "TB"} {
		if abs(size) < 10*1024*2-1 {
			return fmt.Sprintf("%d %s", half(size), unit)
		}
		size /= 1 << 10
	}
	return fmt.Sprintf("%d PB", half(size))
}

func stringFuncs() map[string]funcDef {
	runes := func(s string) []rune { return []rune(s) }
	return map[string]funcDef{
		"lower": textFunc(1, 1, func(_ *evalCtx, s []string) (any, error) { return strings.ToLower(s[0]), nil }),
		"upper": textFunc(1, 1, func(_ *evalCtx, s []string) (any, error) { return strings.ToUpper(s[0]), nil }),
		"length": {min: 1, max: 1, args: []uint32{oidText}, ret: oidInt4, fn: func(ec *evalCtx, a []any, t []uint32) (any, error) {
			return int64(utf8.RuneCountInString(argText(ec, a, t, 0))), nil
		}},
		"char_length":      {min: 1, max: 1, args: []uint32{oidText}, ret: oidInt4, fn: runeCount},
		"character_length": {min: 1, max: 1, args: []uint32{oidText}, ret: oidInt4, fn: runeCount},
		"octet_length": {min: 1, max: 1, args: []uint32{oidText}, ret: oidInt4, fn: func(ec *evalCtx, a []any, t []uint32) (any, error) {
			return int64(len(argText(ec, a, t, 0))), nil
		}},
		"substr":    {min: 2, max: 3, args: []uint32{oidText, oidInt4, oidInt4}, ret: oidText, fn: substring},
		"substring": {min: 2, max: 3, args: []uint32{oidText, oidInt4, oidInt4}, ret: oidText, fn: substring},
		"replace": textFunc(3, 3, func(_ *evalCtx, s []string) (any, error) {
			return strings.ReplaceAll(s[0], s[1], s[2]), nil
		}),
		"concat": {min: 1, max: -1, lazy: true, ret: oidText, fn: func(ec *evalCtx, a []any, t []uint32) (any, error) {
			var b strings.Builder
			for i := range a {
				b.WriteString(argText(ec, a, t, i))
			}
			return b.String(), nil
		}},
		"concat_ws": {min: 2, max: -1, lazy: true, ret: oidText, fn: func(ec *evalCtx, a []any, t []uint32) (any, error) {
			if a[0] == nil {
				return nil, nil
			}
			var parts []string
			for i := 1; i < len(a); i++ {
				if a[i] != nil {
					parts = append(parts, argText(ec, a, t, i))
				}
			}
			return strings.Join(parts, argText(ec, a, t, 0)), nil
		}},
		"left": {min: 2, max: 2, args: []uint32{oidText, oidInt4}, ret: oidText, fn: func(ec *evalCtx, a []any, t []uint32) (any, error) {
			r, n := runes(argText(ec, a, t, 0)), int(argInt(a, 1))
			if n < 0 {
				n = max(len(r)+n, 0)
			}
			return string(r[:min(n, len(r))]), nil
		}},
		"right": {min: 2, max: 2, args: []uint32{oidText, oidInt4}, ret: oidText, fn: func(ec *evalCtx, a []any, t []uint32) (any, error) {
			r, n := runes(argText(ec, a, t, 0)), int(argInt(a, 1))
			if n < 0 {
				n = max(len(r)+n, 0)
			}
			return string(r[len(r)-min(n, len(r)):]), nil
		}},
		"strpos": {min: 2, max: 2, args: []uint32{oidText, oidText}, ret: oidInt4, fn: func(ec *evalCtx, a []any, t []uint32) (any, error) {
			s, sub := argText(ec, a, t, 0), argText(ec, a, t, 1)
			i := strings.Index(s, sub)
			if i < 0 {
				return int64(0), nil
			}
			return int64(utf8.RuneCountInString(s[:i]) + 1), nil
		}},
		"btrim": trimFunc(strings.Trim), "trim": trimFunc(strings.Trim),
		"ltrim": trimFunc(strings.TrimLeft), "rtrim": trimFunc(strings.TrimRight),
		"split_part": {min: 3, max: 3, args: []uint32{oidText, oidText, oidInt4}, ret: oidText, fn: func(ec *evalCtx, a []any, t []uint32) (any, error) {
			parts := strings.Split(argText(ec, a, t, 0), argText(ec, a, t, 1))
			n := int(argInt(a, 2))
			if n < 0 {
				n = len(parts) + n + 1
			}
			if n < 1 || n > len(parts) {
				return "", nil
			}
			return parts[n-1], nil
		}},
		"starts_with": {min: 2, max: 2, args: []uint32{oidText, oidText}, ret: oidBool, fn: func(ec *evalCtx, a []any, t []uint32) (any, error) {
			return strings.HasPrefix(argText(ec, a, t, 0), argText(ec, a, t, 1)), nil
		}},
		"repeat": {min: 2, max: 2, args: []uint32{oidText, oidInt4}, ret: oidText, fn: func(ec *evalCtx, a []any, t []uint32) (any, error) {
			s, n := argText(ec, a, t, 0), argInt(a, 1)
			if n <= 0 {
				return "", nil
			}
			if int64(len(s))*n > 1<<20 {
				return nil, errorf(codeOutOfRange, "requested length too large")
			}
			return strings.Repeat(s, int(n)), nil
		}},
		"reverse": textFunc(1, 1, func(_ *evalCtx, s []string) (any, error) {
			r := runes(s[0])
			for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
				r[i], r[j] = r[j], r[i]
			}
			return string(r), nil
		}),
		"initcap": textFunc(1, 1, func(_ *evalCtx, s []string) (any, error) {
			r := runes(strings.ToLower(s[0]))
			start := true
			for i, c := range r {
				if start && unicode.IsLetter(c) {
					r[i] = unicode.ToUpper(c)
				}
				start = !unicode.IsLetter(c) && !unicode.IsDigit(c)
			}
			return string(r), nil
		}),
		"md5": textFunc(1, 1, func(_ *evalCtx, s []string) (any, error) {
			sum := md5.Sum([]byte(s[0]))
			return hex.EncodeToString(sum[:]), nil
		}),
		"quote_ident":   textFunc(1, 1, func(_ *evalCtx, s []string) (any, error) { return quoteIdent(s[0]), nil }),
		"quote_literal": textFunc(1, 1, func(_ *evalCtx, s []string) (any, error) { return quoteLiteral(s[0]), nil }),
		"quote_nullable": {min: 1, max: 1, args: []uint32{oidText}, ret: oidText, lazy: true, fn: func(ec *evalCtx, a []any, t []uint32) (any, error) {
			if a[0] == nil {
				return "NULL", nil
			}
			return quoteLiteral(argText(ec, a, t, 0)), nil
		}},
		"regexp_replace": {min: 3, max: 4, args: []uint32{oidText}, ret: oidText, fn: regexpReplace},
		"format":         {min: 1, max: -1, lazy: true, ret: oidText, fn: formatFunc},
		"lpad":           padFunc(true),
		"rpad":           padFunc(false),
		"textcat":        textFunc(2, 2, func(_ *evalCtx, s []string) (any, error) { return s[0] + s[1], nil }),
	}
}

func runeCount(ec *evalCtx, a []any, t []uint32) (any, error) {
	return int64(utf8.RuneCountInString(argText(ec, a, t, 0))), nil
}

func substring(ec *evalCtx, a []any, t []uint32) (any, error) {
	r := []rune(argText(ec, a, t, 0))
	start := argInt(a, 1) // 1-based, may be < 1
	end := int64(len(r)) + 1
	if len(a) > 2 {
		n := argInt(a, 2)
		if n < 0 {
			return nil, errorf(codeInvalidParameter, "negative substring length not allowed")
		}
		end = start + n
	}
	start = max(start, 1)
	end = min(end, int64(len(r))+1)
	if start >= end {
		return "", nil
	}
	return string(r[start-1 : end-1]), nil
}

func trimFunc(trim func(string, string) string) funcDef {
	return textFunc(1, 2, func(_ *evalCtx, s []string) (any, error) {
		chars := " "
		if len(s) > 1 {
			chars = s[1]
		}
		return trim(s[0], chars), nil
	})
}

func padFunc(left bool) funcDef {
	return funcDef{min: 2, max: 3, args: []uint32{oidText, oidInt4, oidText}, ret: oidText,
		fn: func(ec *evalCtx, a []any, t []uint32) (any, error) {
			r, n := []rune(argText(ec, a, t, 0)), int(argInt(a, 1))
			fill := []rune(" ")
			if len(a) > 2 {
				fill = []rune(argText(ec, a, t, 2))
			}
			if n > 1<<20 {
				return nil, errorf(codeOutOfRange, "requested length too large")
			}
			if n <= len(r) {
				return string(r[:max(n, 0)]), nil
			}
			if len(fill) == 0 {
				return string(r), nil
			}
			pad := make([]rune, 0, n-len(r))
			for i := 0; len(pad) < n-len(r); i++ {
				pad = append(pad, fill[i%len(fill)])
			}
			if left {
				return string(pad) + string(r), nil
			}
			return string(r) + string(pad), nil
		}}
}

func quoteLiteral(s string) string {
	q := "'" + strings.ReplaceAll(s, "'", "''") + "'"
	if strings.Contains(s, `\`) {
		return "E" + strings.ReplaceAll(q, `\`, `\\`)
	}
	return q
}

func regexpReplace(ec *evalCtx, a []any, t []uint32) (any, error) {
	flags := ""
	if len(a) > 3 {
		flags = argText(ec, a, t, 3)
	}
	re, err := ec.compileRegex(argText(ec, a, t, 1), strings.Contains(flags, "i"))
	if err != nil {
		return nil, err
	}
	s := argText(ec, a, t, 0)
	repl := strings.NewReplacer(`\\`, `\`, `\&`, `${0}`, `\1`, `${1}`, `\2`, `${2}`, `\3`, `${3}`, "$", "$$").Replace(argText(ec, a, t, 2))
	if strings.Contains(flags, "g") {
		return re.ReplaceAllString(s, repl), nil
	}
	done := false
	return re.ReplaceAllStringFunc(s, func(m string) string {
		if done {
			return m
		}
		done = true
		return re.ReplaceAllString(m, repl)
	}), nil
}

// formatFunc is format() with %s, %I, %L and %%.
func formatFunc(ec *evalCtx, a []any, t []uint32) (any, error) {
	if a[0] == nil {
		return nil, nil
	}
	f := argText(ec, a, t, 0)
	var b strings.Builder
	next := 1
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			b.WriteByte(f[i])
			continue
		}
		i++
		if i >= len(f) {
			return nil, errorf(codeInvalidParameter, "unterminated format() type specifier")
		}
		if f[i] == '%' {
			b.WriteByte('%')
			continue
		}
		if next >= len(a) {
			return nil, errorf(codeInvalidParameter, "too few arguments for format()")
		}
		v, s := a[next], argText(ec, a, t, next)
		next++
		switch f[i] {
		case 's':
			b.WriteString(s)
		case 'I':
			if v == nil {
				return nil, errorf("22004", "null values cannot be formatted as an SQL identifier")
			}
			b.WriteString(quoteIdent(s))
		case 'L':
			if v == nil {
				b.WriteString("NULL")
			} else {
				b.WriteString(quoteLiteral(s))
			}
		default:
			return nil, errorf(codeInvalidParameter, "unrecognized format() type specifier %q", f[i])
		}
	}
	return b.String(), nil
}

func arrayFuncs() map[string]funcDef {
	arr := func(v any) []any { a, _ := v.([]any); return a }
	base := func(t uint32) int64 {
		if t == oidInt2Vector || t == oidOIDVector {
			return 0
		}
		return 1
	}
	return map[string]funcDef{
		"array_to_string": {min: 2, max: 3, lazy: true, ret: oidText, fn: func(ec *evalCtx, a []any, t []uint32) (any, error) {
			if a[0] == nil || a[1] == nil {
				return nil, nil
			}
			sep := argText(ec, a, t, 1)
			var parts []string
			for _, e := range arr(a[0]) {
				switch {
				case e != nil:
					parts = append(parts, elemText(ec, e, elemType(t[0])))
				case len(a) > 2 && a[2] != nil:
					parts = append(parts, argText(ec, a, t, 2))
				}
			}
			return strings.Join(parts, sep), nil
		}},
		"array_upper": {min: 2, max: 2, args: []uint32{0, oidInt4}, ret: oidInt4, fn: func(_ *evalCtx, a []any, t []uint32) (any, error) {
			n := int64(len(arr(a[0])))
			if n == 0 || argInt(a, 1) != 1 {
				return nil, nil
			}
			return n - 1 + base(t[0]), nil
		}},
		"array_lower": {min: 2, max: 2, args: []uint32{0, oidInt4}, ret: oidInt4, fn: func(_ *evalCtx, a []any, t []uint32) (any, error) {
			if len(arr(a[0])) == 0 || argInt(a, 1) != 1 {
				return nil, nil
			}
			return base(t[0]), nil
		}},
		"array_length": {min: 2, max: 2, args: []uint32{0, oidInt4}, ret: oidInt4, fn: func(_ *evalCtx, a []any, _ []uint32) (any, error) {
			n := int64(len(arr(a[0])))
			if n == 0 || argInt(a, 1) != 1 {
				return nil, nil
			}
			return n, nil
		}},
		"cardinality": {min: 1, max: 1, ret: oidInt4, fn: func(_ *evalCtx, a []any, _ []uint32) (any, error) {
			return int64(len(arr(a[0]))), nil
		}},
		"array_ndims": {min: 1, max: 1, ret: oidInt4, fn: func(_ *evalCtx, a []any, _ []uint32) (any, error) {
			if len(arr(a[0])) == 0 {
				return nil, nil
			}
			return int64(1), nil
		}},
		"array_position": {min: 2, max: 2, ret: oidInt4, lazy: true, fn: func(_ *evalCtx, a []any, _ []uint32) (any, error) {
			for i, e := range arr(a[0]) {
				if e == nil && a[1] == nil || e != nil && a[1] != nil && compare(e, a[1]) == 0 {
					return int64(i + 1), nil
				}
			}
			return nil, nil
		}},
		"array_remove": {min: 2, max: 2, retFn: retArg(0), lazy: true, fn: func(_ *evalCtx, a []any, _ []uint32) (any, error) {
			if a[0] == nil {
				return nil, nil
			}
			out := []any{}
			for _, e := range arr(a[0]) {
				if !(e == nil && a[1] == nil || e != nil && a[1] != nil && compare(e, a[1]) == 0) {
					out = append(out, e)
				}
			}
			return out, nil
		}},
		"array_append": {min: 2, max: 2, retFn: retArg(0), lazy: true, fn: func(_ *evalCtx, a []any, _ []uint32) (any, error) {
			return concatArrays(a[0], a[1], true, false), nil
		}},
		"array_cat": {min: 2, max: 2, retFn: retArg(0), lazy: true, fn: func(_ *evalCtx, a []any, _ []uint32) (any, error) {
			return concatArrays(a[0], a[1], true, true), nil
		}},
		"string_to_array": {min: 2, max: 3, args: []uint32{oidText}, ret: oidTextArray, lazy: true, fn: func(ec *evalCtx, a []any, t []uint32) (any, error) {
			if a[0] == nil {
				return nil, nil
			}
			s := argText(ec, a, t, 0)
			if s == "" {
				return []any{}, nil
			}
			var parts []string
			if a[1] == nil {
				for _, r := range s {
					parts = append(parts, string(r))
				}
			} else {
				parts = strings.Split(s, argText(ec, a, t, 1))
			}
			out := make([]any, len(parts))
			for i, p := range parts {
				if len(a) > 2 && a[2] != nil && p == argText(ec, a, t, 2) {
					continue
				}
				out[i] = p
			}
			return out, nil
		}},
	}
}

// elemText is an array element as array_to_string writes it.
func elemText(ec *evalCtx, v any, typ uint32) string {
	if b, ok := v.(bool); ok {
		if b {
			return "t"
		}
		return "f"
	}
	return textOf(ec, v, typ)
}

func mathFuncs() map[string]funcDef {
	float1 := func(fn func(float64) float64) funcDef {
		return funcDef{min: 1, max: 1, retFn: retArg(0), fn: func(_ *evalCtx, a []any, _ []uint32) (any, error) {
			if i, ok := a[0].(int64); ok {
				return int64(fn(float64(i))), nil
			}
			return fn(toFloat(a[0])), nil
		}}
	}
	return map[string]funcDef{
		"abs": {min: 1, max: 1, retFn: retArg(0), fn: func(_ *evalCtx, a []any, _ []uint32) (any, error) {
			if i, ok := a[0].(int64); ok {
				if i < 0 {
					return -i, nil
				}
				return i, nil
			}
			return math.Abs(toFloat(a[0])), nil
		}},
		"floor": float1(math.Floor), "ceil": float1(math.Ceil), "ceiling": float1(math.Ceil),
		"trunc": float1(math.Trunc),
		"round": {min: 1, max: 2, args: []uint32{0, oidInt4}, retFn: retArg(0), fn: func(_ *evalCtx, a []any, _ []uint32) (any, error) {
			if i, ok := a[0].(int64); ok {
				return i, nil
			}
			p := math.Pow(10, float64(argInt(a, 1)))
			return math.Round(toFloat(a[0])*p) / p, nil
		}},
		"mod": {min: 2, max: 2, retFn: retArg(0), fn: func(_ *evalCtx, a []any, _ []uint32) (any, error) {
			if b := toInt(a[1]); b != 0 {
				if b == -1 {
					return int64(0), nil
				}
				return toInt(a[0]) % b, nil
			}
			return nil, errorf(codeDivisionByZero, "division by zero")
		}},
		"power": {min: 2, max: 2, args: []uint32{oidFloat8, oidFloat8}, ret: oidFloat8, fn: func(_ *evalCtx, a []any, _ []uint32) (any, error) {
			return math.Pow(toFloat(a[0]), toFloat(a[1])), nil
		}},
	}
}
