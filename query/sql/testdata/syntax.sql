# Syntax errors carry the 1-based character position in the whole query
# string (several statements, comments, multi-byte characters), as
# PostgreSQL reports them.

SELEC 1
----
error 42601: syntax error at or near "SELEC" (at character 1)

SELECT 1 FROM
----
error 42601: syntax error at end of input (at character 14)

SELECT 1;
SELECT * FROM WHERE
----
error 42601: syntax error at or near "WHERE" (at character 25)

/* héhé */ SELECT 'é' FRM t
----
error 42601: syntax error at or near "t" (at character 27)

SELECT 'unterminated
----
error 42601: unterminated quoted string at or near "'unterminated" (at character 8)

SELECT "unterminated
----
error 42601: unterminated quoted identifier at or near ""unterminated" (at character 8)

SELECT 1 /* unterminated
----
error 42601: unterminated /* comment at or near "/* unterminated" (at character 10)

SELECT (1
----
error 42601: syntax error at end of input (at character 10)

SELECT 1 +
----
error 42601: syntax error at end of input (at character 11)

SELECT 1 AS OF VERSION 3
----
error 42601: syntax error at or near "AS" (at character 10)

SELECT * FROM t AS OF VERSION 3 AS OF VERSION 4
----
error 42601: syntax error at or near "AS" (at character 33)

SELECT * FROM t AS OF VERSION 1.5
----
error 0A000: AS OF SYSTEM TIME 1.5 is not supported: use AS OF VERSION n

SELECT $$dollar; quoted$$ AS s, E'it''s; \' escaped' AS e, 'x;y' AS q
----
s              | e               | q
string         | string          | string
dollar; quoted | it's; ' escaped | x;y

SELECT 1 AS "semi;colon"; SELECT 2 -- ; comment
----
semi;colon
int64
1
?column?
int64
2

SELECT * FROM t TABLESAMPLE BERNOULLI (10)
----
error 42601: syntax error at or near "BERNOULLI" (at character 29)

SELECT * FROM t GROUP BY ROLLUP (a)
----
error 0A000: syntax not supported at or near "a" (at character 34)

# Unsupported queries.
SELECT 1 UNION SELECT 2
----
error 0A000: UNION is not supported

SELECT 1 INTERSECT SELECT 2
----
error 0A000: INTERSECT is not supported

WITH x AS (SELECT 1) SELECT * FROM x
----
error 0A000: WITH is not supported

SELECT * FROM a, b
----
error 0A000: joins are not supported

SELECT * FROM a JOIN b ON a.x = b.x
----
error 0A000: joins are not supported

SELECT * FROM a CROSS JOIN b
----
error 0A000: joins are not supported

SELECT * FROM generate_series(1, 3)
----
error 0A000: functions in FROM are not supported

SELECT * FROM LATERAL (SELECT 1) s
----
error 0A000: LATERAL is not supported

SELECT (SELECT 1)
----
error 0A000: subqueries are only supported in FROM

SELECT EXISTS (SELECT 1)
----
error 0A000: subqueries are only supported in FROM

SELECT ARRAY[1, 2]
----
error 0A000: arrays are not supported

SELECT ROW(1, 2)
----
error 0A000: row constructors are not supported

SELECT 'a' COLLATE "C"
----
error 0A000: COLLATE is not supported

SELECT 1 FOR UPDATE
----
error 0A000: FOR UPDATE and FOR SHARE are not supported

SELECT 1 WINDOW w AS ()
----
error 0A000: window functions are not supported

SELECT 1::interval
----
error 0A000: type interval is only supported added to or subtracted from a constant timestamp or date (now() - interval '1 day') and as the width of date_bin and time_bucket

PREPARE p AS SELECT 1
----
error 0A000: PREPARE is not supported

EXECUTE p
----
error 0A000: EXECUTE is not supported

DEALLOCATE p
----
error 0A000: DEALLOCATE is not supported

LISTEN chan
----
error 42601: syntax error at or near "LISTEN" (at character 1)

VACUUM
----
error 42601: syntax error at or near "VACUUM" (at character 1)

GRANT SELECT ON t TO u
----
error 0A000: GRANT is not supported

CREATE SCHEMA s
----
error 0A000: CREATE SCHEMA is not supported
