package ingest

import (
	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/storage"
)

// TableDefFromProto converts a wire table definition. Validation is
// storage's (CreateTable), so any malformed definition gets one message.
func TableDefFromProto(t *stratapb.TableDef) storage.TableDef {
	if t == nil {
		return storage.TableDef{}
	}
	def := storage.TableDef{
		Name:         t.GetName(),
		PartitionKey: t.GetPartitionKey(),
		Buckets:      int(t.GetBuckets()),
		SortKey:      t.GetSortKey(),
		PrimaryKey:   t.GetPrimaryKey(),
	}
	for _, c := range t.GetColumns() {
		def.Columns = append(def.Columns, storage.Column{Name: c.GetName(), Type: storage.ColumnType(c.GetType()), Nullable: c.GetNullable()})
	}
	return def
}

// TableDefToProto converts a table definition for the wire.
func TableDefToProto(def storage.TableDef) *stratapb.TableDef {
	t := &stratapb.TableDef{
		Name:         def.Name,
		PartitionKey: def.PartitionKey,
		Buckets:      int32(def.Buckets),
		SortKey:      def.SortKey,
		PrimaryKey:   def.PrimaryKey,
	}
	for _, c := range def.Columns {
		t.Columns = append(t.Columns, &stratapb.Column{Name: c.Name, Type: stratapb.ColumnType(c.Type), Nullable: c.Nullable})
	}
	return t
}
