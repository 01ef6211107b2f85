package pgcatalog

import (
	"strconv"
	"strings"
	"sync"
)

// rowBuilders make the rows of the system relations that are not empty,
// by "schema.name". Every other relation answers no rows.
var rowBuilders = map[string]func(*catalogData, *relSchema) [][]any{
	"pg_catalog.pg_am":                  amRows,
	"pg_catalog.pg_attribute":           attributeRows,
	"pg_catalog.pg_class":               classRows,
	"pg_catalog.pg_collation":           collationRows,
	"pg_catalog.pg_database":            databaseRows,
	"pg_catalog.pg_namespace":           namespaceRows,
	"pg_catalog.pg_proc":                procRows,
	"pg_catalog.pg_range":               rangeRows,
	"pg_catalog.pg_roles":               roleRows,
	"pg_catalog.pg_settings":            settingRows,
	"pg_catalog.pg_stat_activity":       activityRows,
	"pg_catalog.pg_stat_database":       statDatabaseRows,
	"pg_catalog.pg_stat_user_tables":    statTableRows,
	"pg_catalog.pg_tables":              tablesViewRows,
	"pg_catalog.pg_tablespace":          tablespaceRows,
	"pg_catalog.pg_type":                typeRows,
	"pg_catalog.pg_user":                userRows,
	"pg_catalog.pg_views":               viewsViewRows,
	"information_schema.columns":        infoColumnRows,
	"information_schema.enabled_roles":  infoEnabledRoleRows,
	"information_schema.schemata":       infoSchemataRows,
	"information_schema.tables":         infoTableRows,
	"information_schema.character_sets": infoCharsetRows,
}

// sharedCatalogs are the relations PostgreSQL shares between databases.
var sharedCatalogs = map[string]bool{
	"pg_database": true, "pg_tablespace": true, "pg_auth_members": true,
	"pg_shdescription": true, "pg_shdepend": true, "pg_subscription": true,
}

func classRows(cd *catalogData, r *relSchema) [][]any {
	var rows [][]any
	rows = append(rows, systemClassRows()...)
	for _, t := range cd.tables() {
		row := newRow(r)
		set(r, row, "oid", t.oid)
		set(r, row, "relname", t.def.Name)
		set(r, row, "relnamespace", nspPublic)
		set(r, row, "relowner", roleUser)
		set(r, row, "relam", amHeap)
		set(r, row, "relfilenode", t.oid)
		set(r, row, "reltuples", float32(-1))
		set(r, row, "relpersistence", byte('p'))
		set(r, row, "relkind", byte('r'))
		set(r, row, "relnatts", len(t.def.Columns))
		set(r, row, "relispopulated", true)
		set(r, row, "relreplident", byte('d'))
		if opts := tableOptions(t); len(opts) > 0 {
			set(r, row, "reloptions", opts)
		}
		rows = append(rows, row)
	}
	return rows
}

// systemClassRows are pg_class's rows of the system relations, built once.
var systemClassRows = sync.OnceValue(func() [][]any {
	r := catalogByName["pg_catalog.pg_class"]
	var rows [][]any
	for i := range catalogRelations {
		c := &catalogRelations[i]
		row := newRow(r)
		set(r, row, "oid", c.oid)
		set(r, row, "relname", c.name)
		set(r, row, "relnamespace", c.nsp)
		set(r, row, "relowner", roleUser)
		if c.kind == 'r' {
			set(r, row, "relam", amHeap)
			set(r, row, "relfilenode", c.oid)
		}
		set(r, row, "reltuples", float32(-1))
		set(r, row, "relpersistence", byte('p'))
		set(r, row, "relkind", c.kind)
		set(r, row, "relnatts", len(c.cols))
		set(r, row, "relhasrules", c.kind == 'v') // a view is its ON SELECT rule
		set(r, row, "relisshared", sharedCatalogs[c.name])
		set(r, row, "relispopulated", true)
		set(r, row, "relreplident", byte('n'))
		rows = append(rows, row)
	}
	return rows
})

// tableOptions shows a table's partition and sort keys as the reloptions
// Strata's CREATE TABLE ... WITH (...) takes, so \d+ lists them.
func tableOptions(t table) []string {
	var opts []string
	if len(t.def.PartitionKey) > 0 {
		opts = append(opts, "partition_by="+strings.Join(t.def.PartitionKey, ","),
			"buckets="+strconv.Itoa(t.def.Buckets))
	}
	if len(t.def.SortKey) > 0 {
		opts = append(opts, "sort_by="+strings.Join(t.def.SortKey, ","))
	}
	return opts
}

