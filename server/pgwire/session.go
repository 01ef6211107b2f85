package pgwire

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"

	"github.com/jackc/pgx/v5/pgproto3"
)

// session is one client connection after startup. Everything but the
// fields under mu belongs to the session's goroutine.
type session struct {
	srv    *Server
	conn   net.Conn
	be     *pgproto3.Backend
	log    *slog.Logger
	pid    uint32
	secret []byte

	user, database string
	vars           *sessionVars
	txn            byte // ReadyForQuery status: 'I' idle, 'T' in a block, 'E' failed block
	wroteInBlock   bool // a write ran inside the current BEGIN block (ROLLBACK cannot undo it)
	stmts          map[string]*statement
	portals        map[string]*portal
	skipToSync     bool   // an extended-protocol message failed: ignore all until Sync
	terminated     bool   // the session ends after this message
	ioErr          error  // the connection failed; the session ends
	rows           []byte // DataRows being batched before they are sent

	ctx  context.Context         // canceled when the server closes
	stop context.CancelCauseFunc // cancels ctx

	mu        sync.Mutex
	cancelRun context.CancelCauseFunc // the running statement's, nil between statements; guarded by mu
}

// flushRowBytes is how many bytes of DataRows are batched per write.
const flushRowBytes = 64 << 10

func newSession(srv *Server, conn net.Conn) *session {
	ss := &session{
		srv:     srv,
		conn:    conn,
		be:      pgproto3.NewBackend(conn, conn),
		log:     srv.log,
		txn:     'I',
		stmts:   map[string]*statement{},
		portals: map[string]*portal{},
	}
	ss.be.SetMaxBodyLen(srv.opts.MaxMessageBytes)
	ss.ctx, ss.stop = context.WithCancelCause(context.Background())
	return ss
}

