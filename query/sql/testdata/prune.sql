# ORDER BY over a table sorts only the columns the select list and the
# sort keys use: a Project of them goes between the Sort and the filters
# (positional references renumbered), so the other columns are never
# copied out of the scan.

CREATE TABLE w (a integer NOT NULL, b text, c double precision, d bigint, e text)
----
CREATE TABLE w (a int32 NOT NULL, b string, c float64, d int64, e string)

INSERT INTO w VALUES (1, 'x', 1.5, 40, 'p'), (2, 'y', NULL, 30, 'q'), (3, 'x', 3.5, 20, 'r'), (4, 'z', 4.5, 10, 's')
----
INSERT 0 4

EXPLAIN SELECT c, a FROM w WHERE b <> 'z' ORDER BY d
----
Project c AS c, a AS a
  Sort d
    Project a#1 AS a, c#3 AS c, d#4 AS d
      Filter (b <> "z")
        Scan w

SELECT c, a FROM w WHERE b <> 'z' ORDER BY d
----
c       | a
float64 | int32
3.5     | 3
NULL    | 2
1.5     | 1

SELECT e, a * 2 AS twice FROM w ORDER BY 2 DESC LIMIT 2
----
e      | twice
string | int64
s      | 8
r      | 6

@args 1
SELECT e, c FROM w WHERE a > $1 ORDER BY c DESC NULLS LAST, e LIMIT $1
----
params: $1 int64
e      | c
string | float64
s      | 4.5

EXPLAIN SELECT e, a FROM w ORDER BY c DESC, a LIMIT 2
----
Limit 2 OFFSET 0
  Project e AS e, a AS a
    Sort c DESC, a
      Project a#1 AS a, c#3 AS c, e#5 AS e
        Scan w

SELECT e, a FROM w ORDER BY c DESC, a LIMIT 2
----
e      | a
string | int32
q      | 2
s      | 4

# Every column used: nothing to narrow.
EXPLAIN SELECT a, b, c, d, e FROM w ORDER BY a
----
Project a AS a, b AS b, c AS c, d AS d, e AS e
  Sort a
    Scan w

# An aggregate's input is already only what it reads.
EXPLAIN SELECT b, sum(a) FROM w GROUP BY b ORDER BY b
----
Project b#1 AS b, sum#2 AS sum
  Sort b#1
    Aggregate sum(a) AS sum GROUP BY b AS b
      Scan w
