# INSERT: column lists, coercion to the column types, defaults, errors
# naming the row and the column.

CREATE TABLE t (id integer NOT NULL, big bigint, f double precision, s text, b boolean, ts timestamp, d date, raw bytea)
----
CREATE TABLE t (id int32 NOT NULL, big int64, f float64, s string, b bool, ts timestamp, d date, raw binary)

INSERT INTO t VALUES (1, 2, 3.5, 'x', true, '2024-01-01 10:00:00', '2024-01-01', '\x00ff')
----
INSERT 0 1

INSERT INTO t (id, s) VALUES (2, 'only s'), (3, NULL)
----
INSERT 0 2

INSERT INTO t (s, id) VALUES ('reversed', 4)
----
INSERT 0 1

INSERT INTO t VALUES (5)
----
INSERT 0 1

INSERT INTO t (id, big, f, s) VALUES (6, '77', 2, 42), (7, -8, '1e3', true), (8, 9, -1.5, 2.5)
----
INSERT 0 3

INSERT INTO t (id, f) VALUES (9, 1), ('10', 9223372036854775807)
----
INSERT 0 2

INSERT INTO t (id, big) VALUES (11.5, 12.4), (12.49, -12.5)
----
INSERT 0 2

INSERT INTO t (id, ts, d) VALUES (13, '2024-02-03', '2024-02-03 23:59:59'), (14, DATE '2024-05-06', TIMESTAMP '2024-05-06 12:00')
----
INSERT 0 2

INSERT INTO t (id, b, raw) VALUES (15, 'yes', 'plain'), (16, 'off', b'bytes')
----
INSERT 0 2

INSERT INTO t (id, s) VALUES (17, DEFAULT), (18, 'x'::text), (19, CAST(19 AS text))
----
INSERT 0 3

INSERT INTO public.t AS alias (id) VALUES (20)
----
INSERT 0 1

INSERT INTO t (id, f, big) VALUES (21, '0.25'::float8, CAST('5' AS float8))
----
INSERT 0 1

INSERT INTO t DEFAULT VALUES
----
error 23502: null value in column "id" of relation "t" violates not-null constraint (row 1)

SELECT id, big, f, s, b, ts, d, raw FROM t ORDER BY id
----
id    | big   | f                     | s        | b    | ts                  | d          | raw
int32 | int64 | float64               | string   | bool | timestamp           | date       | binary
1     | 2     | 3.5                   | x        | t    | 2024-01-01 10:00:00 | 2024-01-01 | \x00ff
2     | NULL  | NULL                  | only s   | NULL | NULL                | NULL       | NULL
3     | NULL  | NULL                  | NULL     | NULL | NULL                | NULL       | NULL
4     | NULL  | NULL                  | reversed | NULL | NULL                | NULL       | NULL
5     | NULL  | NULL                  | NULL     | NULL | NULL                | NULL       | NULL
6     | 77    | 2                     | 42       | NULL | NULL                | NULL       | NULL
7     | -8    | 1000                  | true     | NULL | NULL                | NULL       | NULL
8     | 9     | -1.5                  | 2.5      | NULL | NULL                | NULL       | NULL
9     | NULL  | 1                     | NULL     | NULL | NULL                | NULL       | NULL
10    | NULL  | 9.223372036854776e+18 | NULL     | NULL | NULL                | NULL       | NULL
12    | 12    | NULL                  | NULL     | NULL | NULL                | NULL       | NULL
12    | -13   | NULL                  | NULL     | NULL | NULL                | NULL       | NULL
13    | NULL  | NULL                  | NULL     | NULL | 2024-02-03 00:00:00 | 2024-02-03 | NULL
14    | NULL  | NULL                  | NULL     | NULL | 2024-05-06 00:00:00 | 2024-05-06 | NULL
15    | NULL  | NULL                  | NULL     | t    | NULL                | NULL       | \x706c61696e
16    | NULL  | NULL                  | NULL     | f    | NULL                | NULL       | \x6279746573
17    | NULL  | NULL                  | NULL     | NULL | NULL                | NULL       | NULL
18    | NULL  | NULL                  | x        | NULL | NULL                | NULL       | NULL
19    | NULL  | NULL                  | 19       | NULL | NULL                | NULL       | NULL
20    | NULL  | NULL                  | NULL     | NULL | NULL                | NULL       | NULL
21    | 5     | 0.25                  | NULL     | NULL | NULL                | NULL       | NULL

# Errors name the row and the column.
INSERT INTO t (id, big) VALUES (21, 1), (22, 'abc')
----
error 22P02: row 2, column "big": invalid input syntax for type bigint: "abc"

INSERT INTO t (id) VALUES (99999999999)
----
error 22003: row 1, column "id": integer out of range: 99999999999

INSERT INTO t (id, b) VALUES (23, 1)
----
error 42804: row 1, column "b": column is of type boolean but expression is of type bigint

INSERT INTO t (id, ts) VALUES (24, 5)
----
error 42804: row 1, column "ts": column is of type timestamp but expression is of type bigint

INSERT INTO t (id, d) VALUES (25, 'not a date')
----
error 22007: row 1, column "d": invalid input syntax for type date: "not a date"

INSERT INTO t (id) VALUES (NULL)
----
error 23502: null value in column "id" of relation "t" violates not-null constraint (row 1)

INSERT INTO t (s) VALUES ('no id')
----
error 23502: null value in column "id" of relation "t" violates not-null constraint (row 1)

INSERT INTO t (id, nope) VALUES (1, 2)
----
error 42703: column "nope" of relation "t" does not exist

INSERT INTO t (id, id) VALUES (1, 2)
----
error 42701: column "id" specified more than once

INSERT INTO t (id) VALUES (1, 2)
----
error 42601: INSERT has more expressions than target columns

INSERT INTO t (id, s) VALUES (1)
----
error 42601: INSERT has more target columns than expressions

INSERT INTO t VALUES (1, 2, 3, 'x', true, NULL, NULL, NULL, 'extra')
----
error 42601: INSERT has more expressions than target columns

INSERT INTO nope VALUES (1)
----
error 42P01: relation "nope" does not exist

INSERT INTO t (id) VALUES (1 + 1)
----
error 0A000: INSERT values must be constants or parameters, not 1 + 1

INSERT INTO t (id) VALUES (id)
----
error 42703: column "id" does not exist

INSERT INTO t (id) SELECT 1
----
error 0A000: INSERT ... SELECT is not supported: use VALUES

INSERT INTO t (id) VALUES (1) ON CONFLICT DO NOTHING
----
error 0A000: ON CONFLICT is not supported

INSERT INTO t (id) VALUES (1) RETURNING id
----
error 0A000: RETURNING is not supported

SELECT count(*) FROM t
----
count
int64
21
