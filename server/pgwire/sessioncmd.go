package pgwire

import (
	"regexp"
	"strings"
)

// DEALLOCATE and DISCARD act on what only the session holds (its prepared
// statements and portals), so they are recognized here, on the text of a
// query the SQL front end refused: pgx's DeallocateAll sends DEALLOCATE
// ALL, and connection poolers (pgbouncer's server_reset_query) send
// DISCARD ALL.

// sessionCmd is DEALLOCATE [PREPARE] name | ALL, or DISCARD ALL | PLANS |
// SEQUENCES | TEMP | TEMPORARY.
type sessionCmd struct {
	verb string // "DEALLOCATE" or "DISCARD"
	arg  string // statement name (as written, unquoted) or "ALL", "PLANS", ...
	all  bool   // DEALLOCATE ALL
}

func (c *sessionCmd) Tag() string {
	switch {
	case c.verb == "DISCARD":
		return "DISCARD " + c.arg
	case c.all:
		return "DEALLOCATE ALL"
	}
	return "DEALLOCATE"
}

var (
	reDeallocate = regexp.MustCompile(`(?is)^deallocate\s+(?:prepare\s+)?("(?:[^"]|"")+"|[a-z_][a-z0-9_$]*)$`)
	reDiscard    = regexp.MustCompile(`(?is)^discard\s+(all|plans|sequences|temp|temporary)$`)
)

// parseSessionCmd recognizes a lone DEALLOCATE or DISCARD statement.
func parseSessionCmd(text string) (*sessionCmd, bool) {
	t := strings.TrimSpace(text)
	for strings.HasSuffix(t, ";") {
		t = strings.TrimSpace(strings.TrimSuffix(t, ";"))
	}
	if m := reDeallocate.FindStringSubmatch(t); m != nil {
		name := m[1]
		if strings.HasPrefix(name, `"`) {
			name = strings.ReplaceAll(name[1:len(name)-1], `""`, `"`)
		} else {
			if strings.EqualFold(name, "all") {
				return &sessionCmd{verb: "DEALLOCATE", arg: "ALL", all: true}, true
			}
			name = strings.ToLower(name)
		}
		return &sessionCmd{verb: "DEALLOCATE", arg: name}, true
	}
	if m := reDiscard.FindStringSubmatch(t); m != nil {
		arg := strings.ToUpper(m[1])
		if arg == "TEMPORARY" {
			arg = "TEMP"
		}
		return &sessionCmd{verb: "DISCARD", arg: arg}, true
	}
	return nil, false
}

// execSessionCmd runs DEALLOCATE or DISCARD.
func (ss *session) execSessionCmd(c *sessionCmd) (*resultSet, error) {
	switch {
	case c.verb == "DEALLOCATE" && c.all:
		clear(ss.stmts)
	case c.verb == "DEALLOCATE":
		if _, ok := ss.stmts[c.arg]; !ok {
			return nil, newError(codeInvalidStatementName, "prepared statement \"%s\" does not exist", c.arg)
		}
		delete(ss.stmts, c.arg)
	case c.arg == "ALL":
		if ss.txn != 'I' {
			return nil, newError(codeActiveTransaction, "DISCARD ALL cannot run inside a transaction block")
		}
		clear(ss.stmts) // portals end at the next ReadyForQuery, outside a block
		changed, _ := ss.vars.resetVar("all")
		ss.sendParameterStatus(changed...)
	}
	return &resultSet{tag: c.Tag()}, nil
}
