package pgwire

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// startupTimeout bounds startup and authentication, like PostgreSQL's
// authentication_timeout.
const startupTimeout = time.Minute

// errCancelConn ends a connection that carried a cancel request.
var errCancelConn = errors.New("pgwire: cancel request served")

// startup runs the protocol from the first packet to the first
// ReadyForQuery: SSL/GSS requests are refused with 'N', a cancel request is
// served, a startup message is authenticated and answered with the
// session's parameters.
func (ss *session) startup() error {
	_ = ss.conn.SetDeadline(time.Now().Add(startupTimeout))
	if ss.srv.isClosing() { // Close may have set a deadline just before ours
		return errShutdown
	}
	for {
		msg, err := ss.be.ReceiveStartupMessage()
		if err != nil {
			return err
		}
		switch m := msg.(type) {
		case *pgproto3.SSLRequest, *pgproto3.GSSEncRequest:
			if _, err := ss.conn.Write([]byte{'N'}); err != nil {
				return err
			}
		case *pgproto3.CancelRequest:
			ss.srv.cancel(m.ProcessID, m.SecretKey)
			return errCancelConn
		case *pgproto3.StartupMessage:
			if err := ss.begin(m); err != nil {
				return err
			}
			if err := ss.conn.SetDeadline(time.Time{}); err != nil {
				return err
			}
			if ss.srv.isClosing() {
				return ss.refuse(errAdminShutdown)
			}
			return nil
		default:
			return ss.refuse(fatalError(codeProtocolViolation, "unsupported startup message %T", msg))
		}
	}
}

// refuse ends startup with a FATAL error.
func (ss *session) refuse(err error) error {
	ss.goodbye(err)
	return err
}

func (ss *session) begin(m *pgproto3.StartupMessage) error {
	params := map[string]string{}
	var unknownOptions []string
	for k, v := range m.Parameters {
		if strings.HasPrefix(k, "_pq_.") {
			unknownOptions = append(unknownOptions, k)
			continue
		}
		params[k] = v
	}
	if m.ProtocolVersion != pgproto3.ProtocolVersion30 || len(unknownOptions) > 0 {
		slices.Sort(unknownOptions)
		ss.be.Send(&pgproto3.NegotiateProtocolVersion{NewestMinorProtocol: 0, UnrecognizedOptions: unknownOptions})
	}
	ss.user, ss.database = params["user"], params["database"]
	if ss.user == "" {
		return ss.refuse(fatalError(codeInvalidAuthorization, "no PostgreSQL user name specified in startup packet"))
	}
	if ss.database == "" {
		ss.database = ss.user
	}
	if err := ss.authenticate(); err != nil {
		return err
	}
	if err := ss.srv.register(ss); err != nil {
		return ss.refuse(err)
	}
	ss.log = ss.log.With("pid", ss.pid)
	ss.vars = newSessionVars(ss.srv.opts.ServerVersion, ss.user)
	if err := ss.applyStartupParams(params); err != nil {
		return ss.refuse(err)
	}
	ss.be.Send(&pgproto3.AuthenticationOk{})
	ss.sendParameterStatus(reportedVars()...)
	ss.be.Send(&pgproto3.BackendKeyData{ProcessID: ss.pid, SecretKey: ss.secret})
	ss.readyForQuery()
	return ss.ioErr
}

// applyStartupParams sets the variables the client sent in the startup
// packet, including "-c name=value" in options.
func (ss *session) applyStartupParams(params map[string]string) error {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		switch k {
		case "user", "database", "replication":
		case "options":
			for _, kv := range parseOptions(params[k]) {
				if err := ss.vars.setStartup(kv[0], kv[1]); err != nil {
					return toFatal(err)
				}
			}
		case "client_encoding":
			// An encoding Strata cannot convert to: speak UTF8 (and say
			// so in ParameterStatus) rather than refuse the connection.
			if err := ss.vars.setStartup(k, params[k]); err != nil {
				ss.log.Info("client encoding not supported, using UTF8", "client_encoding", params[k])
			}
		default:
			if err := ss.vars.setStartup(k, params[k]); err != nil {
				return toFatal(err)
			}
		}
	}
	return nil
}

