package pgwire

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
)

// rawClient speaks the protocol message by message.
type rawClient struct {
	t    *testing.T
	conn net.Conn
	fe   *pgproto3.Frontend
}

func (h *harness) raw(params map[string]string) *rawClient {
	h.t.Helper()
	conn, err := net.DialTimeout("tcp", h.srv.Addr(), 5*time.Second)
	if err != nil {
		h.t.Fatal(err)
	}
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	c := &rawClient{t: h.t, conn: conn, fe: pgproto3.NewFrontend(conn, conn)}
	h.t.Cleanup(func() { _ = conn.Close() })
	if params == nil {
		params = map[string]string{"user": "x", "database": "strata"}
	}
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: params})
	return c
}

func (c *rawClient) send(msgs ...pgproto3.FrontendMessage) {
	c.t.Helper()
	for _, m := range msgs {
		c.fe.Send(m)
	}
	if err := c.fe.Flush(); err != nil {
		c.t.Fatal(err)
	}
}

// until reads messages up to and including one of type T; it returns a
// one-line summary of each.
func (c *rawClient) until(last string) []string {
	c.t.Helper()
	var got []string
	for {
		m, err := c.fe.Receive()
		if err != nil {
			c.t.Fatalf("receive after %v: %v", got, err)
		}
		s := summary(m)
		got = append(got, s)
		if strings.HasPrefix(s, last) {
			return got
		}
	}
}

