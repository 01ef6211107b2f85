# Session statements, COPY, queries for the pg_catalog emulation, empty
# statements.

SET search_path = public
----
SET name="search_path" value="public" local=false reset=false

SET search_path TO "$user", public
----
SET name="search_path" value="\"$user\", public" local=false reset=false

SET LOCAL statement_timeout = 5000
----
SET name="statement_timeout" value="5000" local=true reset=false

SET application_name = 'psql'
----
SET name="application_name" value="psql" local=false reset=false

SET extra_float_digits TO 3
----
SET name="extra_float_digits" value="3" local=false reset=false

SET TIME ZONE 'UTC'
----
SET name="timezone" value="UTC" local=false reset=false

SET TIME ZONE LOCAL
----
SET name="timezone" value="" local=false reset=true

SET client_encoding TO DEFAULT
----
SET name="client_encoding" value="" local=false reset=true

SET datestyle = ISO, MDY
----
SET name="datestyle" value="iso, mdy" local=false reset=false

SET enable_seqscan = off
----
SET name="enable_seqscan" value="off" local=false reset=false

SET x = true
----
SET name="x" value="on" local=false reset=false

RESET statement_timeout
----
SET name="statement_timeout" value="" local=false reset=true

RESET ALL
----
SET name="all" value="" local=false reset=true

SET TRANSACTION ISOLATION LEVEL SERIALIZABLE
----
SET name="transaction_isolation" value="serializable" local=true reset=false

SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY
----
SET name="default_transaction_read_only" value="on" local=false reset=false

SHOW search_path
----
SHOW name="search_path" columns=search_path

SHOW TIME ZONE
----
SHOW name="timezone" columns=timezone

SHOW TRANSACTION ISOLATION LEVEL
----
SHOW name="transaction_isolation" columns=transaction_isolation

SHOW ALL
----
SHOW name="all" columns=name,setting,description

SHOW server_version
----
SHOW name="server_version" columns=server_version

BEGIN
----
TRANSACTION BEGIN

BEGIN ISOLATION LEVEL REPEATABLE READ
----
TRANSACTION BEGIN

START TRANSACTION
----
TRANSACTION START TRANSACTION

COMMIT
----
TRANSACTION COMMIT

END
----
TRANSACTION COMMIT

ROLLBACK
----
TRANSACTION ROLLBACK

ABORT
----
TRANSACTION ROLLBACK

SAVEPOINT sp
----
TRANSACTION SAVEPOINT

RELEASE SAVEPOINT sp
----
TRANSACTION RELEASE

ROLLBACK TO SAVEPOINT sp
----
TRANSACTION ROLLBACK

# COPY FROM STDIN.
CREATE TABLE c (a integer, b text)
----
CREATE TABLE c (a int32, b string)

COPY c FROM STDIN
----
COPY table="c" columns=[] format=text header=false delimiter='\t' null="\\N"

COPY c (b, a) FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER ';', NULL 'null')
----
COPY table="c" columns=["b" "a"] format=csv header=true delimiter=';' null="null"

COPY c FROM STDIN WITH CSV HEADER
----
COPY table="c" columns=[] format=csv header=true delimiter=',' null=""

COPY c FROM STDIN CSV DELIMITER '|'
----
COPY table="c" columns=[] format=csv header=false delimiter='|' null=""

COPY public.c FROM STDIN WITH (FORMAT text, HEADER false, NULL '')
----
COPY table="c" columns=[] format=text header=false delimiter='\t' null=""

COPY c FROM STDIN WITH (FORMAT binary)
----
COPY table="c" columns=[] format=binary header=false delimiter='\x00' null=""

COPY c FROM STDIN WITH (DELIMITER '||')
----
error 22023: COPY delimiter must be a single one-byte character

COPY c FROM STDIN WITH (FORMAT csv, QUOTE '''')
----
error 0A000: COPY QUOTE is not supported (CSV quotes with ")

COPY c FROM STDIN WITH (FORMAT csv, QUOTE '"', ENCODING 'UTF8')
----
COPY table="c" columns=[] format=csv header=false delimiter=',' null=""

COPY c FROM '/tmp/file.csv'
----
error 0A000: syntax not supported at or near "'/tmp/file.csv'" (at character 13)

COPY c TO STDOUT
----
error 0A000: COPY TO is not supported

COPY nope FROM STDIN
----
error 42P01: relation "nope" does not exist

COPY c (nope) FROM STDIN
----
error 42703: column "nope" of relation "c" does not exist

# Queries on PostgreSQL's catalogs and session functions go to the
# server's pg_catalog emulation untouched.
SELECT version()
----
SYSTEM QUERY "SELECT version()"

select current_schema()
----
SYSTEM QUERY "select current_schema()"

SELECT current_database(), current_user, session_user
----
SYSTEM QUERY "SELECT current_database(), current_user, session_user"

SELECT current_setting('server_version_num')
----
SYSTEM QUERY "SELECT current_setting('server_version_num')"

SELECT set_config('search_path', 'public', false)
----
SYSTEM QUERY "SELECT set_config('search_path', 'public', false)"

SELECT n.nspname, c.relname FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 1, 2
----
SYSTEM QUERY "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 1, 2"

SELECT * FROM pg_type WHERE typname = 'int4'
----
SYSTEM QUERY "SELECT * FROM pg_type WHERE typname = 'int4'"

SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'
----
SYSTEM QUERY "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"

SELECT c FROM (SELECT 1 AS c) s WHERE c IN (SELECT oid FROM pg_namespace)
----
SYSTEM QUERY "SELECT c FROM (SELECT 1 AS c) s WHERE c IN (SELECT oid FROM pg_namespace)"

SELECT format_type(23, -1), obj_description(1, 'pg_class'), has_table_privilege('c', 'select')
----
SYSTEM QUERY "SELECT format_type(23, -1), obj_description(1, 'pg_class'), has_table_privilege('c', 'select')"

SELECT 't'::regclass
----
SYSTEM QUERY "SELECT 't'::regclass"

SELECT pg_backend_pid()
----
SYSTEM QUERY "SELECT pg_backend_pid()"

WITH x AS (SELECT * FROM pg_attribute) SELECT count(*) FROM x
----
SYSTEM QUERY "WITH x AS (SELECT * FROM pg_attribute) SELECT count(*) FROM x"

SELECT 1 UNION SELECT typlen FROM pg_type
----
SYSTEM QUERY "SELECT 1 UNION SELECT typlen FROM pg_type"

# Empty statements.
;
----
EMPTY

-- just a comment
----
EMPTY

/* a comment */ ;; /* and another */
----
EMPTY

SELECT 1;;SELECT 2;
----
?column?
int64
1
?column?
int64
2