// serveConn runs one connection from startup to its end.
func (s *Server) serveConn(conn net.Conn) {
	ss := newSession(s, conn)
	defer ss.close()
	defer func() {
		// Messages are protected one by one (protect); this catches the
		// rest (startup, the loop itself) so the server survives.
		if r := recover(); r != nil {
			ss.log.Error("BUG: panic in a connection", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	if err := ss.startup(); err != nil {
		if !errors.Is(err, errCancelConn) {
			ss.log.Debug("connection ended during startup", "remote", conn.RemoteAddr().String(), "err", err)
		}
		return
	}
	ss.log.Debug("session started", "user", ss.user, "database", ss.database, "remote", conn.RemoteAddr().String())
	ss.loop()
	ss.log.Debug("session ended")
}

func (ss *session) close() {
	ss.stop(errShutdown)
	for _, p := range ss.portals {
		p.release()
	}
	if ss.pid != 0 {
		ss.srv.unregister(ss)
	}
}

// shutdown is called by Server.Close: it cancels the running statement;
// the session's goroutine says goodbye when its statement or read ends.
func (ss *session) shutdown() { ss.stop(errShutdown) }

// cancelRunning cancels the running statement, if any, with cause.
func (ss *session) cancelRunning(cause error) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.cancelRun != nil {
		ss.cancelRun(cause)
	}
}

// statementContext is the context a statement runs under: canceled by a
// cancel request, by statement_timeout, or when the server closes. done
// must be called when the statement ends.
func (ss *session) statementContext() (ctx context.Context, done func()) {
	ctx, cancel := context.WithCancelCause(context.WithValue(ss.ctx, settingsKey{}, ss.vars))
	stopTimer := func() bool { return false }
	if d := ss.vars.statementTimeout(); d > 0 {
		var stop context.CancelFunc
		ctx, stop = context.WithTimeoutCause(ctx, d, errStatementTimeout)
		stopTimer = func() bool { stop(); return true }
	}
	ss.mu.Lock()
	ss.cancelRun = cancel
	ss.mu.Unlock()
	return ctx, func() {
		ss.mu.Lock()
		ss.cancelRun = nil
		ss.mu.Unlock()
		stopTimer()
		cancel(nil)
	}
}

// loop reads and answers messages until the client leaves, the connection
// fails, or a FATAL error ends the session.
func (ss *session) loop() {
	for !ss.terminated && ss.ioErr == nil {
		msg, err := ss.be.Receive()
		if err != nil {
			if ss.srv.isClosing() {
				ss.goodbye(errAdminShutdown)
			} else if !isDisconnect(err) {
				ss.log.Debug("session read failed", "err", err)
				var tooBig *pgproto3.ExceededMaxBodyLenErr
				if errors.As(err, &tooBig) {
					ss.goodbye(fatalError(codeProgramLimit, "message of %d bytes exceeds the limit of %d bytes", tooBig.ActualBodyLen, tooBig.MaxExpectedBodyLen))
				}
			}
			return
		}
		ss.dispatch(msg)
	}
}

// goodbye sends a FATAL error and flushes it.
func (ss *session) goodbye(err error) {
	ss.be.Send(errorResponse(err))
	ss.flush()
	ss.terminated = true
}

func isDisconnect(err error) bool {
	return errors.Is(err, net.ErrClosed) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// dispatch answers one message.
func (ss *session) dispatch(msg pgproto3.FrontendMessage) {
	switch m := msg.(type) {
	case *pgproto3.Query:
		ss.run(true, func() error { return ss.simpleQuery(m.String) })
	case *pgproto3.Parse:
		ss.extended(func() error { return ss.parse(m) })
	case *pgproto3.Bind:
		ss.extended(func() error { return ss.bind(m) })
	case *pgproto3.Describe:
		ss.extended(func() error { return ss.describe(m) })
	case *pgproto3.Execute:
		ss.extended(func() error { return ss.executeMessage(m) })
	case *pgproto3.Close:
		ss.extended(func() error { return ss.closeMessage(m) })
	case *pgproto3.Sync:
		ss.sync()
	case *pgproto3.Flush:
		ss.flush()
	case *pgproto3.Terminate:
		ss.terminated = true
	case *pgproto3.CopyData, *pgproto3.CopyDone, *pgproto3.CopyFail:
		// Left over from a COPY that failed: PostgreSQL ignores them too.
	case *pgproto3.FunctionCall:
		ss.run(true, func() error {
			return newError(codeFeatureNotSupported, "the function call protocol is not supported")
		})
	default:
		ss.goodbye(fatalError(codeProtocolViolation, "invalid frontend message type %T", msg))
	}
}

// extended runs an extended-protocol message unless an earlier one failed.
func (ss *session) extended(fn func() error) {
	if !ss.skipToSync {
		ss.run(false, fn)
	}
}

// run runs fn, answers its error, and ends a simple query with
// ReadyForQuery. After an error in the extended protocol, messages are
// ignored until Sync.
func (ss *session) run(simple bool, fn func() error) {
	if err := ss.protect(fn); err != nil && ss.ioErr == nil {
		ss.sendError(err)
		if !simple {
			ss.skipToSync = true
		}
	}
	if simple && !ss.terminated {
		ss.readyForQuery()
	}
}

// protect turns a panic into an internal error: one bad statement must
// not take the server down.
func (ss *session) protect(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			ss.log.Error("BUG: panic while answering a client", "panic", r, "stack", string(debug.Stack()))
			ss.rows = ss.rows[:0]
			err = newError(codeInternal, "internal error: %v", r)
		}
	}()
	return fn()
}

// sendError answers err; a FATAL error ends the session, any other fails
// an open transaction block.
func (ss *session) sendError(err error) {
	ss.flushRows()
	if isFatal(err) {
		ss.goodbye(err)
		return
	}
	r := errorResponse(err)
	if r.Code == codeInternal {
		ss.log.Warn("internal error answered to a client", "err", err)
	} else {
		ss.log.Debug("statement failed", "code", r.Code, "err", err)
	}
	ss.be.Send(r)
	if ss.txn == 'T' {
		ss.txn = 'E'
	}
}

// notice sends a NoticeResponse (a warning the statement goes on after).
func (ss *session) notice(code, format string, args ...any) {
	ss.be.Send(&pgproto3.NoticeResponse{Severity: "WARNING", SeverityUnlocalized: "WARNING", Code: code, Message: fmt.Sprintf(format, args...)})
}

func (ss *session) readyForQuery() {
	if ss.txn == 'I' {
		// Portals live until the end of the transaction.
		for name, p := range ss.portals {
			p.release()
			delete(ss.portals, name)
		}
	}
	ss.be.Send(&pgproto3.ReadyForQuery{TxStatus: ss.txn})
	ss.flush()
}

func (ss *session) sync() {
	ss.skipToSync = false
	ss.readyForQuery()
}

// flushRows moves batched DataRows into the send buffer.
func (ss *session) flushRows() {
	if len(ss.rows) > 0 {
		ss.be.Send(rawMessages(ss.rows))
		ss.rows = ss.rows[:0]
	}
}

// flush writes everything buffered to the client.
func (ss *session) flush() {
	ss.flushRows()
	if ss.ioErr != nil {
		return
	}
	if err := ss.be.Flush(); err != nil {
		ss.ioErr = err
		ss.log.Debug("session write failed", "err", err)
	}
}

// rawMessages are messages already encoded (batched DataRows).
type rawMessages []byte

func (rawMessages) Backend() {}

func (m rawMessages) Encode(dst []byte) ([]byte, error) { return append(dst, m...), nil }

func (rawMessages) Decode([]byte) error { return errors.New("pgwire: raw messages are not decoded") }