func summary(m pgproto3.BackendMessage) string {
	switch m := m.(type) {
	case *pgproto3.DataRow:
		vals := make([]string, len(m.Values))
		for i, v := range m.Values {
			vals[i] = string(v)
			if v == nil {
				vals[i] = "NULL"
			}
		}
		return "DataRow " + strings.Join(vals, ",")
	case *pgproto3.CommandComplete:
		return "CommandComplete " + string(m.CommandTag)
	case *pgproto3.ErrorResponse:
		return "ErrorResponse " + m.Code
	case *pgproto3.ReadyForQuery:
		return "ReadyForQuery " + string(m.TxStatus)
	case *pgproto3.RowDescription:
		names := make([]string, len(m.Fields))
		for i, f := range m.Fields {
			names[i] = fmt.Sprintf("%s:%d", f.Name, f.DataTypeOID)
		}
		return "RowDescription " + strings.Join(names, ",")
	case *pgproto3.ParameterStatus:
		return "ParameterStatus " + m.Name + "=" + m.Value
	case *pgproto3.ParameterDescription:
		return fmt.Sprintf("ParameterDescription %v", m.ParameterOIDs)
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", m), "*pgproto3.")
}

func TestProtocolPortalsAndSync(t *testing.T) {
	eachSQL(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		conn := h.connect(pgx.QueryExecModeSimpleProtocol)
		h.setupT(conn)
		h.exec(conn, "insert into t (id, name) values (3, 'c')")
		c := h.raw(nil)
		got := c.until("ReadyForQuery")
		if got[0] != "AuthenticationOk" || !strings.Contains(strings.Join(got, ";"), "BackendKeyData") {
			t.Errorf("startup: %v", got)
		}
		// A named statement, a portal executed two rows at a time, inside
		// a block so the portal outlives Sync.
		c.send(&pgproto3.Query{String: "begin"})
		c.until("ReadyForQuery")
		c.send(&pgproto3.Parse{Name: "s1", Query: "select id, name from t order by id"},
			&pgproto3.Describe{ObjectType: 'S', Name: "s1"},
			&pgproto3.Bind{DestinationPortal: "p1", PreparedStatement: "s1"},
			&pgproto3.Execute{Portal: "p1", MaxRows: 2},
			&pgproto3.Sync{})
		got = c.until("ReadyForQuery")
		want := "ParseComplete|ParameterDescription []|RowDescription id:20,name:25|BindComplete|DataRow 1,a|DataRow 2,NULL|PortalSuspended|ReadyForQuery T"
		if strings.Join(got, "|") != want {
			t.Errorf("first execute:\n%s\nwant\n%s", strings.Join(got, "|"), want)
		}
		c.send(&pgproto3.Execute{Portal: "p1", MaxRows: 2}, &pgproto3.Sync{})
		got = c.until("ReadyForQuery")
		if strings.Join(got, "|") != "DataRow 3,c|CommandComplete SELECT 1|ReadyForQuery T" {
			t.Errorf("second execute: %v", got)
		}
		c.send(&pgproto3.Query{String: "commit"})
		c.until("ReadyForQuery I")

		// An error skips to Sync; the next Sync-terminated series works.
		c.send(&pgproto3.Parse{Query: "selec"},
			&pgproto3.Bind{},
			&pgproto3.Execute{},
			&pgproto3.Sync{},
			&pgproto3.Parse{Query: "select id, name from t order by id"},
			&pgproto3.Bind{ResultFormatCodes: []int16{1, 0}},
			&pgproto3.Execute{MaxRows: 1},
			&pgproto3.Sync{})
		got = c.until("ReadyForQuery")
		if strings.Join(got, "|") != "ErrorResponse 42601|ReadyForQuery I" {
			t.Errorf("error series: %v", got)
		}
		got = c.until("ReadyForQuery")
		if strings.Join(got, "|") != "ParseComplete|BindComplete|DataRow \x00\x00\x00\x00\x00\x00\x00\x01,a|PortalSuspended|ReadyForQuery I" {
			t.Errorf("series after error: %q", got)
		}
		// Unknown statement and portal; Close of either is fine.
		c.send(&pgproto3.Bind{PreparedStatement: "nope"}, &pgproto3.Sync{},
			&pgproto3.Describe{ObjectType: 'P', Name: "nope"}, &pgproto3.Sync{},
			&pgproto3.Close{ObjectType: 'S', Name: "s1"}, &pgproto3.Close{ObjectType: 'P', Name: "nope"}, &pgproto3.Sync{})
		got = c.until("ReadyForQuery")
		got = append(got, c.until("ReadyForQuery")...)
		got = append(got, c.until("ReadyForQuery")...)
		if strings.Join(got, "|") != "ErrorResponse 26000|ReadyForQuery I|ErrorResponse 34000|ReadyForQuery I|CloseComplete|CloseComplete|ReadyForQuery I" {
			t.Errorf("unknown names: %v", got)
		}
		// node-postgres: unnamed statement, text parameters, Describe of
		// the portal, all in one series.
		c.send(&pgproto3.Parse{Query: "select * from t where id = $1"},
			&pgproto3.Bind{Parameters: [][]byte{[]byte("3")}},
			&pgproto3.Describe{ObjectType: 'P'},
			&pgproto3.Execute{},
			&pgproto3.Sync{})
		got = c.until("ReadyForQuery")
		if len(got) != 6 || got[2] != "RowDescription id:20,name:25,score:701,ok:16,ts:1184,d:1082,b:17,n:23" ||
			got[3] != "DataRow 3,c,NULL,NULL,NULL,NULL,NULL,NULL" || got[4] != "CommandComplete SELECT 1" {
			t.Errorf("node-postgres series: %q", got)
		}
		// JDBC: declared parameter types (int4 for a bigint column), binary.
		c.send(&pgproto3.Parse{Name: "j", Query: "select * from t where id = $1", ParameterOIDs: []uint32{23}},
			&pgproto3.Describe{ObjectType: 'S', Name: "j"},
			&pgproto3.Bind{PreparedStatement: "j", ParameterFormatCodes: []int16{1}, Parameters: [][]byte{{0, 0, 0, 1}}},
			&pgproto3.Execute{},
			&pgproto3.Sync{})
		got = c.until("ReadyForQuery")
		if len(got) != 7 || got[1] != "ParameterDescription [23]" || got[4] != "DataRow 1,a,1.5,t,2024-01-02 03:04:05.123456+00,2024-01-02,\\xdead,7" {
			t.Errorf("JDBC series: %q", got)
		}
		// DEALLOCATE and DISCARD ALL act on the session's statements.
		c.send(&pgproto3.Parse{Name: "d1", Query: "show timezone"}, &pgproto3.Sync{},
			&pgproto3.Query{String: "deallocate d1"},
			&pgproto3.Query{String: "DEALLOCATE d1"},
			&pgproto3.Parse{Name: "d2", Query: "show timezone"}, &pgproto3.Sync{},
			&pgproto3.Query{String: "set application_name = 'x'; "},
			&pgproto3.Query{String: "discard all;"},
			&pgproto3.Bind{PreparedStatement: "d2"}, &pgproto3.Sync{},
			&pgproto3.Query{String: "show application_name"})
		var series []string
		for range 8 {
			series = append(series, strings.Join(c.until("ReadyForQuery"), ","))
		}
		want = "ParseComplete,ReadyForQuery I|CommandComplete DEALLOCATE,ReadyForQuery I|ErrorResponse 26000,ReadyForQuery I|" +
			"ParseComplete,ReadyForQuery I|ParameterStatus application_name=x,CommandComplete SET,ReadyForQuery I|" +
			"ParameterStatus application_name=,CommandComplete DISCARD ALL,ReadyForQuery I|ErrorResponse 26000,ReadyForQuery I|" +
			"RowDescription application_name:25,DataRow ,CommandComplete SHOW,ReadyForQuery I"
		if got := strings.Join(series, "|"); got != want {
			t.Errorf("deallocate/discard:\n%s\nwant\n%s", got, want)
		}
		// Two statements in one Parse are refused.
		c.send(&pgproto3.Parse{Query: "show timezone; show datestyle"}, &pgproto3.Sync{})
		if got = c.until("ReadyForQuery"); got[0] != "ErrorResponse 42601" {
			t.Errorf("multi-statement parse: %v", got)
		}
		// Simple query: each statement answered, the empty one too.
		c.send(&pgproto3.Query{String: "show timezone; show datestyle"})
		got = c.until("ReadyForQuery")
		if strings.Join(got, "|") != "RowDescription TimeZone:25|DataRow UTC|CommandComplete SHOW|RowDescription DateStyle:25|DataRow ISO, MDY|CommandComplete SHOW|ReadyForQuery I" {
			t.Errorf("simple query: %v", got)
		}
		c.send(&pgproto3.Query{String: " "})
		if got = c.until("ReadyForQuery"); strings.Join(got, "|") != "EmptyQueryResponse|ReadyForQuery I" {
			t.Errorf("empty query: %v", got)
		}
		c.send(&pgproto3.Terminate{})
	})
}

