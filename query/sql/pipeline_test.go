package sql

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParsePipelineStatements(t *testing.T) {
	base := CreatePipeline{Name: "p", Brokers: "k1:9092", Topic: "events", Table: "t", Format: "json"}
	with := func(f func(*CreatePipeline)) *CreatePipeline {
		c := base
		f(&c)
		return &c
	}
	for _, tc := range []struct {
		sql  string
		want Statement
	}{
		{`CREATE PIPELINE p FROM KAFKA 'k1:9092' TOPIC 'events' INTO TABLE t FORMAT JSON`, &base},
		{`create pipeline p from kafka 'k1:9092' topic 'events' into table public.t format json;`, &base},
		{`CREATE PIPELINE IF NOT EXISTS "My Pipe" FROM KAFKA 'a:1, b:2,c:3' TOPIC 'it''s' INTO TABLE "T" FORMAT csv`,
			&CreatePipeline{Name: "My Pipe", Brokers: "a:1,b:2,c:3", Topic: "it's", Table: "T", Format: "csv", IfNotExists: true}},
		{`CREATE PIPELINE p FROM KAFKA 'k1:9092' TOPIC $$events$$ INTO TABLE t FORMAT 'JSON' ON ERROR STOP`,
			with(func(c *CreatePipeline) { c.StopOnError = true })},
		{`CREATE PIPELINE p FROM KAFKA 'k1:9092' TOPIC 'events' INTO TABLE t FORMAT JSON ON ERROR SKIP BATCH RECORDS 500 BATCH WAIT '1.5s'`,
			with(func(c *CreatePipeline) { c.BatchRecords, c.BatchWaitMs = 500, 1500 })},
		{`CREATE PIPELINE p FROM KAFKA 'k1:9092' TOPIC 'events' INTO TABLE t FORMAT JSON BATCH WAIT 250 MS BATCH RECORDS 7 ON ERROR STOP`,
			with(func(c *CreatePipeline) { c.BatchRecords, c.BatchWaitMs, c.StopOnError = 7, 250, true })},
		{`START PIPELINE p`, &StartPipeline{Name: "p"}},
		{`start pipeline "P"`, &StartPipeline{Name: "P"}},
		{`STOP PIPELINE P`, &StopPipeline{Name: "p"}},
		{`DROP PIPELINE p`, &DropPipeline{Name: "p"}},
		{`drop pipeline if exists p`, &DropPipeline{Name: "p", IfExists: true}},
		{`SHOW PIPELINES`, &ShowPipelines{}},
		{`show pipelines;`, &ShowPipelines{}},
	} {
		t.Run(tc.sql, func(t *testing.T) {
			stmts, err := Parse(tc.sql)
			require.NoError(t, err)
			require.Len(t, stmts, 1)
			require.Equal(t, tc.want, stmts[0])
		})
	}
}

func TestParsePipelineTags(t *testing.T) {
	for sql, tag := range map[string]string{
		`CREATE PIPELINE p FROM KAFKA 'h:1' TOPIC 't' INTO TABLE t FORMAT csv`: "CREATE PIPELINE",
		`START PIPELINE p`:       "START PIPELINE",
		`STOP PIPELINE p`:        "STOP PIPELINE",
		`DROP PIPELINE p`:        "DROP PIPELINE",
		`SHOW PIPELINES`:         "SHOW",
		`START TRANSACTION`:      "START TRANSACTION", // still the parser's
		`DROP TABLE IF EXISTS p`: "DROP TABLE",
	} {
		stmts, err := Parse(sql)
		require.NoError(t, err, sql)
		require.Equal(t, tag, stmts[0].Tag(), sql)
	}
}