func attributeRows(cd *catalogData, r *relSchema) [][]any {
	var rows [][]any
	for _, t := range cd.tables() {
		for i, c := range t.def.Columns {
			rows = append(rows, attributeRow(r, t.oid, i+1, c.Name, TypeOID(c.Type), !c.Nullable))
		}
	}
	return append(rows, systemAttributeRows()...)
}

// systemAttributeRows are pg_attribute's rows of the system relations,
// built once.
var systemAttributeRows = sync.OnceValue(func() [][]any {
	r := catalogByName["pg_catalog.pg_attribute"]
	var rows [][]any
	for i := range catalogRelations {
		c := &catalogRelations[i]
		for j, col := range c.cols {
			row := attributeRow(r, c.oid, j+1, col.name, col.typ, col.notNull)
			set(r, row, "attcollation", col.coll)
			rows = append(rows, row)
		}
	}
	return rows
})

func attributeRow(r *relSchema, rel uint32, num int, name string, typ uint32, notNull bool) []any {
	row := newRow(r)
	set(r, row, "attrelid", rel)
	set(r, row, "attname", name)
	set(r, row, "atttypid", typ)
	set(r, row, "attstattarget", -1)
	set(r, row, "attnum", num)
	set(r, row, "attcacheoff", -1)
	set(r, row, "atttypmod", -1)
	if t := typeByOID[typ]; t != nil {
		set(r, row, "attlen", t.len)
		set(r, row, "attbyval", t.byVal)
		set(r, row, "attalign", t.align)
		set(r, row, "attstorage", t.storage)
		set(r, row, "attcollation", t.collation)
		if t.category == 'A' {
			set(r, row, "attndims", 1)
		}
	}
	set(r, row, "attcompression", "")
	set(r, row, "attnotnull", notNull)
	set(r, row, "attidentity", "")
	set(r, row, "attgenerated", "")
	set(r, row, "attislocal", true)
	return row
}

func typeRows(*catalogData, *relSchema) [][]any { return staticTypeRows() }

var staticTypeRows = sync.OnceValue(func() [][]any {
	r := catalogByName["pg_catalog.pg_type"]
	rows := make([][]any, 0, len(pgTypes))
	for i := range pgTypes {
		t := &pgTypes[i]
		row := newRow(r)
		set(r, row, "oid", t.oid)
		set(r, row, "typname", t.name)
		set(r, row, "typnamespace", nspPgCatalog)
		set(r, row, "typowner", roleUser)
		set(r, row, "typlen", t.len)
		set(r, row, "typbyval", t.byVal)
		set(r, row, "typtype", t.typtype)
		set(r, row, "typcategory", t.category)
		set(r, row, "typispreferred", t.preferred)
		set(r, row, "typisdefined", true)
		set(r, row, "typdelim", t.delim)
		set(r, row, "typsubscript", t.subscript)
		set(r, row, "typelem", t.elem)
		set(r, row, "typarray", t.array)
		set(r, row, "typinput", t.input)
		set(r, row, "typoutput", t.output)
		set(r, row, "typreceive", t.receive)
		set(r, row, "typsend", t.send)
		set(r, row, "typmodin", t.modIn)
		set(r, row, "typmodout", t.modOut)
		set(r, row, "typanalyze", t.analyze)
		set(r, row, "typalign", t.align)
		set(r, row, "typstorage", t.storage)
		set(r, row, "typtypmod", -1)
		set(r, row, "typcollation", t.collation)
		rows = append(rows, row)
	}
	return rows
})

func procRows(*catalogData, *relSchema) [][]any { return staticProcRows() }

var staticProcRows = sync.OnceValue(func() [][]any {
	r := catalogByName["pg_catalog.pg_proc"]
	rows := make([][]any, 0, len(pgProcs))
	for i := range pgProcs {
		p := &pgProcs[i]
		row := newRow(r)
		set(r, row, "oid", p.oid)
		set(r, row, "proname", p.name)
		set(r, row, "pronamespace", nspPgCatalog)
		set(r, row, "proowner", roleUser)
		set(r, row, "prolang", 12) // internal
		set(r, row, "procost", float32(1))
		set(r, row, "prokind", byte('f'))
		set(r, row, "proisstrict", true)
		set(r, row, "provolatile", byte('i'))
		set(r, row, "proparallel", byte('s'))
		set(r, row, "pronargs", len(p.argType))
		set(r, row, "prorettype", p.ret)
		args := make([]any, len(p.argType))
		for j, a := range p.argType {
			args[j] = int64(a)
		}
		set(r, row, "proargtypes", args)
		set(r, row, "prosrc", p.name)
		rows = append(rows, row)
	}
	return rows
})

