# Scalar expressions: time functions, CAST, CASE, COALESCE, NULLIF, LIKE,
# IN, BETWEEN, IS NULL, comparisons of timestamps with strings, scalar
# functions.

CREATE TABLE ev (id bigint NOT NULL, ts timestamptz NOT NULL, d date, name text, v double precision, n integer, raw bytea)
----
CREATE TABLE ev (id int64 NOT NULL, ts timestamp NOT NULL, d date, name string, v float64, n int32, raw binary)

INSERT INTO ev VALUES (1, '2024-02-29 23:59:59.5', '2024-02-29', 'Alpha', 1.5, 7, '\x0102'), (2, '2024-03-01 00:04:59', '2024-03-01', 'beta', -2.25, NULL, NULL), (3, '2024-03-01 00:05:00', NULL, 'gamma_1', NULL, -3, 'ab'), (4, '2024-03-03 10:30:00', '2024-03-03', NULL, 0, 0, '')
----
INSERT 0 4

SELECT id, date_trunc('hour', ts), date_trunc('day', ts), date_trunc('week', ts), date_trunc('month', ts), date_trunc('year', d) FROM ev ORDER BY id
----
id    | date_trunc          | date_trunc          | date_trunc          | date_trunc          | date_trunc
int64 | timestamp           | timestamp           | timestamp           | timestamp           | timestamp
1     | 2024-02-29 23:00:00 | 2024-02-29 00:00:00 | 2024-02-26 00:00:00 | 2024-02-01 00:00:00 | 2024-01-01 00:00:00
2     | 2024-03-01 00:00:00 | 2024-03-01 00:00:00 | 2024-02-26 00:00:00 | 2024-03-01 00:00:00 | 2024-01-01 00:00:00
3     | 2024-03-01 00:00:00 | 2024-03-01 00:00:00 | 2024-02-26 00:00:00 | 2024-03-01 00:00:00 | NULL
4     | 2024-03-03 10:00:00 | 2024-03-03 00:00:00 | 2024-02-26 00:00:00 | 2024-03-01 00:00:00 | 2024-01-01 00:00:00

SELECT id, date_bin('5 minutes', ts, '2000-01-01'), date_bin(INTERVAL '1 hour', ts, TIMESTAMP '2024-01-01 00:30:00'), time_bucket('1 day', ts), time_bucket('10 seconds'::interval, ts) FROM ev ORDER BY id
----
id    | date_bin            | date_bin            | time_bucket         | time_bucket
int64 | timestamp           | timestamp           | timestamp           | timestamp
1     | 2024-02-29 23:55:00 | 2024-02-29 23:30:00 | 2024-02-29 00:00:00 | 2024-02-29 23:59:50
2     | 2024-03-01 00:00:00 | 2024-02-29 23:30:00 | 2024-03-01 00:00:00 | 2024-03-01 00:04:50
3     | 2024-03-01 00:05:00 | 2024-02-29 23:30:00 | 2024-03-01 00:00:00 | 2024-03-01 00:05:00
4     | 2024-03-03 10:30:00 | 2024-03-03 10:30:00 | 2024-03-03 00:00:00 | 2024-03-03 10:30:00

SELECT time_bucket('1 week', ts) AS w, count(*) FROM ev GROUP BY w ORDER BY w
----
w                   | count
timestamp           | int64
2024-02-26 00:00:00 | 4

SELECT time_bucket('1 hour', ts, INTERVAL '15 minutes') FROM ev WHERE id = 4
----
time_bucket
timestamp
2024-03-03 10:15:00

SELECT date_bin('1 month', ts, '2000-01-01') FROM ev
----
error 0A000: timestamps cannot be binned into intervals containing months or years

SELECT date_bin('0 seconds', ts, '2000-01-01') FROM ev
----
error 22008: stride must be greater than zero

SELECT date_bin('5 apples', ts, '2000-01-01') FROM ev
----
error 22007: invalid input syntax for type interval: "5 apples"

SELECT date_trunc('fortnight', ts) FROM ev
----
error 22023: unit "fortnight" not recognized for type timestamp

SELECT date_trunc(name, ts) FROM ev
----
error 0A000: the unit of date_trunc must be a string constant

