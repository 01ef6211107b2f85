# CREATE TABLE, DROP TABLE, DESCRIBE, SHOW TABLES, SHOW COLUMNS.

CREATE TABLE t1 (a bigint NOT NULL, b int8, c integer, d int, e int4, f smallint, g double precision, h float8, i real, j boolean, k text, l varchar, m varchar(10), n bytea, o timestamp, p timestamptz, q date, r float)
----
CREATE TABLE t1 (a int64 NOT NULL, b int64, c int32, d int32, e int32, f int32, g float64, h float64, i float64, j bool, k string, l string, m string, n binary, o timestamp, p timestamp, q date, r float64)

DESCRIBE t1
----
column_name | data_type        | nullable | partition_key | sort_key
a           | bigint           | f        | f             | NULL
b           | bigint           | t        | f             | NULL
c           | integer          | t        | f             | NULL
d           | integer          | t        | f             | NULL
e           | integer          | t        | f             | NULL
f           | integer          | t        | f             | NULL
g           | double precision | t        | f             | NULL
h           | double precision | t        | f             | NULL
i           | double precision | t        | f             | NULL
j           | boolean          | t        | f             | NULL
k           | text             | t        | f             | NULL
l           | text             | t        | f             | NULL
m           | text             | t        | f             | NULL
n           | bytea            | t        | f             | NULL
o           | timestamp        | t        | f             | NULL
p           | timestamp        | t        | f             | NULL
q           | date             | t        | f             | NULL
r           | double precision | t        | f             | NULL

CREATE TABLE IF NOT EXISTS t1 (a int)
----
CREATE TABLE (exists)

CREATE TABLE t1 (a int)
----
error 42P07: relation "t1" already exists

CREATE TABLE "Mixed Case" ("Col A" int, colb text NULL) WITH (partition_by = '"Col A"', buckets = 2, sort_by = 'colb, "Col A"')
----
CREATE TABLE Mixed Case (Col A int32, colb string) partition_by=[Col A] buckets=2 sort_by=[colb Col A]

SHOW COLUMNS FROM "Mixed Case"
----
column_name | data_type | nullable | partition_key | sort_key
Col A       | integer   | t        | t             | 2
colb        | text      | t        | f             | 1

SELECT "Col A" FROM "Mixed Case"
----
Col A
int32

CREATE TABLE metrics (host text NOT NULL, ts timestamp NOT NULL, v double precision) WITH (partition_by = 'host', sort_by = 'ts')
----
CREATE TABLE metrics (host string NOT NULL, ts timestamp NOT NULL, v float64) partition_by=[host] buckets=0 sort_by=[ts]

CREATE TABLE public.m2 (host text) WITH (PARTITION_BY = 'HOST', BUCKETS = '8')
----
CREATE TABLE m2 (host string) partition_by=[host] buckets=8 sort_by=[]

SHOW TABLES
----
Mixed Case
m2
metrics
t1

DESC public.m2
----
column_name | data_type | nullable | partition_key | sort_key
host        | text      | t        | t             | NULL

# Unsupported types and definitions.
CREATE TABLE bad (a numeric)
----
error 0A000: type numeric is not supported

CREATE TABLE bad (a numeric(10, 2), b int)
----
error 0A000: type numeric is not supported

CREATE TABLE bad (a json)
----
error 0A000: type jsonb is not supported

CREATE TABLE bad (a int[])
----
error 0A000: type integer[] is not supported

CREATE TABLE bad (a char(3))
----
error 0A000: type character is not supported

CREATE TABLE bad (a interval)
----
error 0A000: type interval is not supported

CREATE TABLE bad (a mytype)
----
error 42704: type "mytype" does not exist

CREATE TABLE bad (a int PRIMARY KEY)
----
error 0A000: column "a": primary keys are not supported

CREATE TABLE bad (a int, PRIMARY KEY (a))
----
error 0A000: table constraints are not supported: PRIMARY KEY (a)

CREATE TABLE bad (a int DEFAULT 1)
----
error 0A000: column "a": DEFAULT is not supported

CREATE TABLE bad (a int UNIQUE)
----
error 0A000: column "a": UNIQUE is not supported

CREATE TABLE bad (a int CHECK (a > 0))
----
error 0A000: column "a": CHECK constraints are not supported

CREATE TABLE bad (a serial)
----
error 0A000: column "a": serial columns are not supported

CREATE TABLE bad (a int REFERENCES t1 (a))
----
error 0A000: column "a": REFERENCES is not supported

CREATE TEMP TABLE bad (a int)
----
error 0A000: temporary tables are not supported

CREATE TABLE bad AS SELECT 1
----
error 0A000: CREATE TABLE AS is not supported

CREATE TABLE bad (a int, a text)
----
error 42701: column "a" specified more than once

CREATE TABLE bad (__a int)
----
error 42939: column name "__a" is reserved: names starting with "__" are Strata's

CREATE TABLE bad ()
----
error 0A000: tables without columns are not supported

CREATE TABLE other.bad (a int)
----
error 3F000: schema "other" does not exist

# Table options.
CREATE TABLE bad (a int) WITH (fillfactor = 70)
----
error 22023: unrecognized parameter "fillfactor" (Strata's table options are partition_by, buckets and sort_by)

CREATE TABLE bad (a int) WITH (partition_by = 'b')
----
error 42703: column "b" named in partition_by does not exist

CREATE TABLE bad (a int) WITH (partition_by = 'a, a')
----
error 42701: column "a" appears twice in partition_by

CREATE TABLE bad (a int) WITH (sort_by = '')
----
error 22023: sort_by: empty column name in ""

CREATE TABLE bad (a int) WITH (partition_by = 'a', buckets = 0)
----
error 22023: buckets must be an integer from 1 to 4096, got 0

CREATE TABLE bad (a int) WITH (partition_by = 'a', buckets = 100000)
----
error 22023: buckets must be an integer from 1 to 4096, got 100000

CREATE TABLE bad (a int) WITH (buckets = 4)
----
error 22023: buckets = 4 needs a partition key (partition_by)

CREATE TABLE bad (a int) WITH (partition_by = 1)
----
error 22023: partition_by must be a string of column names, like 'partition_by = ''a, b'''

# DROP TABLE.
DROP TABLE m2
----
DROP TABLE

DROP TABLE m2
----
error 42P01: table "m2" does not exist

DROP TABLE IF EXISTS m2
----
DROP TABLE

DROP TABLE IF EXISTS t1 CASCADE
----
DROP TABLE

DROP TABLE a, b
----
error 0A000: DROP TABLE of several tables is not supported: drop them one by one

SHOW TABLES
----
Mixed Case
metrics

DESCRIBE nope
----
error 42P01: table "nope" does not exist

DESCRIBE
----
error 42601: syntax error at end of input (at character 9)

DESCRIBE a b
----
error 42601: syntax error at or near "b" (at character 12)

SHOW COLUMNS FROM nope
----
error 42P01: table "nope" does not exist

# Statements Strata does not have.
UPDATE metrics SET v = 1
----
error 0A000: UPDATE is not supported

DELETE FROM metrics
----
error 0A000: DELETE is not supported

CREATE INDEX i ON metrics (host)
----
error 0A000: CREATE INDEX is not supported

ALTER TABLE metrics ADD COLUMN x int
----
error 0A000: ALTER TABLE is not supported

TRUNCATE metrics
----
error 0A000: TRUNCATE is not supported

CREATE VIEW v AS SELECT 1
----
error 0A000: CREATE VIEW is not supported