func toFatal(err error) error {
	e := *errorResponseError(err)
	e.Fatal = true
	return &e
}

// errorResponseError is err as a *pgError.
func errorResponseError(err error) *pgError {
	var pe *pgError
	if errors.As(err, &pe) {
		return pe
	}
	r := errorResponse(err)
	return &pgError{Code: r.Code, Message: r.Message, Err: err}
}

// parseOptions reads the startup "options" string: "-c name=value",
// "-cname=value" and "--name=value", separated by spaces (backslash
// escapes a space).
func parseOptions(s string) [][2]string {
	var words []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case c == ' ' || c == '\t':
			if cur.Len() > 0 {
				words = append(words, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteByte(c)
		}
	}
	if cur.Len() > 0 {
		words = append(words, cur.String())
	}
	var out [][2]string
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case w == "-c" && i+1 < len(words):
			i++
			w = words[i]
		case strings.HasPrefix(w, "-c"):
			w = w[2:]
		case strings.HasPrefix(w, "--"):
			w = w[2:]
		default:
			continue
		}
		if k, v, ok := strings.Cut(w, "="); ok {
			out = append(out, [2]string{strings.ReplaceAll(k, "-", "_"), v})
		}
	}
	return out
}

// authenticate asks for the password when one is configured.
func (ss *session) authenticate() error {
	want := ss.srv.opts.Password
	if want == "" {
		return nil
	}
	var check func(got string) bool
	switch ss.srv.opts.AuthMethod {
	case AuthCleartext:
		ss.be.Send(&pgproto3.AuthenticationCleartextPassword{})
		_ = ss.be.SetAuthType(pgproto3.AuthTypeCleartextPassword)
		check = func(got string) bool { return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1 }
	default:
		var salt [4]byte
		if _, err := rand.Read(salt[:]); err != nil {
			return err
		}
		ss.be.Send(&pgproto3.AuthenticationMD5Password{Salt: salt})
		_ = ss.be.SetAuthType(pgproto3.AuthTypeMD5Password)
		expect := md5Password(ss.user, want, salt)
		check = func(got string) bool { return subtle.ConstantTimeCompare([]byte(got), []byte(expect)) == 1 }
	}
	ss.flush()
	if ss.ioErr != nil {
		return ss.ioErr
	}
	msg, err := ss.be.Receive()
	if err != nil {
		return err // psql hangs up here to prompt for the password
	}
	pw, ok := msg.(*pgproto3.PasswordMessage)
	if !ok {
		return ss.refuse(fatalError(codeProtocolViolation, "expected password response, got message type %T", msg))
	}
	if !check(pw.Password) {
		ss.log.Info("password authentication failed", "user", ss.user, "remote", ss.conn.RemoteAddr().String())
		return ss.refuse(fatalError(codeInvalidPassword, "password authentication failed for user \"%s\"", ss.user))
	}
	return nil
}

// md5Password is what an md5 client sends: "md5" + md5(md5(password +
// user) + salt), in hex.
func md5Password(user, password string, salt [4]byte) string {
	inner := md5.Sum([]byte(password + user))
	innerHex := hex.EncodeToString(inner[:])
	outer := md5.Sum(append([]byte(innerHex), salt[:]...))
	return "md5" + hex.EncodeToString(outer[:])
}

// reportedVars are the variables sent as ParameterStatus at startup, in
// PostgreSQL's order.
func reportedVars() []string {
	var keys []string
	for k, d := range varDefs {
		if d.report {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// sendParameterStatus reports variables (by lower-case name) that
// PostgreSQL reports; others are skipped.
func (ss *session) sendParameterStatus(keys ...string) {
	for _, k := range keys {
		d := varDefs[k]
		if d == nil || !d.report {
			continue
		}
		v, _ := ss.vars.get(k)
		ss.be.Send(&pgproto3.ParameterStatus{Name: d.name, Value: v})
	}
}