func TestProtocolStartup(t *testing.T) {
	useFakeSQL(t)
	h := newHarness(t, Options{})
	// SSL refused with 'N', then a normal startup.
	conn, err := net.Dial("tcp", h.srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fe := pgproto3.NewFrontend(conn, conn)
	fe.Send(&pgproto3.SSLRequest{})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 1)
	if _, err := conn.Read(b); err != nil || b[0] != 'N' {
		t.Fatalf("SSL answer %q %v", b, err)
	}
	// Protocol 3.2 with an unknown option is negotiated down to 3.0.
	fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion32, Parameters: map[string]string{"user": "x", "_pq_.foo": "1", "application_name": "raw", "options": "-c statement_timeout=5s --extra_float_digits=2"}})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	m, err := fe.Receive()
	if n, ok := m.(*pgproto3.NegotiateProtocolVersion); err != nil || !ok || n.NewestMinorProtocol != 0 || len(n.UnrecognizedOptions) != 1 {
		t.Fatalf("negotiation: %#v %v", m, err)
	}
	c := &rawClient{t: t, conn: conn, fe: fe}
	got := strings.Join(c.until("ReadyForQuery"), "|")
	if !strings.Contains(got, "AuthenticationOk") {
		t.Fatalf("startup: %s", got)
	}
	c.send(&pgproto3.Query{String: "show statement_timeout"})
	if got := c.until("ReadyForQuery"); got[1] != "DataRow 5s" {
		t.Errorf("options: %v", got)
	}
	// An encoding Strata cannot convert to: UTF8 instead, and said so.
	c3 := h.raw(map[string]string{"user": "x", "client_encoding": "LATIN1"})
	if got := strings.Join(c3.until("ReadyForQuery"), "|"); !strings.Contains(got, "ParameterStatus client_encoding=UTF8") {
		t.Errorf("LATIN1: %s", got)
	}
	// No user: FATAL 28000.
	c2 := h.raw(map[string]string{"database": "x"})
	if got := c2.until("ErrorResponse"); got[0] != "ErrorResponse 28000" {
		t.Errorf("no user: %v", got)
	}
}

func TestPasswordAuth(t *testing.T) {
	for _, method := range []AuthMethod{AuthMD5, AuthCleartext} {
		t.Run(fmt.Sprint(method), func(t *testing.T) {
			useFakeSQL(t)
			h := newHarness(t, Options{Password: "s3cret", AuthMethod: method})
			out, errOut, err := h.psqlEnv([]string{"PGPASSWORD=s3cret"}, "show server_encoding;", "-A", "-t")
			if err != nil || out != "UTF8\n" {
				t.Errorf("psql with the password: %v %q %s", err, out, errOut)
			}
			_, errOut, err = h.psqlEnv([]string{"PGPASSWORD=wrong"}, "show server_encoding;")
			if err == nil || !strings.Contains(errOut, `password authentication failed for user "x"`) {
				t.Errorf("psql with a wrong password: %v %s", err, errOut)
			}
			conn := h.connect(pgx.QueryExecModeCacheStatement)
			if err := conn.Ping(context.Background()); err != nil {
				t.Fatal(err)
			}
			_, err = pgx.Connect(context.Background(), h.dsn("x")+" password=nope")
			if pgCode(err) != "28P01" {
				t.Errorf("pgx with a wrong password: %v", err)
			}
		})
	}
}

func TestServerClose(t *testing.T) {
	h := newHarness(t, Options{})
	idle := h.connect(pgx.QueryExecModeSimpleProtocol)
	busy := h.connect(pgx.QueryExecModeSimpleProtocol)
	useFakeSQL(t)
	h.exec(busy, "create table slow (x bigint)")
	errc := make(chan error, 1)
	go func() {
		_, err := busy.Exec(context.Background(), "select * from slow")
		errc <- err
	}()
	time.Sleep(100 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.srv.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; pgCode(err) != "57P01" {
		t.Errorf("running statement at close: %v", err)
	}
	if err := idle.Ping(context.Background()); err == nil {
		t.Error("idle session survived close")
	}
	if _, err := net.DialTimeout("tcp", h.srv.Addr(), time.Second); err == nil {
		t.Error("still accepting after close")
	}
}

func TestTooManyConnections(t *testing.T) {
	h := newHarness(t, Options{MaxConnections: 1})
	h.connect(pgx.QueryExecModeSimpleProtocol)
	_, err := pgx.Connect(context.Background(), h.dsn("x"))
	if pgCode(err) != "53300" {
		t.Errorf("second connection: %v", err)
	}
}