func namespaceRows(_ *catalogData, r *relSchema) [][]any {
	var rows [][]any
	for _, n := range namespaces {
		row := newRow(r)
		set(r, row, "oid", n.oid)
		set(r, row, "nspname", n.name)
		set(r, row, "nspowner", n.owner)
		rows = append(rows, row)
	}
	return rows
}

var accessMethods = []struct {
	oid     uint32
	name    string
	handler uint32
	typ     byte
}{
	{2, "heap", 3, 't'}, {403, "btree", 330, 'i'}, {405, "hash", 331, 'i'},
	{783, "gist", 332, 'i'}, {2742, "gin", 333, 'i'}, {3580, "brin", 335, 'i'},
	{4000, "spgist", 334, 'i'},
}

func amRows(_ *catalogData, r *relSchema) [][]any {
	var rows [][]any
	for _, am := range accessMethods {
		row := newRow(r)
		set(r, row, "oid", am.oid)
		set(r, row, "amname", am.name)
		set(r, row, "amhandler", am.handler)
		set(r, row, "amtype", am.typ)
		rows = append(rows, row)
	}
	return rows
}

func collationRows(_ *catalogData, r *relSchema) [][]any {
	var rows [][]any
	for _, c := range []struct {
		oid      uint32
		name     string
		provider byte
		locale   any
	}{{collDefault, "default", 'd', nil}, {950, "C", 'c', "C"}, {951, "POSIX", 'c', "POSIX"}} {
		row := newRow(r)
		set(r, row, "oid", c.oid)
		set(r, row, "collname", c.name)
		set(r, row, "collnamespace", nspPgCatalog)
		set(r, row, "collowner", roleUser)
		set(r, row, "collprovider", c.provider)
		set(r, row, "collisdeterministic", true)
		set(r, row, "collencoding", -1)
		set(r, row, "collcollate", c.locale)
		set(r, row, "collctype", c.locale)
		rows = append(rows, row)
	}
	return rows
}

func databaseRows(cd *catalogData, r *relSchema) [][]any {
	row := newRow(r)
	set(r, row, "oid", databaseOID)
	set(r, row, "datname", cd.env.databaseName())
	set(r, row, "datdba", roleUser)
	set(r, row, "encoding", encodingUTF8)
	set(r, row, "datlocprovider", byte('c'))
	set(r, row, "datallowconn", true)
	set(r, row, "datconnlimit", -1)
	set(r, row, "dattablespace", tablespaceDefault)
	set(r, row, "datcollate", "C")
	set(r, row, "datctype", "C")
	return [][]any{row}
}

func tablespaceRows(_ *catalogData, r *relSchema) [][]any {
	var rows [][]any
	for _, ts := range []struct {
		oid  uint32
		name string
	}{{tablespaceDefault, "pg_default"}, {tablespaceGlobal, "pg_global"}} {
		row := newRow(r)
		set(r, row, "oid", ts.oid)
		set(r, row, "spcname", ts.name)
		set(r, row, "spcowner", roleUser)
		rows = append(rows, row)
	}
	return rows
}

func roleRows(cd *catalogData, r *relSchema) [][]any {
	var rows [][]any
	for _, role := range cd.roles() {
		super := role.oid == roleUser
		row := newRow(r)
		set(r, row, "rolname", role.name)
		set(r, row, "rolsuper", super)
		set(r, row, "rolinherit", true)
		set(r, row, "rolcreaterole", super)
		set(r, row, "rolcreatedb", super)
		set(r, row, "rolcanlogin", super)
		set(r, row, "rolreplication", super)
		set(r, row, "rolconnlimit", -1)
		set(r, row, "rolpassword", "********")
		set(r, row, "rolbypassrls", super)
		set(r, row, "oid", role.oid)
		rows = append(rows, row)
	}
	return rows
}

