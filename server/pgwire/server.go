package pgwire

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"
)

// Server is a listening PostgreSQL endpoint.
type Server struct {
	opts Options
	b    Backend
	log  *slog.Logger
	ln   net.Listener

	// mu guards the fields below. Sessions take it briefly to register and
	// unregister; a cancel request takes it to find its session (then the
	// session's own lock, never the other way round).
	mu       sync.Mutex
	sessions map[uint32]*session // by process id
	conns    map[net.Conn]bool   // every open connection, sessions or not
	nextPID  uint32
	closing  bool

	wg   sync.WaitGroup // the accept loop and every connection
	done chan struct{}  // closed when Close starts
}

// errShutdown is the cause a statement is canceled with when the server
// closes.
var errShutdown = errors.New("pgwire: server closing")

// Listen starts serving on opts.Addr. Close stops it.
func Listen(opts Options, b Backend) (*Server, error) {
	opts = opts.withDefaults()
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("pgwire: listen: %w", err)
	}
	s := &Server{
		opts:     opts,
		b:        b,
		log:      opts.Logger,
		ln:       ln,
		sessions: map[uint32]*session{},
		conns:    map[net.Conn]bool{},
		nextPID:  uint32(time.Now().UnixNano()%50000) + 1000,
		done:     make(chan struct{}),
	}
	s.wg.Add(1)
	go s.acceptLoop()
	s.log.Info("serving PostgreSQL wire protocol", "addr", ln.Addr().String())
	return s, nil
}

// Addr is the address the server listens on (host:port).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops accepting connections, cancels running statements and ends
// every session (each gets FATAL 57P01 "terminating connection due to
// administrator command"). It waits for the sessions to end until ctx is
// done, then cuts the remaining connections and returns ctx's error.
func (s *Server) Close(ctx context.Context) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return s.wait(ctx)
	}
	s.closing = true
	close(s.done)
	sessions := make([]*session, 0, len(s.sessions))
	for _, ss := range s.sessions {
		sessions = append(sessions, ss)
	}
	for c := range s.conns {
		// Wakes sessions waiting for a message and connections still in
		// startup; a session then says goodbye on its own goroutine.
		_ = c.SetReadDeadline(time.Now())
	}
	s.mu.Unlock()
	err := s.ln.Close()
	for _, ss := range sessions {
		ss.shutdown()
	}
	if werr := s.wait(ctx); werr != nil {
		return werr
	}
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

// wait waits for every goroutine; when ctx ends first it cuts the
// connections that are left and waits for their goroutines to notice.
func (s *Server) wait(ctx context.Context) error {
	finished := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(finished)
	}()
	select {
	case <-finished:
		return nil
	case <-ctx.Done():
	}
	s.mu.Lock()
	for c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	// A session stuck in a statement that ignores its canceled context
	// ends when the statement does; do not wait for it for long.
	select {
	case <-finished:
	case <-time.After(s.opts.ShutdownGrace):
		s.log.Warn("sessions still running after close")
	}
	return ctx.Err()
}

func (s *Server) acceptLoop() {
	defer s.wg.Done()
	var delay time.Duration
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Temporary failures (out of file descriptors): back off.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.log.Warn("accept failed", "err", err, "retry_in", delay)
			select {
			case <-time.After(delay):
				continue
			case <-s.done:
				return
			}
		}
		delay = 0
		if !s.track(conn) {
			_ = conn.Close()
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.untrack(conn)
			s.serveConn(conn)
		}()
	}
}

// track records an open connection; false when the server is closing.
func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.conns[c] = true
	return true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
	_ = c.Close()
}

// register adds a session and gives it a process id and a secret key for
// cancel requests. It refuses when the server is closing or full.
func (s *Server) register(ss *session) error {
	secret := make([]byte, 4)
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return errAdminShutdown
	}
	if len(s.sessions) >= s.opts.MaxConnections {
		return errTooManyClients
	}
	for {
		s.nextPID++
		if s.nextPID == 0 || s.nextPID > 1<<30 {
			s.nextPID = 1000
		}
		if _, taken := s.sessions[s.nextPID]; !taken {
			break
		}
	}
	ss.pid, ss.secret = s.nextPID, secret
	s.sessions[ss.pid] = ss
	return nil
}

func (s *Server) unregister(ss *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sessions[ss.pid] == ss {
		delete(s.sessions, ss.pid)
	}
}

// cancel handles a CancelRequest: it cancels the statement the session
// with that process id is running, if the secret key matches. As in
// PostgreSQL, nothing is answered either way.
func (s *Server) cancel(pid uint32, secret []byte) {
	s.mu.Lock()
	ss := s.sessions[pid]
	s.mu.Unlock()
	if ss == nil || subtle.ConstantTimeCompare(ss.secret, secret) != 1 {
		s.log.Debug("cancel request for unknown session", "pid", pid)
		return
	}
	ss.cancelRunning(errCanceledByUser)
}

func (s *Server) isClosing() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}
