# Aggregates, GROUP BY, HAVING, DISTINCT and DISTINCT ON.

CREATE TABLE sales (region text, item text NOT NULL, qty integer NOT NULL, price double precision, amount bigint, day date)
----
CREATE TABLE sales (region string, item string NOT NULL, qty int32 NOT NULL, price float64, amount int64, day date)

INSERT INTO sales VALUES ('eu', 'apple', 3, 1.5, 300, '2024-03-01'), ('eu', 'pear', 1, 2.0, 150, '2024-03-01'), ('us', 'apple', 10, 1.25, 1000, '2024-03-02'), ('us', 'plum', 2, NULL, NULL, '2024-03-02'), (NULL, 'apple', 4, 1.5, 400, '2024-03-03'), ('eu', 'apple', 5, 1.5, 500, '2024-03-03')
----
INSERT 0 6

SELECT count(*), count(region), count(DISTINCT region), count(price), sum(qty), sum(amount), min(item), max(day), avg(qty), avg(price), sum(price) FROM sales
----
count | count | count | count | sum   | sum            | min    | max        | avg               | avg     | sum
int64 | int64 | int64 | int64 | int64 | numeric(int64) | string | date       | numeric(float64)  | float64 | float64
6     | 5     | 2     | 5     | 25    | 2350           | apple  | 2024-03-03 | 4.166666666666667 | 1.55    | 7.75

SELECT region, count(*) AS n, sum(qty) FROM sales GROUP BY region ORDER BY region
----
region | n     | sum
string | int64 | int64
eu     | 3     | 9
us     | 2     | 12
NULL   | 1     | 4

# GROUP BY a position, an alias, an expression; ORDER BY an aggregate.
SELECT item, sum(qty * price) AS revenue FROM sales GROUP BY 1 ORDER BY revenue DESC
----
item   | revenue
string | float64
plum   | NULL
apple  | 30.5
pear   | 2

SELECT upper(item) AS it, count(*) FROM sales GROUP BY it ORDER BY count(*) DESC, it
----
it     | count
string | int64
APPLE  | 4
PEAR   | 1
PLUM   | 1

SELECT qty % 2 AS parity, count(*) FROM sales GROUP BY qty % 2 ORDER BY 1
----
parity | count
int64  | int64
0      | 3
1      | 3

SELECT qty % 2 + 1, count(*) FROM sales GROUP BY qty % 2 ORDER BY 1
----
?column? | count
int64    | int64
1        | 3
2        | 3

# Aggregates inside expressions: the Aggregate, then a projection.
SELECT region, sum(amount) / count(*) AS per_sale, max(qty) - min(qty) AS spread, round(avg(qty), 2) AS avg_qty FROM sales GROUP BY region ORDER BY region NULLS FIRST
----
region | per_sale          | spread | avg_qty
string | numeric(float64)  | int64  | numeric(float64)
NULL   | 400               | 0      | 4
eu     | 316.6666666666667 | 4      | 3
us     | 500               | 8      | 6

SELECT sum(qty) * 2 + 1 AS s, avg(qty)::double precision AS a, count(*) > 3 AS many FROM sales
----
s     | a                 | many
int64 | float64           | bool
51    | 4.166666666666667 | t

# HAVING, also without GROUP BY.
SELECT region, count(*) FROM sales GROUP BY region HAVING count(*) > 1 ORDER BY 1
----
region | count
string | int64
eu     | 3
us     | 2

SELECT item FROM sales GROUP BY item HAVING sum(qty) >= 10 AND min(price) < 2 ORDER BY item
----
item
string
apple

SELECT count(*) FROM sales HAVING count(*) > 100
----
count
int64

# Grouping by several keys and by a timestamp function.
SELECT region, item, sum(qty) FROM sales GROUP BY region, item ORDER BY region, item
----
region | item   | sum
string | string | int64
eu     | apple  | 8
eu     | pear   | 1
us     | apple  | 10
us     | plum   | 2
NULL   | apple  | 4

SELECT date_trunc('month', day) AS month, sum(amount) FROM sales GROUP BY month
----
month               | sum
timestamp           | numeric(int64)
2024-03-01 00:00:00 | 2350

# A name in GROUP BY is an input column first, an output alias second.
SELECT upper(region) AS item, count(*) FROM sales GROUP BY item ORDER BY 2, 1
----
error 42803: column "sales.region" must appear in the GROUP BY clause or be used in an aggregate function