func userRows(cd *catalogData, r *relSchema) [][]any {
	row := newRow(r)
	set(r, row, "usename", cd.env.userName())
	set(r, row, "usesysid", roleUser)
	set(r, row, "usecreatedb", true)
	set(r, row, "usesuper", true)
	set(r, row, "userepl", true)
	set(r, row, "usebypassrls", true)
	set(r, row, "passwd", "********")
	return [][]any{row}
}

func tablesViewRows(cd *catalogData, r *relSchema) [][]any {
	var rows [][]any
	add := func(schema, name string) {
		row := newRow(r)
		set(r, row, "schemaname", schema)
		set(r, row, "tablename", name)
		set(r, row, "tableowner", cd.env.userName())
		set(r, row, "hasindexes", false)
		set(r, row, "hasrules", false)
		set(r, row, "hastriggers", false)
		set(r, row, "rowsecurity", false)
		rows = append(rows, row)
	}
	for _, t := range cd.tables() {
		add("public", t.def.Name)
	}
	for i := range catalogRelations {
		if c := &catalogRelations[i]; c.kind == 'r' {
			add(nspName(c.nsp), c.name)
		}
	}
	return rows
}

func viewsViewRows(cd *catalogData, r *relSchema) [][]any {
	var rows [][]any
	for i := range catalogRelations {
		if c := &catalogRelations[i]; c.kind == 'v' {
			row := newRow(r)
			set(r, row, "schemaname", nspName(c.nsp))
			set(r, row, "viewname", c.name)
			set(r, row, "viewowner", cd.env.userName())
			rows = append(rows, row)
		}
	}
	return rows
}

func statTableRows(cd *catalogData, r *relSchema) [][]any {
	var rows [][]any
	for _, t := range cd.tables() {
		row := newRow(r)
		set(r, row, "relid", t.oid)
		set(r, row, "schemaname", "public")
		set(r, row, "relname", t.def.Name)
		for _, c := range r.cols {
			if c.typ == oidInt8 {
				set(r, row, c.name, int64(0))
			}
		}
		set(r, row, "idx_scan", nil)
		set(r, row, "idx_tup_fetch", nil)
		rows = append(rows, row)
	}
	return rows
}

func statDatabaseRows(cd *catalogData, r *relSchema) [][]any {
	row := newRow(r)
	for _, c := range r.cols {
		switch c.typ {
		case oidInt8:
			set(r, row, c.name, int64(0))
		case oidFloat8:
			set(r, row, c.name, 0.0)
		}
	}
	set(r, row, "datid", databaseOID)
	set(r, row, "datname", cd.env.databaseName())
	set(r, row, "numbackends", 1)
	set(r, row, "checksum_failures", nil)
	return [][]any{row}
}

// activityRows is this session only: Strata does not list other clients.
func activityRows(cd *catalogData, r *relSchema) [][]any {
	row := newRow(r)
	set(r, row, "datid", databaseOID)
	set(r, row, "datname", cd.env.databaseName())
	set(r, row, "pid", cd.env.backendPID())
	set(r, row, "usesysid", roleUser)
	set(r, row, "usename", cd.env.userName())
	set(r, row, "application_name", cd.env.setting("application_name"))
	set(r, row, "client_port", -1)
	set(r, row, "backend_start", startTimeText)
	set(r, row, "state", "active")
	set(r, row, "query", cd.query)
	set(r, row, "backend_type", "client backend")
	return [][]any{row}
}

// rangeRows are PostgreSQL's built-in range types (pg_type lists them).
func rangeRows(_ *catalogData, r *relSchema) [][]any {
	var rows [][]any
	for _, rg := range [][5]uint32{
		// rngtypid, rngsubtype, rngmultitypid, rngsubopc, rngsubdiff
		{3904, oidInt4, 4451, 1978, 3922}, {3906, oidNumeric, 4532, 3125, 3924},
		{3908, oidTimestamp, 4533, 3128, 3929}, {3910, oidTimestampTZ, 4534, 3127, 3930},
		{3912, oidDate, 4535, 3122, 3925}, {3926, oidInt8, 4536, 3124, 3923},
	} {
		row := newRow(r)
		set(r, row, "rngtypid", rg[0])
		set(r, row, "rngsubtype", rg[1])
		set(r, row, "rngmultitypid", rg[2])
		set(r, row, "rngsubopc", rg[3])
		set(r, row, "rngsubdiff", rg[4])
		rows = append(rows, row)
	}
	return rows
}