func TestParsePipelineErrors(t *testing.T) {
	const head = `CREATE PIPELINE p FROM KAFKA 'k:1' TOPIC 'e' INTO TABLE t FORMAT `
	for _, tc := range []struct {
		sql, code, near string // near: the text the position points at ("" = end of input)
	}{
		{`CREATE PIPELINE`, codeSyntax, ""},
		{`CREATE PIPELINE p`, codeSyntax, ""},
		{`CREATE PIPELINE p FROM KAFKA k:1 TOPIC 'e' INTO TABLE t FORMAT json`, codeSyntax, "k:1"},
		{`CREATE PIPELINE p FROM S3 'k:1' TOPIC 'e' INTO TABLE t FORMAT json`, codeSyntax, "S3"},
		{`CREATE PIPELINE IF EXISTS p FROM KAFKA 'k:1' TOPIC 'e' INTO TABLE t FORMAT json`, codeSyntax, "EXISTS"},
		{`CREATE PIPELINE p FROM KAFKA 'k:1' TOPIC 'e' INTO t FORMAT json`, codeSyntax, "t FORMAT"},
		{`CREATE PIPELINE p FROM KAFKA 'k:1' TOPIC 'e' INTO TABLE t`, codeSyntax, ""},
		{`CREATE PIPELINE p FROM KAFKA 'nohost' TOPIC 'e' INTO TABLE t FORMAT json`, codeBadParamValue, "'nohost'"},
		{`CREATE PIPELINE p FROM KAFKA 'h:0' TOPIC 'e' INTO TABLE t FORMAT json`, codeBadParamValue, "'h:0'"},
		{`CREATE PIPELINE p FROM KAFKA 'h:1,' TOPIC 'e' INTO TABLE t FORMAT json`, codeBadParamValue, "'h:1,'"},
		{`CREATE PIPELINE p FROM KAFKA 'h:1' TOPIC '' INTO TABLE t FORMAT json`, codeBadParamValue, "'' INTO"},
		{head + `xml`, codeBadParamValue, "xml"},
		{head + `json ON ERROR IGNORE`, codeSyntax, "IGNORE"},
		{head + `json ON ERROR SKIP ON ERROR STOP`, codeSyntax, "ON ERROR STOP"},
		{head + `json BATCH RECORDS 0`, codeBadParamValue, "0"},
		{head + `json BATCH RECORDS 99999999999`, codeBadParamValue, "99999999999"},
		{head + `json BATCH RECORDS 5 BATCH RECORDS 6`, codeSyntax, "RECORDS 6"},
		{head + `json BATCH WAIT 'soon'`, codeBadParamValue, "'soon'"},
		{head + `json BATCH WAIT '10us'`, codeBadParamValue, "'10us'"},
		{head + `json BATCH WAIT 10`, codeSyntax, ""},
		{head + `json BATCH WAIT 10 seconds`, codeSyntax, "seconds"},
		{head + `json extra`, codeSyntax, "extra"},
		{`START PIPELINE`, codeSyntax, ""},
		{`START PIPELINE a b`, codeSyntax, "b"},
		{`STOP PIPELINE a.b`, codeSyntax, "."},
		{`DROP PIPELINE IF p`, codeSyntax, "p"},
		{`SHOW PIPELINES now`, codeSyntax, "now"},
		{`START PIPELINE ""`, codeSyntax, `""`},
		{`EXPLAIN SHOW PIPELINES`, codeUnsupported, "-"},
	} {
		t.Run(tc.sql, func(t *testing.T) {
			text := "SELECT 1; " + tc.sql
			_, err := Parse(text)
			require.Error(t, err)
			var se *Error
			require.True(t, errors.As(err, &se), "%T %v", err, err)
			require.Equal(t, tc.code, se.Code, se.Message)
			switch tc.near {
			case "-":
			case "":
				require.Equal(t, len(text)+1, se.Position, se.Message)
			default:
				require.Greater(t, se.Position, 0, se.Message)
				require.True(t, strings.HasPrefix(text[se.Position-1:], tc.near), "position %d: %q, message %s", se.Position, text[se.Position-1:], se.Message)
			}
		})
	}
}

func TestCheckBroker(t *testing.T) {
	require.NoError(t, CheckBroker("localhost:9092"))
	require.NoError(t, CheckBroker("[::1]:9092"))
	for _, b := range []string{"", "localhost", ":9092", "h:x", "h:70000"} {
		require.Error(t, CheckBroker(b), b)
	}
}
