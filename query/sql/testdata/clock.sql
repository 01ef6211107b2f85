# now(), current_date and constant interval arithmetic (clock.go). @now
# fixes the statement clock; blocks without it must not depend on the time.

CREATE TABLE ev (id int8 NOT NULL, ts timestamp NOT NULL, d date)
----
CREATE TABLE ev (id int64 NOT NULL, ts timestamp NOT NULL, d date)

INSERT INTO ev VALUES (1, '2024-01-31 09:00:00', '2024-01-24'), (2, '2024-01-31 09:58:00', '2024-01-30'), (3, '2024-01-30 10:00:00', '2024-01-31'), (4, '2001-01-01 00:00:00', NULL)
----
INSERT 0 4

@now 2024-01-31 10:00:00
SELECT now(), current_timestamp, localtimestamp, transaction_timestamp(), statement_timestamp(), current_date, current_timestamp(0)
----
now                 | current_timestamp   | localtimestamp      | transaction_timestamp | statement_timestamp | current_date | current_timestamp
timestamp           | timestamp           | timestamp           | timestamp             | timestamp           | date         | timestamp
2024-01-31 10:00:00 | 2024-01-31 10:00:00 | 2024-01-31 10:00:00 | 2024-01-31 10:00:00   | 2024-01-31 10:00:00 | 2024-01-31   | 2024-01-31 10:00:00

@now 2024-01-31 10:00:00.7
SELECT current_timestamp(0), localtimestamp(1)
----
current_timestamp   | localtimestamp
timestamp           | timestamp
2024-01-31 10:00:01 | 2024-01-31 10:00:00.7

@now 2024-01-31 10:00:00
SELECT id FROM ev WHERE ts > now() - interval '5 minutes' ORDER BY id
----
id
int64
2

@now 2024-01-31 10:00:00
SELECT id FROM ev WHERE ts >= now() - INTERVAL '1 day' AND ts < now() ORDER BY id
----
id
int64
1
2
3

@now 2024-01-31 10:00:00
SELECT id FROM ev WHERE d >= current_date - 7 ORDER BY id
----
id
int64
1
2
3

@now 2024-01-31 10:00:00
SELECT id FROM ev WHERE ts >= current_date - interval '1 day 2 hours' ORDER BY id
----
id
int64
1
2
3

@now 2024-01-31 10:00:00
EXPLAIN SELECT id FROM ev WHERE ts > now() - '90 seconds'::interval
----
Project id AS id
  Filter (ts > '2024-01-31 09:58:30')
    Scan ev

@now 2024-01-31 10:00:00
SELECT now() + interval '1 month', now() - interval '1 year 2 mons', current_date + 1, 7 + current_date, interval '1 hour' + now(), (now() - interval '1 day')::date, current_date::timestamp + interval '36 hours'
----
?column?            | ?column?            | ?column?   | ?column?   | ?column?            | date       | ?column?
timestamp           | timestamp           | date       | date       | timestamp           | date       | timestamp
2024-02-29 10:00:00 | 2022-11-30 10:00:00 | 2024-02-01 | 2024-02-07 | 2024-01-31 11:00:00 | 2024-01-30 | 2024-02-01 12:00:00

SELECT TIMESTAMP '2024-01-31 12:00:00' + INTERVAL '1 month', DATE '2024-02-29' + INTERVAL '1 year', DATE '2024-03-01' - 1, TIMESTAMP '2024-01-01' - INTERVAL '1' DAY, TIMESTAMP '2024-01-01' + -interval '2 weeks', TIMESTAMP '2024-01-01' + interval '1.5 months'
----
?column?            | ?column?            | ?column?   | ?column?            | ?column?            | ?column?
timestamp           | timestamp           | date       | timestamp           | timestamp           | timestamp
2024-02-29 12:00:00 | 2025-02-28 00:00:00 | 2024-02-29 | 2023-12-31 00:00:00 | 2023-12-18 00:00:00 | 2024-02-16 00:00:00

# the real clock: answers that do not depend on the time
SELECT count(*) FROM ev WHERE ts < now()
----
count
int64
4

SELECT now() - interval '1 day' < now(), current_date <= now(), now() = now(), now() = current_timestamp
----
?column? | ?column? | ?column? | ?column?
bool     | bool     | bool     | bool
t        | t        | t        | t

@args '2024-01-31 09:30:00'
@now 2024-01-31 10:00:00
SELECT id FROM ev WHERE ts > $1 AND ts < now() ORDER BY id
----
params: $1 timestamp
id
int64
2

SELECT id FROM ev WHERE ts + interval '1 hour' > now()
----
error 0A000: interval arithmetic on a column is not supported; compare the column with a shifted constant instead (ts > now() - interval '1 hour')

SELECT ts - interval '1 hour' FROM ev
----
error 0A000: interval arithmetic on a column is not supported; compare the column with a shifted constant instead (ts > now() - interval '1 hour')

SELECT now() - now()
----
error 42883: operator does not exist: timestamp - timestamp

SELECT interval '1 day'
----
error 0A000: type interval is only supported added to or subtracted from a constant timestamp or date (now() - interval '1 day') and as the width of date_bin and time_bucket

SELECT now() + interval '5 apples'
----
error 22007: invalid input syntax for type interval: "5 apples"

SELECT now(1)
----
error 42883: function now does not exist with 1 argument

INSERT INTO ev VALUES (5, now(), current_date)
----
error 0A000: now() and current_date are not supported in INSERT values

SELECT clock_timestamp(), current_time
----
error 0A000: function clock_timestamp is not supported