SELECT date_trunc('day', ts, 'Europe/Paris') FROM ev
----
error 0A000: date_trunc with a time zone is not supported (Strata's timestamps are UTC)

SELECT id, extract(year FROM ts) AS y, extract(month FROM ts), extract(dow FROM ts), extract(hour FROM ts), date_part('day', d), extract(epoch FROM ts) FROM ev ORDER BY id
----
id    | y                | extract          | extract          | extract          | date_part | extract
int64 | numeric(float64) | numeric(float64) | numeric(float64) | numeric(float64) | float64   | numeric(float64)
1     | 2024             | 2                | 4                | 23               | 29        | 1709251199.5
2     | 2024             | 3                | 5                | 0                | 1         | 1709251499
3     | 2024             | 3                | 5                | 0                | NULL      | 1709251500
4     | 2024             | 3                | 0                | 10               | 3         | 1709461800

SELECT extract(century FROM ts) FROM ev
----
error 22023: unit "century" not recognized for type timestamp

# Timestamps and dates compared with strings.
SELECT id FROM ev WHERE ts >= '2024-03-01' AND ts < '2024-03-02 00:05:00' ORDER BY id
----
id
int64
2
3

SELECT id FROM ev WHERE ts BETWEEN '2024-03-01 00:00:00' AND '2024-03-03' ORDER BY id
----
id
int64
2
3

SELECT id FROM ev WHERE d = '2024-03-01'
----
id
int64
2

SELECT id FROM ev WHERE d < ts ORDER BY id
----
id
int64
1
2
4

SELECT id FROM ev WHERE ts > 'yesterday'
----
error 22007: invalid input syntax for type timestamp: "yesterday"

# CAST and ::.
SELECT id, n::text, v::integer, CAST(id AS double precision), name::varchar, ts::date, d::timestamp, '42'::bigint + 1 AS x FROM ev ORDER BY 1
----
id    | n      | v     | id      | name    | ts         | d                   | x
int64 | string | int32 | float64 | string  | date       | timestamp           | int64
1     | 7      | 2     | 1       | Alpha   | 2024-02-29 | 2024-02-29 00:00:00 | 43
2     | NULL   | -2    | 2       | beta    | 2024-03-01 | 2024-03-01 00:00:00 | 43
3     | -3     | NULL  | 3       | gamma_1 | 2024-03-01 | NULL                | 43
4     | 0      | 0     | 4       | NULL    | 2024-03-03 | 2024-03-03 00:00:00 | 43

SELECT '12'::int, 'true'::boolean, '2024-01-02'::date, '3.5'::float8, '\x41'::bytea, CAST('x' AS text), 1::text
----
int4  | bool | date       | float8  | bytea  | text   | text
int32 | bool | date       | float64 | binary | string | string
12    | t    | 2024-01-02 | 3.5     | \x41   | x      | 1

SELECT 'abc'::integer
----
error 22P02: invalid input syntax for type integer: "abc"

SELECT '99999999999'::integer
----
error 22003: value "99999999999" is out of range for type integer

SELECT CAST(1 AS numeric)
----
error 0A000: type numeric is not supported

SELECT id::json FROM ev
----
error 0A000: type jsonb is not supported

SELECT id::regtype FROM ev
----
SYSTEM QUERY "SELECT id::regtype FROM ev"

SELECT v::integer FROM ev WHERE id = 2
----
v
int32
-2

# CASE, COALESCE, NULLIF, GREATEST, LEAST.
SELECT id, CASE WHEN v > 0 THEN 'pos' WHEN v < 0 THEN 'neg' ELSE 'zero or null' END AS sign, CASE n WHEN 7 THEN 'seven' WHEN 0 THEN 'zero' END, CASE WHEN id > 2 THEN id ELSE v END AS mixed FROM ev ORDER BY id
----
id    | sign         | case   | mixed
int64 | string       | string | float64
1     | pos          | seven  | 1.5
2     | neg          | NULL   | -2.25
3     | zero or null | NULL   | 3
4     | zero or null | zero   | 4

SELECT id, coalesce(name, 'none') AS name, coalesce(n, 0) + 1, nullif(n, 0), greatest(n, 1, id), least(v, 0) FROM ev ORDER BY id
----
id    | name    | ?column? | nullif | greatest | least
int64 | string  | int64    | int64  | int64    | float64
1     | Alpha   | 8        | 7      | 7        | 0
2     | beta    | 1        | NULL   | 2        | -2.25
3     | gamma_1 | -2       | -3     | 3        | 0
4     | none    | 1        | NULL   | 4        | 0

SELECT CASE WHEN id = 1 THEN name ELSE id END FROM ev
----
error 42804: CASE types text and bigint cannot be matched

# LIKE, ILIKE, NOT LIKE, escapes.
SELECT id, name FROM ev WHERE name LIKE '%a' ORDER BY id
----
id    | name
int64 | string
1     | Alpha
2     | beta

SELECT id FROM ev WHERE name ILIKE 'a%' OR name NOT LIKE '_e%' ORDER BY id
----
id
int64
1
3

SELECT id FROM ev WHERE name LIKE 'gamma\_%'
----
id
int64
3

SELECT id FROM ev WHERE name LIKE 'gamma!_%' ESCAPE '!'
----
id
int64
3

SELECT id FROM ev WHERE name NOT ILIKE 'GAMMA#_%' ESCAPE '#' ORDER BY id
----
id
int64
1
2

SELECT id FROM ev WHERE name LIKE name ESCAPE '!'
----
error 0A000: LIKE ... ESCAPE with a pattern that is not a constant takes only the default escape '\'

SELECT id FROM ev WHERE name SIMILAR TO 'a'
----
error 0A000: operator SIMILAR TO is not supported

SELECT id FROM ev WHERE name ~ 'a'
----
error 0A000: operator ~ is not supported

# IN, NOT IN, BETWEEN, IS NULL.
SELECT id FROM ev WHERE id IN (1, 3, 5) ORDER BY id
----
id
int64
1
3

SELECT id FROM ev WHERE name NOT IN ('beta', 'Alpha') ORDER BY id
----
id
int64
3

SELECT id FROM ev WHERE n NOT IN (7, NULL)
----
id
int64

SELECT id FROM ev WHERE id IN (n, 4) ORDER BY id
----
id
int64
4

SELECT id FROM ev WHERE id BETWEEN 2 AND 3 OR id NOT BETWEEN 1 AND 3 ORDER BY id
----
id
int64
2
3
4

SELECT id, v IS NULL, name IS NOT NULL FROM ev ORDER BY id
----
id    | ?column? | ?column?
int64 | bool     | bool
1     | f        | t
2     | f        | t
3     | t        | t
4     | f        | f

SELECT id FROM ev WHERE id IN (SELECT 1)
----
error 0A000: IN with a subquery or an array is not supported, only IN (list)

SELECT id FROM ev WHERE id = ANY(ARRAY[1, 2])
----
error 0A000: ANY with arrays or subqueries is not supported

SELECT id FROM ev WHERE id BETWEEN SYMMETRIC 3 AND 1 ORDER BY id
----
id
int64
1
2
3

SELECT id FROM ev WHERE id NOT BETWEEN SYMMETRIC 3 AND 2 ORDER BY id
----
id
int64
1
4

# Scalar functions.
SELECT id, abs(v), round(v), round(v, 1), floor(v), ceil(v), ceiling(v), lower(name), upper(name), length(name), char_length(name) FROM ev ORDER BY id
----
id    | abs     | round   | round   | floor   | ceil    | ceiling | lower   | upper   | length | char_length
int64 | float64 | float64 | float64 | float64 | float64 | float64 | string  | string  | int32  | int32
1     | 1.5     | 2       | 1.5     | 1       | 2       | 2       | alpha   | ALPHA   | 5      | 5
2     | 2.25    | -2      | -2.3    | -3      | -2      | -2      | beta    | BETA    | 4      | 4
3     | NULL    | NULL    | NULL    | NULL    | NULL    | NULL    | gamma_1 | GAMMA_1 | 7      | 7
4     | 0       | 0       | 0       | 0       | 0       | 0       | NULL    | NULL    | NULL   | NULL

SELECT clock_timestamp()
----
error 0A000: function clock_timestamp is not supported

SELECT no_such_function(1)
----
error 42883: function no_such_function does not exist with 1 argument

SELECT lower(1, 2)
----
error 42883: function lower does not exist with 2 arguments

SELECT name || 'x' FROM ev
----
error 0A000: operator || is not supported

# Type errors.
SELECT id FROM ev WHERE name = 1
----
error 42883: operator does not exist: text = bigint

SELECT id FROM ev WHERE id = 'abc'
----
error 22P02: invalid input syntax for type bigint: "abc"

SELECT name + 1 FROM ev
----
error 42883: operator does not exist: text + bigint

SELECT id FROM ev WHERE ts = true
----
error 42883: operator does not exist: timestamp = boolean

SELECT id FROM ev WHERE n
----
error 42804: argument of WHERE must be type boolean, not type integer

SELECT -name FROM ev
----
error 42883: operator does not exist: - text

SELECT id / 0 FROM ev
----
error 22012: division by zero

SELECT id FROM ev WHERE id = 9223372036854775807 + 1
----
error 22003: integer out of range: 9223372036854775807 + 1
