package pgcatalog

import (
	"hash/fnv"
	"sort"
	"strings"

	"github.com/stratadb/strata/storage"
)

// Namespace OIDs (PostgreSQL 15's).
const (
	nspPgCatalog         uint32 = 11
	nspPgToast           uint32 = 99
	nspPublic            uint32 = 2200
	nspInformationSchema uint32 = 13207
)

// Other fixed OIDs.
const (
	roleUser          uint32 = 10   // the bootstrap superuser: Env.User
	roleDatabaseOwner uint32 = 6171 // pg_database_owner, owner of public
	databaseOID       uint32 = 16384
	tablespaceDefault uint32 = 1663
	tablespaceGlobal  uint32 = 1664
	amHeap            uint32 = 2
	collDefault       uint32 = 100
	firstTableOID     uint32 = 16385
	encodingUTF8             = 6
)

// relSchema is a system relation as PostgreSQL 15 declares it.
type relSchema struct {
	nsp  uint32
	name string
	oid  uint32
	kind byte // 'r' table, 'v' view
	cols []colSchema
}

type colSchema struct {
	name    string
	typ     uint32
	notNull bool
	coll    uint32 // pg_attribute.attcollation
}

var (
	// catalogByName indexes catalogRelations by "schema.name".
	catalogByName = map[string]*relSchema{}
	catalogByOID  = map[uint32]*relSchema{}
	// colIndex maps a system relation's column names to positions.
	colIndex = map[*relSchema]map[string]int{}
)

func init() {
	for i := range catalogRelations {
		r := &catalogRelations[i]
		catalogByName[nspName(r.nsp)+"."+r.name] = r
		catalogByOID[r.oid] = r
		m := make(map[string]int, len(r.cols))
		for j, c := range r.cols {
			m[c.name] = j
		}
		colIndex[r] = m
	}
}

// namespaces are pg_namespace's rows: oid, name, owner.
var namespaces = []struct {
	oid   uint32
	name  string
	owner uint32
}{
	{nspPgCatalog, "pg_catalog", roleUser},
	{nspPgToast, "pg_toast", roleUser},
	{nspPublic, "public", roleDatabaseOwner},
	{nspInformationSchema, "information_schema", roleUser},
}

func nspName(oid uint32) string {
	for _, n := range namespaces {
		if n.oid == oid {
			return n.name
		}
	}
	return ""
}

func nspOID(name string) (uint32, bool) {
	for _, n := range namespaces {
		if n.name == name {
			return n.oid, true
		}
	}
	return 0, false
}

// table is one of Strata's tables, as pg_class shows it.
type table struct {
	oid uint32
	def *storage.TableDef
}

// catalogData is the catalog as one Run sees it: Strata's tables, read
// on first use (a query on settings or version() reads none), and the
// rows of the system relations built on first use.
type catalogData struct {
	env    *Env
	loaded bool
	list   []table // sorted by name
	oids   map[uint32]*table
	names  map[string]*table
	rows   map[*relSchema][][]any
	query  string // the query's text, for pg_stat_activity
}

func newCatalogData(env *Env) *catalogData {
	return &catalogData{env: env, rows: map[*relSchema][][]any{}}
}

// load reads Strata's tables once.
func (cd *catalogData) load() {
	if cd.loaded {
		return
	}
	cd.loaded = true
	cd.oids, cd.names = map[uint32]*table{}, map[string]*table{}
	if cd.env.Catalog == nil {
		return
	}
	names := append([]string(nil), cd.env.Catalog.TableNames()...)
	sort.Strings(names)
	for _, name := range names {
		def, err := cd.env.Catalog.TableDef(name, 0)
		if err != nil || def == nil {
			continue // dropped since TableNames: not there
		}
		cd.list = append(cd.list, table{def: def})
	}
	used := map[uint32]bool{}
	for i := range cd.list {
		t := &cd.list[i]
		t.oid = tableOID(t.def.Name, used)
		cd.oids[t.oid] = t
		cd.names[t.def.Name] = t
	}
}

// tables are Strata's tables in name order.
func (cd *catalogData) tables() []table {
	cd.load()
	return cd.list
}

func (cd *catalogData) tableByOID(oid uint32) *table {
	cd.load()
	return cd.oids[oid]
}

func (cd *catalogData) tableByName(name string) *table {
	cd.load()
	return cd.names[name]
}

// tableOID is a table's OID: 16385 plus the FNV-1a hash of its name
// modulo 2^31-16385, so it stays the same while the table exists and other
// tables come and go; a collision (tables in name order) takes the next
// free OID.
func tableOID(name string, used map[uint32]bool) uint32 {
	h := fnv.New32a()
	h.Write([]byte(name))
	const span = 1<<31 - firstTableOID
	oid := firstTableOID + h.Sum32()%span
	for used[oid] {
		oid++
		if oid >= 1<<31 {
			oid = firstTableOID
		}
	}
	used[oid] = true
	return oid
}

// relRows are the rows of a system relation, built once per Run.
func (cd *catalogData) relRows(r *relSchema) [][]any {
	if rows, ok := cd.rows[r]; ok {
		return rows
	}
	var rows [][]any
	if build := rowBuilders[nspName(r.nsp)+"."+r.name]; build != nil {
		rows = build(cd, r)
	}
	cd.rows[r] = rows
	return rows
}

