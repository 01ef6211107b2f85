# Plain queries: projections, WHERE, ORDER BY, LIMIT/OFFSET, aliases,
# subqueries in FROM, VALUES, SELECT without FROM.

CREATE TABLE metrics (host text NOT NULL, ts timestamp NOT NULL, cpu double precision, mem bigint, region varchar(8), ok boolean) WITH (partition_by = 'host', buckets = 4, sort_by = 'ts')
----
CREATE TABLE metrics (host string NOT NULL, ts timestamp NOT NULL, cpu float64, mem int64, region string, ok bool) partition_by=[host] buckets=4 sort_by=[ts]

INSERT INTO metrics VALUES ('h1', '2024-01-01 00:00:00', 0.5, 100, 'eu', true), ('h1', '2024-01-01 00:01:30', 0.7, 200, 'eu', false), ('h2', '2024-01-01 00:02:00', NULL, 300, 'us', true), ('h2', '2024-01-01 00:07:10', 0.9, NULL, 'us', NULL), ('h3', '2024-01-01 01:00:00', 0.1, 50, NULL, true), ('h3', '2024-01-02 12:30:00', 0.3, 70, 'eu', false)
----
INSERT 0 6

SELECT * FROM metrics ORDER BY ts
----
host   | ts                  | cpu     | mem   | region | ok
string | timestamp           | float64 | int64 | string | bool
h1     | 2024-01-01 00:00:00 | 0.5     | 100   | eu     | t
h1     | 2024-01-01 00:01:30 | 0.7     | 200   | eu     | f
h2     | 2024-01-01 00:02:00 | NULL    | 300   | us     | t
h2     | 2024-01-01 00:07:10 | 0.9     | NULL  | us     | NULL
h3     | 2024-01-01 01:00:00 | 0.1     | 50    | NULL   | t
h3     | 2024-01-02 12:30:00 | 0.3     | 70    | eu     | f

SELECT host, cpu FROM metrics WHERE cpu > 0.4 ORDER BY cpu DESC
----
host   | cpu
string | float64
h2     | 0.9
h1     | 0.7
h1     | 0.5

SELECT host, mem * 2 AS double_mem, mem / 3, mem % 7, -mem, cpu + 1 FROM metrics ORDER BY host, ts
----
host   | double_mem | ?column? | ?column? | ?column? | ?column?
string | int64      | int64    | int64    | int64    | float64
h1     | 200        | 33       | 2        | -100     | 1.5
h1     | 400        | 66       | 4        | -200     | 1.7
h2     | 600        | 100      | 6        | -300     | NULL
h2     | NULL       | NULL     | NULL     | NULL     | 1.9
h3     | 100        | 16       | 1        | -50      | 1.1
h3     | 140        | 23       | 0        | -70      | 1.3

# ORDER BY an alias, a position, an expression, a column not selected.
SELECT host AS h, mem FROM metrics ORDER BY h DESC, 2
----
h      | mem
string | int64
h3     | 50
h3     | 70
h2     | 300
h2     | NULL
h1     | 100
h1     | 200

SELECT host FROM metrics ORDER BY mem * -1 LIMIT 3
----
host
string
h2
h1
h1

SELECT host, mem FROM metrics ORDER BY ts DESC LIMIT 2 OFFSET 1
----
host   | mem
string | int64
h3     | 50
h2     | NULL

SELECT mem FROM metrics ORDER BY mem NULLS FIRST
----
mem
int64
NULL
50
70
100
200
300

SELECT mem FROM metrics ORDER BY mem DESC NULLS LAST
----
mem
int64
300
200
100
70
50
NULL

SELECT mem FROM metrics ORDER BY mem DESC
----
mem
int64
NULL
300
200
100
70
50

SELECT host FROM metrics ORDER BY host LIMIT ALL OFFSET 4
----
host
string
h3
h3

SELECT host FROM metrics ORDER BY host LIMIT NULL
----
host
string
h1
h1
h2
h2
h3
h3

SELECT host FROM metrics LIMIT 0
----
host
string

# The output name wins over the input column in ORDER BY.
SELECT mem AS cpu, cpu AS mem FROM metrics ORDER BY cpu LIMIT 2
----
cpu   | mem
int64 | float64
50    | 0.1
70    | 0.3

# Table aliases and qualified names.
SELECT m.host, m.ts FROM metrics AS m WHERE m.mem = 100
----
host   | ts
string | timestamp
h1     | 2024-01-01 00:00:00

SELECT metrics.host FROM metrics WHERE metrics.mem = 200
----
host
string
h1

SELECT m.* FROM metrics m WHERE mem = 50
----
host   | ts                  | cpu     | mem   | region | ok
string | timestamp           | float64 | int64 | string | bool
h3     | 2024-01-01 01:00:00 | 0.1     | 50    | NULL   | t

SELECT x.host FROM metrics m
----
error 42P01: missing FROM-clause entry for table "x"

SELECT metrics.host FROM metrics m
----
error 42P01: invalid reference to FROM-clause entry for table "metrics"