# Grouping errors.
SELECT region, item FROM sales GROUP BY region
----
error 42803: column "sales.item" must appear in the GROUP BY clause or be used in an aggregate function

SELECT region, count(*) FROM sales
----
error 42803: column "sales.region" must appear in the GROUP BY clause or be used in an aggregate function

SELECT qty + 1 FROM sales GROUP BY qty + 2
----
error 42803: column "sales.qty" must appear in the GROUP BY clause or be used in an aggregate function

SELECT * FROM sales GROUP BY region
----
error 42803: column "sales.item" must appear in the GROUP BY clause or be used in an aggregate function

SELECT region FROM sales GROUP BY region ORDER BY item
----
error 42803: column "sales.item" must appear in the GROUP BY clause or be used in an aggregate function

SELECT region FROM sales WHERE count(*) > 1 GROUP BY region
----
error 42803: aggregate functions are not allowed in WHERE

SELECT count(*) FROM sales GROUP BY count(*)
----
error 42803: aggregate functions are not allowed in GROUP BY

SELECT sum(count(*)) FROM sales
----
error 42803: aggregate function calls cannot be nested

SELECT region, sum(qty) AS s FROM sales GROUP BY s
----
error 42803: aggregate functions are not allowed in GROUP BY

SELECT count(*) FROM sales GROUP BY 3
----
error 42P10: GROUP BY position 3 is not in select list

SELECT sum(DISTINCT qty) FROM sales
----
error 0A000: sum(DISTINCT ...) is not supported

SELECT string_agg(item, ',') FROM sales
----
error 0A000: aggregate function string_agg is not supported

SELECT count(*) FILTER (WHERE qty > 1) FROM sales
----
error 0A000: FILTER is not supported

SELECT sum(item) FROM sales
----
error 42883: function sum(text) does not exist

SELECT sum(qty, qty) FROM sales
----
error 42883: function sum does not exist with 2 arguments

SELECT row_number() OVER () FROM sales
----
error 0A000: window functions are not supported

# Aggregates over no rows.
SELECT count(*), sum(qty), max(item), avg(price) FROM sales WHERE qty > 100
----
count | sum   | max    | avg
int64 | int64 | string | float64
0     | NULL  | NULL   | NULL

SELECT region, count(*) FROM sales WHERE qty > 100 GROUP BY region
----
region | count
string | int64

# DISTINCT.
SELECT DISTINCT region FROM sales ORDER BY region
----
region
string
eu
us
NULL

SELECT DISTINCT region, item FROM sales ORDER BY 1 DESC, item
----
region | item
string | string
NULL   | apple
us     | apple
us     | plum
eu     | apple
eu     | pear

SELECT DISTINCT upper(item) AS u FROM sales ORDER BY upper(item)
----
u
string
APPLE
PEAR
PLUM

SELECT DISTINCT region FROM sales ORDER BY item
----
error 42P10: for SELECT DISTINCT, ORDER BY expressions must appear in select list

SELECT DISTINCT * FROM sales WHERE qty > 4 ORDER BY qty
----
region | item   | qty   | price   | amount | day
string | string | int32 | float64 | int64  | date
eu     | apple  | 5     | 1.5     | 500    | 2024-03-03
us     | apple  | 10    | 1.25    | 1000   | 2024-03-02

SELECT count(*) FROM (SELECT DISTINCT item, region FROM sales) s
----
count
int64
5

# DISTINCT ON: the first row of each group in ORDER BY order.
SELECT DISTINCT ON (region) region, item, qty FROM sales ORDER BY region, qty DESC
----
region | item   | qty
string | string | int32
eu     | apple  | 5
us     | apple  | 10
NULL   | apple  | 4

SELECT DISTINCT ON (item) item, day FROM sales ORDER BY item, day DESC
----
item   | day
string | date
apple  | 2024-03-03
pear   | 2024-03-01
plum   | 2024-03-02

SELECT DISTINCT ON (item) item FROM sales
----
item
string
apple
pear
plum

SELECT DISTINCT ON (1) item, qty FROM sales ORDER BY 1, 2
----
item   | qty
string | int32
apple  | 3
pear   | 1
plum   | 2

SELECT DISTINCT ON (item) item, qty FROM sales ORDER BY qty
----
error 42P10: SELECT DISTINCT ON expressions must match initial ORDER BY expressions
