package bench

import (
	"fmt"
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/stratadb/strata/storage"
)

// The transactions dataset: transfers between TransactionsAccounts
// accounts, two rows each. Rows 2k and 2k+1 are transfer k at
// TransactionsStart + k seconds: a 'debit' of -x cents from one account
// and a 'credit' of +x to another, so every pair sums to zero and so does
// an even row count (SELECT sum(amount) = 0). One transfer in eight
// involves one of the first 100 accounts (merchants), which makes them the
// busiest. ids are 1..rows.
var TransactionsStart = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

const (
	TransactionsAccounts = 10000
	transactionsBusy     = 100
	// TransactionsAccount is the account of the single-account query.
	TransactionsAccount = "acct-00042"
)

var transactionsCols = []column{
	{"id", storage.TypeInt64, "bigint", true},
	{"account", storage.TypeString, "text", true},
	{"direction", storage.TypeString, "text", true},
	{"amount", storage.TypeInt64, "bigint", true}, // cents, signed
	{"ts", storage.TypeTimestamp, "timestamptz", true},
}

// TransactionsAccountName is account a's name, acct-00042 for a = 42.
func TransactionsAccountName(a int) string { return fmt.Sprintf("acct-%05d", a) }

// Transactions is the double-entry transfers dataset.
func Transactions() Dataset {
	schema := schemaOf(transactionsCols)
	start := TransactionsStart.UnixMicro()
	names := make([]string, TransactionsAccounts)
	for a := range names {
		names[a] = TransactionsAccountName(a)
	}
	return Dataset{
		Name:        "transactions",
		Table:       "transactions",
		StrataDDL:   createTable("transactions", transactionsCols, "partition_by = 'account', buckets = 16, sort_by = 'ts'"),
		PostgresDDL: createTable("transactions", transactionsCols, ""),
		PostgresIndexes: []string{
			// ids are unique: a primary-key-like index, for lookups by id.
			"CREATE UNIQUE INDEX transactions_id ON transactions (id)",
			// transactions_one_account (account equality, ordered by ts),
			// transactions_top_balances and transactions_balances_zero (grouped by account).
			"CREATE INDEX transactions_account_ts ON transactions (account, ts)",
			// transactions_daily (time order).
			"CREATE INDEX transactions_ts ON transactions (ts)",
		},
		Generate: func(rows, seed int64, batchRows int, yield func(arrow.RecordBatch) error) error {
			return generate(schema, rows, batchRows, func(b *array.RecordBuilder, from, to int64) {
				id := b.Field(0).(*array.Int64Builder)
				account := b.Field(1).(*array.StringBuilder)
				direction := b.Field(2).(*array.StringBuilder)
				amount := b.Field(3).(*array.Int64Builder)
				ts := b.Field(4).(*array.TimestampBuilder)
				for i := from; i < to; i++ {
					k := i / 2
					r := newRNG(seed, 5, k)
					var debitor, creditor int
					if r.float() < 0.125 {
						creditor = r.intn(transactionsBusy)
						debitor = r.intn(TransactionsAccounts)
					} else {
						debitor = r.intn(TransactionsAccounts)
						creditor = r.intn(TransactionsAccounts)
					}
					if creditor == debitor {
						creditor = (creditor + 1) % TransactionsAccounts
					}
					// Log-uniform between $1 and $10,000.
					x := int64(100 * math.Exp(r.float()*math.Log(10000)))
					id.Append(i + 1)
					if i%2 == 0 {
						account.Append(names[debitor])
						direction.Append("debit")
						amount.Append(-x)
					} else {
						account.Append(names[creditor])
						direction.Append("credit")
						amount.Append(x)
					}
					ts.Append(arrow.Timestamp(start + k*1_000_000))
				}
			}, yield)
		},
		Queries: []Query{
			{Name: "transactions_total", Ordered: true,
				SQL: "SELECT count(*), sum(amount), count(DISTINCT account), min(ts), max(ts) FROM transactions"},
			{Name: "transactions_by_direction", Ordered: true,
				SQL: "SELECT direction, count(*), sum(amount), min(amount), max(amount), avg(amount) FROM transactions " +
					"GROUP BY direction ORDER BY direction"},
			{Name: "transactions_top_balances", Ordered: true,
				SQL: "SELECT account, sum(amount) AS balance, count(*) FROM transactions GROUP BY account " +
					"ORDER BY balance DESC, account LIMIT 10"},
			{Name: "transactions_balances_zero", Ordered: true,
				SQL: "SELECT count(*), sum(balance) FROM (SELECT account, sum(amount) AS balance FROM transactions GROUP BY account) AS b"},
			{Name: "transactions_daily", Ordered: true,
				SQL: "SELECT date_trunc('day', ts) AS day, count(*), sum(abs(amount)) / 2 AS volume, count(DISTINCT account) " +
					"FROM transactions GROUP BY day ORDER BY day",
				DuckDBWhy: "DuckDB's / divides integers as floating point (// is its integer division), so volume is a DOUBLE there; " +
					"every day's sum(abs(amount)) is even (each transfer adds 2x), so the value is exact and compares equal"},
			{Name: "transactions_one_account", Ordered: true,
				SQL: "SELECT id, direction, amount, ts FROM transactions WHERE account = '" + TransactionsAccount + "' ORDER BY ts, id"},
		},
	}
}
