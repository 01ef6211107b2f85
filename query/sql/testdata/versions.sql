# Versions: AS OF VERSION, ROLLBACK TABLE, SHOW VERSIONS; EXPLAIN.
# The harness applies each write at the next version: CREATE TABLE is
# version 1 here, the INSERTs 2, 3 and 4.

CREATE TABLE v (k text, n bigint)
----
CREATE TABLE v (k string, n int64)

INSERT INTO v VALUES ('a', 1), ('b', 2)
----
INSERT 0 2

INSERT INTO v VALUES ('c', 3)
----
INSERT 0 1

INSERT INTO v VALUES ('d', 4)
----
INSERT 0 1

SHOW VERSIONS OF v
----
version | kind   | rows | rolled_back_to
1       | create | 0    | NULL
2       | write  | 2    | NULL
3       | write  | 1    | NULL
4       | write  | 1    | NULL

SELECT count(*), sum(n) FROM v
----
count | sum
int64 | numeric(int64)
4     | 10

SELECT count(*), sum(n) FROM v AS OF VERSION 2
----
count | sum
int64 | numeric(int64)
2     | 3

SELECT k FROM v AS OF VERSION 3 WHERE n > 1 ORDER BY k
----
k
string
b
c

SELECT k FROM v AS x AS OF VERSION 3 ORDER BY x.k DESC LIMIT 1
----
k
string
c

select k from v as of version 1
----
k
string

SELECT * FROM (SELECT k FROM v) s AS OF VERSION 2 ORDER BY k
----
k
string
a
b

SELECT * FROM (SELECT k FROM v AS OF VERSION 3) s ORDER BY k
----
k
string
a
b
c

SELECT k FROM v AS OF SYSTEM TIME 2 ORDER BY k
----
k
string
a
b

SELECT 'AS OF VERSION 2' AS text, "as" FROM (SELECT k AS "as" FROM v) s /* AS OF VERSION 9 */ AS OF VERSION 2 ORDER BY 2
----
text            | as
string          | string
AS OF VERSION 2 | a
AS OF VERSION 2 | b

SELECT k FROM v AS OF VERSION 99
----
error 22023: version 99 of "v" is not applied yet

SELECT k FROM v AS OF VERSION 0
----
error 22023: AS OF VERSION 0: a version is a positive integer

SELECT k FROM v AS OF SYSTEM TIME '-1s'
----
error 0A000: AS OF SYSTEM TIME '-1s' is not supported: use AS OF VERSION n

SELECT k FROM v AS OF VERSION
----
error 42601: syntax error at or near "VERSION" (at character 23)

SELECT 1 AS OF VERSION 3
----
error 42601: syntax error at or near "AS" (at character 10)

ROLLBACK TABLE v TO VERSION 2
----
ROLLBACK TABLE

SELECT k FROM v ORDER BY k
----
k
string
a
b

SHOW VERSIONS OF v
----
version | kind     | rows | rolled_back_to
1       | create   | 0    | NULL
2       | write    | 2    | NULL
3       | write    | 1    | NULL
4       | write    | 1    | NULL
5       | rollback | 0    | 2

SELECT k FROM v AS OF VERSION 4 ORDER BY k
----
k
string
a
b
c
d

INSERT INTO v VALUES ('e', 5)
----
INSERT 0 1

SELECT k FROM v ORDER BY k
----
k
string
a
b
e

rollback table public.v to version 3
----
ROLLBACK TABLE

SELECT k FROM v ORDER BY k
----
k
string
a
b
c

ROLLBACK TABLE nope TO VERSION 1
----
error 42P01: table "nope" does not exist

ROLLBACK TABLE v TO VERSION -1
----
error 42601: syntax error at or near "-" (at character 29)

ROLLBACK TABLE v TO 3
----
error 42601: syntax error at or near "3" (at character 21)

ROLLBACK TABLE v TO VERSION 3 NOW
----
error 42601: syntax error at or near "NOW" (at character 31)

SHOW VERSIONS OF nope
----
error 42P01: table "nope" does not exist

SHOW VERSIONS v
----
error 42601: syntax error at or near "v" (at character 15)

# EXPLAIN prints the logical plan here (the server adds what it read).
EXPLAIN SELECT k, count(*) FROM v WHERE n > 1 GROUP BY k HAVING count(*) > 0 ORDER BY 2 DESC LIMIT 3
----
Limit 3 OFFSET 0
  Project k#1 AS k, count#2 AS count
    Sort count#2 DESC
      Filter (count#2 > 0)
        Aggregate count(*) AS count GROUP BY k AS k
          Filter (n > 1)
            Scan v

EXPLAIN ANALYZE SELECT k FROM v AS OF VERSION 2
----
Project k AS k
  Scan v AS OF VERSION 2

EXPLAIN (ANALYZE, VERBOSE, COSTS false, FORMAT TEXT) SELECT DISTINCT k FROM v
----
Aggregate GROUP BY k#1 AS k
  Project k AS k
    Scan v

EXPLAIN (ANALYZE false) SELECT DISTINCT ON (k) k, n FROM v ORDER BY k, n DESC
----
Project k AS k, n AS n
  DistinctOn k
    Sort k, n DESC
      Scan v

EXPLAIN VERBOSE SELECT sum(n) / count(*) FROM v
----
Project (CAST(sum#1 AS float64) / count#2) AS "?column?"
  Aggregate sum(n) AS sum, count(*) AS count
    Scan v

explain analyse select 1
----
Values 1 rows (?column?)

EXPLAIN (FORMAT JSON) SELECT 1
----
error 0A000: EXPLAIN format json is not supported (only text)

EXPLAIN (BOGUS) SELECT 1
----
error 42601: unrecognized EXPLAIN option "bogus"

EXPLAIN INSERT INTO v VALUES ('x', 1)
----
error 0A000: EXPLAIN is supported for queries only, not INSERT

EXPLAIN SELECT * FROM pg_class
----
error 0A000: EXPLAIN is supported for queries only, not queries on system catalogs

EXPLAIN
----
error 42601: syntax error at end of input (at character 8)

EXPLAIN (ANALYZE SELECT 1
----
error 42601: syntax error at or near "SELECT" (at character 18)
