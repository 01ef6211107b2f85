package sql

import (
	"math"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stratadb/strata/storage"
)

// Kafka pipelines, read by the front parser (front.go):
//
//	CREATE PIPELINE [IF NOT EXISTS] name
//	    FROM KAFKA 'host:port[,host:port...]' TOPIC 'topic'
//	    INTO TABLE t FORMAT JSON|CSV
//	    [ON ERROR SKIP|STOP] [BATCH RECORDS n] [BATCH WAIT 'duration' | BATCH WAIT n MS]
//	START PIPELINE name
//	STOP PIPELINE name
//	DROP PIPELINE [IF EXISTS] name
//	SHOW PIPELINES
//
// The clauses after FORMAT may come in any order, each at most once.

// CreatePipeline is CREATE PIPELINE: a Kafka topic consumed into a table.
type CreatePipeline struct {
	Name         string
	Brokers      string // comma-separated host:port, as written (spaces around commas removed)
	Topic        string
	Table        string
	Format       string // "json" or "csv"
	StopOnError  bool   // ON ERROR STOP
	BatchRecords int32  // 0: the server's default
	BatchWaitMs  int32  // 0: the server's default
	IfNotExists  bool
}

// StartPipeline is START PIPELINE name.
type StartPipeline struct{ Name string }

// StopPipeline is STOP PIPELINE name.
type StopPipeline struct{ Name string }

// DropPipeline is DROP PIPELINE [IF EXISTS] name.
type DropPipeline struct {
	Name     string
	IfExists bool
}

// ShowPipelines is SHOW PIPELINES: one row per pipeline partition
// (ShowPipelinesColumns).
type ShowPipelines struct{}

func (*CreatePipeline) Tag() string { return "CREATE PIPELINE" }
func (*StartPipeline) Tag() string  { return "START PIPELINE" }
func (*StopPipeline) Tag() string   { return "STOP PIPELINE" }
func (*DropPipeline) Tag() string   { return "DROP PIPELINE" }
func (*ShowPipelines) Tag() string  { return "SHOW" }

// ShowPipelinesColumns answer SHOW PIPELINES: one row per partition of
// each pipeline; a pipeline without partitions yet has one row whose
// partition columns are NULL.
var ShowPipelinesColumns = []Column{
	{Name: "name", Type: storage.TypeString},
	{Name: "state", Type: storage.TypeString},
	{Name: "topic", Type: storage.TypeString},
	{Name: "table", Type: storage.TypeString},
	{Name: "partition", Type: storage.TypeInt32},
	{Name: "next_offset", Type: storage.TypeInt64},
	{Name: "high_watermark", Type: storage.TypeInt64},
	{Name: "lag", Type: storage.TypeInt64},
	{Name: "rows", Type: storage.TypeInt64},
	{Name: "errors", Type: storage.TypeInt64},
	{Name: "error", Type: storage.TypeString},
}

// PipelineFormats are the record formats a pipeline reads.
var PipelineFormats = []string{"json", "csv"}

// parsePipeline parses the pipeline statements; false when pc is none.
func (f *frontParser) parsePipeline() (Statement, bool, error) {
	toks := f.pc.toks
	if len(toks) < 2 {
		return nil, false, nil
	}
	switch {
	case toks[0].is("create") && toks[1].is("pipeline"):
		f.i = 2
		st, err := f.createPipeline()
		return st, true, err
	case toks[0].is("start") && toks[1].is("pipeline"):
		f.i = 2
		st, err := f.pipelineNameStatement(func(n string) Statement { return &StartPipeline{Name: n} })
		return st, true, err
	case toks[0].is("stop") && toks[1].is("pipeline"):
		f.i = 2
		st, err := f.pipelineNameStatement(func(n string) Statement { return &StopPipeline{Name: n} })
		return st, true, err
	case toks[0].is("drop") && toks[1].is("pipeline"):
		f.i = 2
		ifExists := false
		if f.keyword("if") {
			if err := f.expect("exists"); err != nil {
				return nil, true, err
			}
			ifExists = true
		}
		st, err := f.pipelineNameStatement(func(n string) Statement { return &DropPipeline{Name: n, IfExists: ifExists} })
		return st, true, err
	case toks[0].is("show") && toks[1].is("pipelines"):
		f.i = 2
		if err := f.end(); err != nil {
			return nil, true, err
		}
		return &ShowPipelines{}, true, nil
	}
	return nil, false, nil
}

// pipelineName reads an identifier (unqualified: pipelines have no schema).
func (f *frontParser) pipelineName() (string, error) {
	t, ok := f.peek()
	if !ok || !t.isName() {
		return "", f.errHere()
	}
	if t.name() == "" {
		return "", f.errAt(t, codeSyntax, "zero-length delimited identifier")
	}
	f.i++
	return t.name(), nil
}

func (f *frontParser) pipelineNameStatement(mk func(string) Statement) (Statement, error) {
	name, err := f.pipelineName()
	if err != nil {
		return nil, err
	}
	if err := f.end(); err != nil {
		return nil, err
	}
	return mk(name), nil
}

// errAt is an error of code at token t.
func (f *frontParser) errAt(t token, code, msg string) *Error {
	return &Error{Code: code, Message: msg, Position: charPos(f.text, f.pc.start+t.pos)}
}

