package pgcatalog

// information_schema's views, built from the same data as pg_catalog's.

func infoTableRows(cd *catalogData, r *relSchema) [][]any {
	var rows [][]any
	add := func(schema, name string, view bool) {
		row := newRow(r)
		set(r, row, "table_catalog", cd.env.databaseName())
		set(r, row, "table_schema", schema)
		set(r, row, "table_name", name)
		typ, insertable := "BASE TABLE", "YES"
		if view {
			typ, insertable = "VIEW", "NO"
		}
		set(r, row, "table_type", typ)
		set(r, row, "is_insertable_into", insertable)
		set(r, row, "is_typed", "NO")
		rows = append(rows, row)
	}
	for _, t := range cd.tables() {
		add("public", t.def.Name, false)
	}
	for i := range catalogRelations {
		c := &catalogRelations[i]
		add(nspName(c.nsp), c.name, c.kind == 'v')
	}
	return rows
}

func infoColumnRows(cd *catalogData, r *relSchema) [][]any {
	var rows [][]any
	for _, t := range cd.tables() {
		for i, c := range t.def.Columns {
			typ := TypeOID(c.Type)
			rows = append(rows, infoColumnRow(cd, r, "public", t.def.Name, i+1, c.Name, typ, !c.Nullable, typeByOID[typ].collation))
		}
	}
	for i := range catalogRelations {
		c := &catalogRelations[i]
		for j, col := range c.cols {
			rows = append(rows, infoColumnRow(cd, r, nspName(c.nsp), c.name, j+1, col.name, col.typ, col.notNull, col.coll))
		}
	}
	return rows
}

func infoColumnRow(cd *catalogData, r *relSchema, schema, tbl string, num int, name string, typ uint32, notNull bool, coll uint32) []any {
	row := newRow(r)
	db := cd.env.databaseName()
	set(r, row, "table_catalog", db)
	set(r, row, "table_schema", schema)
	set(r, row, "table_name", tbl)
	set(r, row, "column_name", name)
	set(r, row, "ordinal_position", num)
	set(r, row, "is_nullable", yesNo(!notNull))
	set(r, row, "data_type", infoDataType(typ))
	switch typ {
	case oidText, oidVarchar, oidBpchar:
		set(r, row, "character_octet_length", 1073741824)
	case oidInt2, oidInt4, oidInt8:
		set(r, row, "numeric_precision", map[uint32]int{oidInt2: 16, oidInt4: 32, oidInt8: 64}[typ])
		set(r, row, "numeric_precision_radix", 2)
		set(r, row, "numeric_scale", 0)
	case oidFloat4, oidFloat8:
		set(r, row, "numeric_precision", map[uint32]int{oidFloat4: 24, oidFloat8: 53}[typ])
		set(r, row, "numeric_precision_radix", 2)
	case oidDate:
		set(r, row, "datetime_precision", 0)
	case oidTimestamp, oidTimestampTZ, 1083, 1266, 1186: // time, timetz, interval
		set(r, row, "datetime_precision", 6)
	}
	if name, ok := map[uint32]string{950: "C", 951: "POSIX"}[coll]; ok { // not the default
		set(r, row, "collation_catalog", db)
		set(r, row, "collation_schema", "pg_catalog")
		set(r, row, "collation_name", name)
	}
	if t := typeByOID[typ]; t != nil {
		set(r, row, "udt_catalog", db)
		set(r, row, "udt_schema", "pg_catalog")
		set(r, row, "udt_name", t.name)
	}
	set(r, row, "dtd_identifier", itoa(int64(num)))
	set(r, row, "is_self_referencing", "NO")
	set(r, row, "is_identity", "NO")
	set(r, row, "identity_cycle", "NO")
	set(r, row, "is_generated", "NEVER")
	set(r, row, "is_updatable", yesNo(schema == "public"))
	return row
}

// infoDataType is information_schema's data_type: format_type's name,
// "ARRAY" for arrays.
func infoDataType(typ uint32) string {
	t := typeByOID[typ]
	switch {
	case t == nil:
		return "USER-DEFINED"
	case t.category == 'A' && typ != oidInt2Vector && typ != oidOIDVector:
		return "ARRAY"
	}
	return t.format
}

func yesNo(b bool) string {
	if b {
		return "YES"
	}
	return "NO"
}

func infoSchemataRows(cd *catalogData, r *relSchema) [][]any {
	var rows [][]any
	for _, n := range namespaces {
		row := newRow(r)
		set(r, row, "catalog_name", cd.env.databaseName())
		set(r, row, "schema_name", n.name)
		owner, _ := cd.roleName(n.owner)
		set(r, row, "schema_owner", owner)
		rows = append(rows, row)
	}
	return rows
}

func infoEnabledRoleRows(cd *catalogData, r *relSchema) [][]any {
	row := newRow(r)
	set(r, row, "role_name", cd.env.userName())
	return [][]any{row}
}

func infoCharsetRows(cd *catalogData, r *relSchema) [][]any {
	row := newRow(r)
	set(r, row, "character_set_name", "UTF8")
	set(r, row, "character_repertoire", "UCS")
	set(r, row, "form_of_use", "UTF8")
	set(r, row, "default_collate_catalog", cd.env.databaseName())
	set(r, row, "default_collate_schema", "pg_catalog")
	set(r, row, "default_collate_name", "C")
	return [][]any{row}
}
