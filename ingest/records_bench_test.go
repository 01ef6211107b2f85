package ingest

import (
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/stratadb/strata/storage"
)

var benchTable = storage.TableDef{Name: "transfers", Columns: []storage.Column{
	{Name: "id", Type: storage.TypeInt64},
	{Name: "account", Type: storage.TypeString},
	{Name: "direction", Type: storage.TypeString},
	{Name: "amount", Type: storage.TypeFloat64},
}}

func benchRecords(format string) [][]byte {
	recs := make([][]byte, 1024)
	for i := range recs {
		dir := "credit"
		if i%3 == 0 {
			dir = "debit"
		}
		id, acct, amount := 100000+i*7, fmt.Sprintf("acct-%03d", i%500), float64(i%10000)/100+0.15
		if format == "json" {
			recs[i] = fmt.Appendf(nil, `{"id":%d,"account":%q,"direction":%q,"amount":%g}`, id, acct, dir, amount)
		} else {
			recs[i] = fmt.Appendf(nil, "%d,%s,%s,%g\n", id, acct, dir, amount)
		}
	}
	return recs
}

// benchDecode adds records and finishes a batch every 10,000 of them, as
// a pipeline would; the Finish (IPC encoding) is part of the cost.
func benchDecode(b *testing.B, format string) {
	recs := benchRecords(format)
	d, err := NewRecordDecoder(benchTable, format, memory.NewGoAllocator())
	if err != nil {
		b.Fatal(err)
	}
	defer d.Release()
	var bytes int64
	for _, r := range recs {
		bytes += int64(len(r))
	}
	b.SetBytes(bytes / int64(len(recs)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := d.Add(recs[i%len(recs)]); err != nil {
			b.Fatal(err)
		}
		if d.Len() == 10000 {
			if _, err := d.Finish(); err != nil {
				b.Fatal(err)
			}
		}
	}
	if _, err := d.Finish(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkRecordDecoderJSON(b *testing.B) { benchDecode(b, "json") }
func BenchmarkRecordDecoderCSV(b *testing.B)  { benchDecode(b, "csv") }