// newRow is a row of r with every NOT NULL column at its type's zero
// value and the others NULL; builders set what they know. The system
// column tableoid follows the columns.
func newRow(r *relSchema) []any {
	row := make([]any, len(r.cols)+1)
	row[len(r.cols)] = int64(r.oid)
	for i, c := range r.cols {
		if c.notNull {
			row[i] = zeroValue(c.typ)
		}
	}
	return row
}

func zeroValue(t uint32) any {
	switch kindOf(t) {
	case kBool:
		return false
	case kInt, kOID:
		return int64(0)
	case kFloat:
		return 0.0
	case kArray:
		return []any{}
	}
	return ""
}

// set stores v in column col of row; v is a Go value converted to the
// evaluation kind (uint32/int/int16/int32 → int64, byte → string).
func set(r *relSchema, row []any, col string, v any) {
	i, ok := colIndex[r][col]
	if !ok {
		panic("BUG: pgcatalog: " + r.name + " has no column " + col)
	}
	row[i] = normalize(v)
}

func normalize(v any) any {
	switch x := v.(type) {
	case uint32:
		return int64(x)
	case int:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case byte:
		return string(rune(x))
	case float32:
		return float64(x)
	case []string:
		a := make([]any, len(x))
		for i, s := range x {
			a[i] = s
		}
		return a
	}
	return v
}

// lookupRelation finds a relation by name (schema "" searches pg_catalog,
// then public): a system relation or a Strata table.
func (cd *catalogData) lookupRelation(schema, name string) (*relSchema, *table) {
	if schema == "" || schema == "pg_catalog" {
		if r := catalogByName["pg_catalog."+name]; r != nil {
			return r, nil
		}
	}
	if schema == "information_schema" {
		return catalogByName["information_schema."+name], nil
	}
	if schema == "" || schema == "public" {
		if t := cd.tableByName(name); t != nil {
			return nil, t
		}
	}
	return nil, nil
}

// relationName is the name of relation oid as regclass prints it:
// qualified when its schema is not on the search path.
func (cd *catalogData) relationName(oid uint32) (string, bool) {
	if t := cd.tableByOID(oid); t != nil {
		return quoteIdent(t.def.Name), true
	}
	if r := catalogByOID[oid]; r != nil {
		if r.nsp == nspInformationSchema {
			return "information_schema." + quoteIdent(r.name), true
		}
		return quoteIdent(r.name), true
	}
	return "", false
}

// roles are pg_roles' rows: the session's user (a superuser) and
// pg_database_owner.
func (cd *catalogData) roles() []struct {
	oid  uint32
	name string
} {
	return []struct {
		oid  uint32
		name string
	}{{roleUser, cd.env.userName()}, {roleDatabaseOwner, "pg_database_owner"}}
}

func (cd *catalogData) roleName(oid uint32) (string, bool) {
	for _, r := range cd.roles() {
		if r.oid == oid {
			return r.name, true
		}
	}
	return "", false
}

// splitQualified splits a possibly qualified, possibly quoted name
// ('public.t', '"My T"', 'pg_catalog.pg_class') into lower-cased
// (unless quoted) parts.
func splitQualified(s string) []string {
	var parts []string
	var b strings.Builder
	quoted, inQuote := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQuote && c == '"' && i+1 < len(s) && s[i+1] == '"':
			b.WriteByte('"')
			i++
		case c == '"':
			inQuote = !inQuote
			quoted = true
		case c == '.' && !inQuote:
			parts = append(parts, finishPart(b.String(), quoted))
			b.Reset()
			quoted = false
		default:
			b.WriteByte(c)
		}
	}
	return append(parts, finishPart(b.String(), quoted))
}

func finishPart(s string, quoted bool) string {
	if quoted {
		return s
	}
	return strings.ToLower(strings.TrimSpace(s))
}

// quoteIdent is quote_ident: the name as is when it is a lower-case
// identifier that is not a reserved keyword, else double-quoted.
func quoteIdent(s string) string {
	safe := s != ""
	for i, r := range s {
		if !(r >= 'a' && r <= 'z' || r == '_' || i > 0 && (r >= '0' && r <= '9' || r == '$')) {
			safe = false
			break
		}
	}
	if safe && !reservedWords[s] {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// reservedWords are PostgreSQL's reserved keywords (and the ones that
// cannot be column or table names), which quote_ident quotes.
var reservedWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`all analyse analyze and any array as asc asymmetric authorization
		binary both case cast check collate collation column concurrently constraint create cross
		current_catalog current_date current_role current_schema current_time current_timestamp
		current_user default deferrable desc distinct do else end except false fetch for foreign
		freeze from full grant group having ilike in initially inner intersect into is isnull join
		lateral leading left like limit localtime localtimestamp natural not notnull null offset on
		only or order outer overlaps placing primary references returning right select session_user
		similar some symmetric table tablesample then to trailing true union unique user using
		variadic verbose when where window with`) {
		m[w] = true
	}
	return m
}()