// stringLit reads a string constant ('...' or $$...$$).
func (f *frontParser) stringLit() (string, token, error) {
	t, ok := f.peek()
	if !ok || t.kind != tokString {
		return "", t, f.errHere()
	}
	var s string
	switch {
	case strings.HasPrefix(t.text, "'"):
		s = strings.ReplaceAll(t.text[1:len(t.text)-1], "''", "'")
	case strings.HasPrefix(t.text, "$"):
		j := strings.IndexByte(t.text[1:], '$') + 2
		s = t.text[j : len(t.text)-j]
	default: // E'...', B'...', X'...', N'...': not for these clauses
		return "", t, f.errHere()
	}
	f.i++
	return s, t, nil
}

// positiveInt32 reads a positive integer constant that fits an int32.
func (f *frontParser) positiveInt32(what string) (int32, error) {
	t, ok := f.peek()
	if !ok || t.kind != tokNumber {
		return 0, f.errHere()
	}
	v, err := strconv.ParseInt(t.text, 10, 64)
	if err != nil || v <= 0 || v > math.MaxInt32 {
		return 0, f.errAt(t, codeBadParamValue, what+" must be a positive integer below 2^31, not "+t.text)
	}
	f.i++
	return int32(v), nil
}

func (f *frontParser) createPipeline() (Statement, error) {
	cp := &CreatePipeline{}
	if f.keyword("if") {
		if err := f.expect("not"); err != nil {
			return nil, err
		}
		if err := f.expect("exists"); err != nil {
			return nil, err
		}
		cp.IfNotExists = true
	}
	var err error
	if cp.Name, err = f.pipelineName(); err != nil {
		return nil, err
	}
	if err := f.expect("from"); err != nil {
		return nil, err
	}
	if err := f.expect("kafka"); err != nil {
		return nil, err
	}
	brokers, bt, err := f.stringLit()
	if err != nil {
		return nil, err
	}
	if cp.Brokers, err = normalizeBrokers(brokers); err != nil {
		return nil, f.errAt(bt, codeBadParamValue, err.Error())
	}
	if err := f.expect("topic"); err != nil {
		return nil, err
	}
	topic, tt, err := f.stringLit()
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(topic) == "" {
		return nil, f.errAt(tt, codeBadParamValue, "the topic is empty")
	}
	cp.Topic = topic
	if err := f.expect("into"); err != nil {
		return nil, err
	}
	if err := f.expect("table"); err != nil {
		return nil, err
	}
	if cp.Table, err = f.tableName(); err != nil {
		return nil, err
	}
	if err := f.expect("format"); err != nil {
		return nil, err
	}
	ft, ok := f.peek()
	var format string
	switch {
	case ok && ft.kind == tokWord:
		format = strings.ToLower(ft.text)
		f.i++
	case ok && ft.kind == tokString:
		s, _, err := f.stringLit()
		if err != nil {
			return nil, err
		}
		format = strings.ToLower(s)
	default:
		return nil, f.errHere()
	}
	if !slices.Contains(PipelineFormats, format) {
		return nil, f.errAt(ft, codeBadParamValue, "pipeline format "+strconv.Quote(format)+" is not supported (json or csv)")
	}
	cp.Format = format
	var seenOnError, seenRecords, seenWait bool
	for f.i < len(f.pc.toks) {
		t := f.pc.toks[f.i]
		switch {
		case t.is("on") && !seenOnError:
			f.i++
			if err := f.expect("error"); err != nil {
				return nil, err
			}
			switch {
			case f.keyword("skip"):
			case f.keyword("stop"):
				cp.StopOnError = true
			default:
				return nil, f.errHere()
			}
			seenOnError = true
		case t.is("batch"):
			f.i++
			switch {
			case !seenRecords && f.keyword("records"):
				if cp.BatchRecords, err = f.positiveInt32("BATCH RECORDS"); err != nil {
					return nil, err
				}
				seenRecords = true
			case !seenWait && f.keyword("wait"):
				if cp.BatchWaitMs, err = f.batchWait(); err != nil {
					return nil, err
				}
				seenWait = true
			default:
				return nil, f.errHere()
			}
		default:
			return nil, f.errHere()
		}
	}
	return cp, nil
}

// batchWait reads 'duration' (Go's syntax: '250ms', '2s') or n MS, in
// whole milliseconds.
func (f *frontParser) batchWait() (int32, error) {
	t, ok := f.peek()
	if ok && t.kind == tokNumber {
		ms, err := f.positiveInt32("BATCH WAIT")
		if err != nil {
			return 0, err
		}
		if err := f.expect("ms"); err != nil {
			return 0, err
		}
		return ms, nil
	}
	s, st, err := f.stringLit()
	if err != nil {
		return 0, err
	}
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || d < time.Millisecond || d > math.MaxInt32*time.Millisecond {
		return 0, f.errAt(st, codeBadParamValue, "BATCH WAIT "+strconv.Quote(s)+" is not a duration of at least 1ms (like '250ms' or '2s')")
	}
	return int32(d / time.Millisecond), nil
}

// normalizeBrokers checks a comma-separated list of host:port and
// returns it without the spaces around its commas.
func normalizeBrokers(s string) (string, error) {
	var out []string
	for _, b := range strings.Split(s, ",") {
		b = strings.TrimSpace(b)
		if err := CheckBroker(b); err != nil {
			return "", err
		}
		out = append(out, b)
	}
	return strings.Join(out, ","), nil
}

// CheckBroker checks one Kafka broker address, host:port.
func CheckBroker(b string) error {
	host, port, err := net.SplitHostPort(b)
	if err != nil || host == "" {
		return &Error{Code: codeBadParamValue, Message: "broker " + strconv.Quote(b) + " is not host:port"}
	}
	if p, err := strconv.Atoi(port); err != nil || p <= 0 || p > 65535 {
		return &Error{Code: codeBadParamValue, Message: "broker " + strconv.Quote(b) + " has an invalid port"}
	}
	return nil
}
