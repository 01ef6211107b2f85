#!/usr/bin/env bash
# The exactly-once demonstration, by hand: 200,000 transfers that sum to
# zero go through Kafka into a three-node Strata cluster while batches fail,
# acknowledgements are lost, the broker restarts and the Strata leader is
# killed. At the end every node must answer 200000 | 0 | 200000.
#
# Needs: Go, kcat (apt-get install kcat), psql. Run from the repository
# root: examples/kafka-exactly-once.sh   (about a minute; leaves ./demo-kafka)
# The automated version is TestPipelineExactlyOnceDemonstration in
# cmd/strata/pipeline_e2e_test.go.
set -euo pipefail
work=demo-kafka
rm -rf "$work" && mkdir -p "$work"
go build -o "$work/strata" ./cmd/strata
S="$work/strata"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; }
trap cleanup EXIT

broker() { "$S" dev-kafka --port 19092 --data-dir "$work/kafka" --topic transactions --partitions 4 >>"$work/kafka.log" 2>&1 & echo $!; }
kpid=$(broker); pids+=("$kpid"); sleep 1

# Every node fails 10% of pipeline batches before committing them and
# drops the acknowledgement of another 10% after (testing only).
export STRATA_PIPELINE_FAULTS="fail=0.1,dropack=0.1,seed=7"
node() { # id, extra flags
	local i=$1; shift
	"$S" server --node-id "n$i" --data-dir "$work/data$i" --grpc-addr "127.0.0.1:1760$i" --raft-addr "127.0.0.1:1770$i" \
		--pg-addr "127.0.0.1:1543$i" --http-addr "127.0.0.1:1768$i" "$@" >>"$work/n$i.log" 2>&1 &
	echo $!
}
declare -A npid
npid[1]=$(node 1 --bootstrap); sleep 2
npid[2]=$(node 2 --join 127.0.0.1:17601)
npid[3]=$(node 3 --join 127.0.0.1:17601)
pids+=("${npid[@]}"); sleep 3

"$S" sql --addr 127.0.0.1:17601 -c "CREATE TABLE transactions (id bigint NOT NULL, account text NOT NULL, direction text NOT NULL, amount bigint NOT NULL)" \
	-c "CREATE PIPELINE tx FROM KAFKA '127.0.0.1:19092' TOPIC 'transactions' INTO TABLE transactions FORMAT CSV BATCH RECORDS 2000" \
	-c "START PIPELINE tx"

# 200,000 transfers in credit/debit pairs: positional CSV, no header.
awk 'BEGIN { for (i = 0; i < 200000; i++) { a = int(i/2) % 5000 + 1; if (i % 2) printf "%d,acct-%04d,debit,%d\n", i, i%1000, -a; else printf "%d,acct-%04d,credit,%d\n", i, i%1000, a } }' >"$work/transfers.csv"
head -n 100000 "$work/transfers.csv" | kcat -P -b 127.0.0.1:19092 -t transactions
sleep 2

echo "restarting the broker"
kill "$kpid"; wait "$kpid" 2>/dev/null || true
kpid=$(broker); pids+=("$kpid"); sleep 1
tail -n +100001 "$work/transfers.csv" | kcat -P -b 127.0.0.1:19092 -t transactions

leader=$("$S" cluster status --addr 127.0.0.1:17602 | awk '/^leader/ {print $2}' | tr -d ,)
echo "killing the leader $leader"
kill -9 "${npid[${leader#n}]}"
sleep 5
npid[${leader#n}]=$(node "${leader#n}"); pids+=("${npid[${leader#n}]}")
sleep 10

for i in 1 2 3; do
	for try in $(seq 60); do
		got=$(psql -h 127.0.0.1 -p "1543$i" -At -c "SELECT count(*), sum(amount), count(DISTINCT id) FROM transactions" 2>/dev/null || true)
		[ "$got" = "200000|0|200000" ] && break
		sleep 1
	done
	echo "n$i: $got"
	[ "$got" = "200000|0|200000" ] || { echo "FAILED"; exit 1; }
done
"$S" sql --addr 127.0.0.1:17601 -c "SHOW PIPELINES"
echo "exactly once: every node has 200000 transfers summing to 0"
