# Parameters: types inferred from context (or declared with @hints),
# values bound with @args.

CREATE TABLE p (id integer NOT NULL, name text, ts timestamp, v double precision, ok boolean, big bigint, d date)
----
CREATE TABLE p (id int32 NOT NULL, name string, ts timestamp, v float64, ok bool, big int64, d date)

INSERT INTO p VALUES (1, 'one', '2024-01-01 00:00:00', 1.5, true, 10, '2024-01-01'), (2, 'two', '2024-01-02 00:00:00', 2.5, false, 20, '2024-01-02'), (3, 'three', '2024-01-03 00:00:00', NULL, NULL, NULL, NULL)
----
INSERT 0 3

@args 2
SELECT name FROM p WHERE id = $1
----
params: $1 int32
name
string
two

@args 1, 'o%'
SELECT name FROM p WHERE id > $1 OR name LIKE $2 ORDER BY id
----
params: $1 int32, $2 string
name
string
one
two
three

@args '2024-01-02', 3
SELECT id, v * $2 FROM p WHERE ts >= $1 ORDER BY id
----
params: $1 timestamp, $2 float64
id    | ?column?
int32 | float64
2     | 7.5
3     | NULL

@args 1, 2
SELECT id FROM p WHERE id + $1 > $2 ORDER BY id
----
params: $1 int32, $2 int64
id
int32
2
3

@args 2, 1
SELECT id FROM p ORDER BY id LIMIT $1 OFFSET $2
----
params: $1 int64, $2 int64
id
int32
2
3

@args NULL, NULL
SELECT id FROM p ORDER BY id LIMIT $1 OFFSET $2
----
params: $1 int64, $2 int64
id
int32
1
2
3

@args 1, 3
SELECT id FROM p WHERE id BETWEEN $1 AND $2 AND id IN ($1, $2) ORDER BY id
----
params: $1 int32, $2 int32
id
int32
1
3

@args 'one', 'two'
SELECT id FROM p WHERE name IN ($1, $2) ORDER BY id
----
params: $1 string, $2 string
id
int32
1
2

@args 2, 2
SELECT id FROM p WHERE $1 = $2 AND $2 = id
----
params: $1 int32, $2 int32
id
int32
2

@args true
SELECT id FROM p WHERE ok = $1 OR $1 IS NULL
----
params: $1 bool
id
int32
1

@args 5, 'day'
SELECT $1::int + id AS x, $2::text AS t FROM p ORDER BY 1
----
params: $1 int32, $2 string
x     | t
int64 | string
6     | day
7     | day
8     | day

@args 'ONE'
SELECT id FROM p WHERE upper(name) = $1
----
params: $1 string
id
int32
1

@args 'x'
SELECT coalesce(name, $1) FROM p ORDER BY 1
----
params: $1 string
coalesce
string
one
three
two

@args 5
SELECT CASE WHEN id > 1 THEN big ELSE $1 END AS c FROM p ORDER BY 1
----
params: $1 int64
c
int64
5
20
NULL

@args '2024-01-02 10:00'
SELECT date_trunc('day', $1::timestamp) AS d
----
params: $1 timestamp
d
timestamp
2024-01-02 00:00:00

@args 2
SELECT count(*) FROM p HAVING count(*) > $1
----
params: $1 int64
count
int64
3

@args 2
SELECT id FROM (SELECT id FROM p WHERE id >= $1) s ORDER BY id
----
params: $1 int32
id
int32
2
3

@args 4, 'four', '2024-01-04 00:00:00', 4.5, true, 40, '2024-01-04'
INSERT INTO p VALUES ($1, $2, $3, $4, $5, $6, $7)
----
params: $1 int32, $2 string, $3 timestamp, $4 float64, $5 bool, $6 int64, $7 date
INSERT 0 1

@args '5', 5, NULL
INSERT INTO p (id, name, big) VALUES ($1, $2, $3)
----
params: $1 int32, $2 string, $3 int64
INSERT 0 1

SELECT id, name, ts, v, ok, big, d FROM p WHERE id >= 4 ORDER BY id
----
id    | name   | ts                  | v       | ok   | big   | d
int32 | string | timestamp           | float64 | bool | int64 | date
4     | four   | 2024-01-04 00:00:00 | 4.5     | t    | 40    | 2024-01-04
5     | 5      | NULL                | NULL    | NULL | NULL  | NULL

@args 7, 'seven'
SELECT $1::bigint AS n, upper($2) AS s
----
params: $1 int64, $2 string
n     | s
int64 | string
7     | SEVEN

@args 3
VALUES ($1::int), (2)
----
params: $1 int32
column1
int64
3
2

# Hints win over inference; "-" leaves one to inference.
@hints string
@args '2'
SELECT id FROM p WHERE name = $1
----
params: $1 string
id
int32

@hints int64, -
@args 2, 'two'
SELECT id FROM p WHERE id = $1 AND name = $2
----
params: $1 int64, $2 string
id
int32
2

@hints int64, int64
@args 1
SELECT id FROM p WHERE id = $1
----
params: $1 int64, $2 int64
error 08P01: bind message supplies 1 parameters, but prepared statement requires 2

@hints float64
@args 2.5
SELECT id FROM p WHERE v = $1
----
params: $1 float64
id
int32
2

@hints string
@args 'abc'
SELECT id FROM p WHERE id = $1
----
error 42883: operator does not exist: integer = text

# Types that cannot be determined.
SELECT $1
----
error 42P18: could not determine data type of parameter $1

SELECT id FROM p WHERE $1 IS NULL
----
error 42P18: could not determine data type of parameter $1

SELECT $1 = $2 FROM p
----
error 42P18: could not determine data type of parameter $1

SELECT id FROM p WHERE id = $2
----
error 42P18: could not determine data type of parameter $1

SELECT count($1) FROM p
----
error 42P18: could not determine data type of parameter $1

# Binding errors.
SELECT id FROM p WHERE id = $1
----
params: $1 int32
error 42P02: there is no parameter $1

@args 1, 2
SELECT id FROM p WHERE id = $1
----
params: $1 int32
error 08P01: bind message supplies 2 parameters, but prepared statement requires 1

@args 'abc'
SELECT id FROM p WHERE id = $1
----
params: $1 int32
error 22P02: parameter $1: invalid input syntax for type integer: "abc"

@args 3000000000
SELECT id FROM p WHERE id = $1
----
params: $1 int32
error 22003: parameter $1: integer out of range: 3000000000

@args -1
SELECT id FROM p LIMIT $1
----
params: $1 int64
error 2201W: LIMIT must not be negative

@args -1
SELECT id FROM p OFFSET $1
----
params: $1 int64
error 2201X: OFFSET must not be negative

@args NULL
INSERT INTO p (id) VALUES ($1)
----
params: $1 int32
error 23502: null value in column "id" of relation "p" violates not-null constraint (row 1)

@args 1, 'x'
INSERT INTO p (id, ts) VALUES ($1, $2)
----
params: $1 int32, $2 timestamp
error 22007: parameter $2: invalid input syntax for type timestamp: "x"

@args true
INSERT INTO p (id) VALUES ($1)
----
params: $1 int32
error 42804: parameter $1: the argument is of type boolean, the parameter of type integer

@args 1
SELECT 1
----
error 08P01: bind message supplies 1 parameters, but prepared statement requires 0

SELECT $0
----
error 42601: syntax error: placeholder index must be between 1 and 65536 (at character 8)