SELECT h, c FROM metrics AS m(h, t, c) WHERE c IS NOT NULL ORDER BY c LIMIT 2
----
h      | c
string | float64
h3     | 0.1
h3     | 0.3

SELECT *, mem + 1 AS next FROM metrics WHERE host = 'h3' ORDER BY ts
----
host   | ts                  | cpu     | mem   | region | ok   | next
string | timestamp           | float64 | int64 | string | bool | int64
h3     | 2024-01-01 01:00:00 | 0.1     | 50    | NULL   | t    | 51
h3     | 2024-01-02 12:30:00 | 0.3     | 70    | eu     | f    | 71

SELECT public.metrics.host FROM public.metrics ORDER BY 1 LIMIT 1
----
host
string
h1

# Subqueries in FROM.
SELECT s.h, s.m FROM (SELECT host AS h, mem AS m FROM metrics WHERE mem > 60) AS s ORDER BY s.m
----
h      | m
string | int64
h3     | 70
h1     | 100
h1     | 200
h2     | 300

SELECT count(*) FROM (SELECT DISTINCT host FROM metrics) hosts
----
count
int64
3

SELECT x FROM (SELECT host, mem FROM metrics) AS s(x, y) ORDER BY y DESC NULLS LAST LIMIT 1
----
x
string
h2

SELECT hour, n FROM (SELECT date_trunc('hour', ts) AS hour, count(*) AS n FROM metrics GROUP BY 1) AS t WHERE n > 1
----
hour                | n
timestamp           | int64
2024-01-01 00:00:00 | 4

SELECT * FROM (SELECT host FROM metrics ORDER BY ts LIMIT 2) s ORDER BY host DESC
----
host
string
h1
h1

# SELECT without FROM, VALUES.
SELECT 1, 2.5 AS f, 'a' AS s, true AS b, NULL AS n
----
?column? | f                | s      | b    | n
int64    | numeric(float64) | string | bool | string
1        | 2.5              | a      | t    | NULL

SELECT 1 + 2 * 3, 7 / 2, 7 % 3, -(5), 2.0 * 3
----
?column? | ?column? | ?column? | ?column? | ?column?
int64    | int64    | int64    | int64    | numeric(float64)
7        | 3        | 1        | -5       | 6

SELECT 1 AS one WHERE false
----
one
int64

SELECT count(*)
----
count
int64
1

VALUES (1, 'one'), (2, 'two'), (3, NULL)
----
column1 | column2
int64   | string
1       | one
2       | two
3       | NULL

VALUES (3, 'c'), (1, 'a'), (2, 'b') ORDER BY 1 DESC LIMIT 2
----
column1 | column2
int64   | string
3       | c
2       | b

VALUES (1), (2.5)
----
column1
numeric(float64)
1
2.5

SELECT column2 FROM (VALUES (1, 'x'), (2, 'y')) AS v WHERE column1 = 2
----
column2
string
y

VALUES (1, 2), (3)
----
error 42601: VALUES lists must all be the same length

# Booleans.
SELECT host, ok FROM metrics WHERE ok ORDER BY ts
----
host   | ok
string | bool
h1     | t
h2     | t
h3     | t

SELECT host FROM metrics WHERE NOT ok OR ok IS NULL ORDER BY ts
----
host
string
h1
h2
h3

SELECT host FROM metrics WHERE ok IS TRUE AND mem >= 100 ORDER BY ts
----
host
string
h1
h2

SELECT host, ok IS NOT TRUE AS nt, ok IS FALSE AS f, ok IS DISTINCT FROM true AS d FROM metrics ORDER BY ts
----
host   | nt   | f    | d
string | bool | bool | bool
h1     | f    | f    | f
h1     | t    | t    | t
h2     | f    | f    | f
h2     | t    | f    | t
h3     | f    | f    | f
h3     | t    | t    | t

# Unknown tables and columns.
SELECT * FROM nope
----
error 42P01: relation "nope" does not exist

SELECT nope FROM metrics
----
error 42703: column "nope" does not exist

SELECT m.nope FROM metrics m
----
error 42703: column m.nope does not exist

SELECT * FROM other.metrics
----
error 42P01: relation "other.metrics" does not exist

SELECT * FROM db.public.metrics
----
error 0A000: cross-database references are not implemented: "db.public.metrics"

SELECT *
----
error 42601: SELECT * with no tables specified is not valid

SELECT host FROM metrics ORDER BY 3
----
error 42P10: ORDER BY position 3 is not in select list

SELECT host FROM metrics ORDER BY 'x'
----
error 42601: non-integer constant in ORDER BY

SELECT host FROM metrics LIMIT -1
----
error 2201W: LIMIT must not be negative

SELECT host FROM metrics OFFSET -1
----
error 2201X: OFFSET must not be negative

SELECT host FROM metrics LIMIT 1 + 1
----
error 0A000: LIMIT must be an integer constant or a parameter

SELECT a, a FROM (SELECT 1 AS a, 2 AS a) s
----
error 42702: column reference "a" is ambiguous
