package transport

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	engine "github.com/zishang520/socket.io/clients/engine/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"
)

// maxPingInterval bounds what a handshake may add to a long-poll's deadline.
const maxPingInterval = time.Minute

// errEnded is what a request gets that would start after Session.End.
var errEnded = errors.New("transport: the connection has ended")

// Session is the transports of one Socket.IO connection and everything
// they open. Each request and dial has its own deadline, every one of them
// ends with Config.Context, bodies and messages are capped at MaxRead, at
// most MaxRequests requests are made, and End leaves nothing open.
type Session struct {
	cfg    Config
	ctx    context.Context
	cancel context.CancelFunc

	pingInterval atomic.Int64 // from the handshake, in nanoseconds
	requests     atomic.Int64 // HTTP requests made, close POST included

	mu     sync.Mutex
	ended  bool
	active int           // requests, dials and WebSockets not yet ended
	idle   chan struct{} // closed while active is 0
}

// NewSession returns the session of one connection over cfg.
func NewSession(cfg Config) *Session {
	parent := cfg.Context
	if parent == nil {
		parent = context.Background()
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	s := &Session{cfg: cfg, idle: make(chan struct{})}
	close(s.idle)
	s.ctx, s.cancel = context.WithCancel(parent)
	return s
}

// Transports returns the transport constructors for the Socket.IO client:
// polling over Config.Fetch and WebSocket over Config.Dial. A new session
// always starts on polling, whatever order the library picks them in;
// WebSocket is used only to upgrade a session that has an id.
func (s *Session) Transports() *types.Set[engine.TransportCtor] {
	return types.NewSet[engine.TransportCtor](&pollingCtor{s}, &webSocketCtor{pollingCtor{s}})
}

// End ends the session once the client has let go of it. It waits until
// closed is closed (the engine's close event, after its transport has said
// goodbye with a close POST or a WebSocket close) and every request has
// ended, for at most grace in all; then it aborts whatever is left and
// waits, again for at most grace, until that has ended too. Nothing starts
// after End.
func (s *Session) End(closed <-chan struct{}, grace time.Duration) {
	// One deadline for both waits: a closed channel, since a timer's
	// channel delivers once and the second wait would then have none.
	polite := make(chan struct{})
	t := time.AfterFunc(grace, func() { close(polite) })
	defer t.Stop()
	select {
	case <-closed:
	case <-polite:
	}
	select {
	case <-s.idleCh():
	case <-polite:
	}
	s.mu.Lock()
	s.ended = true
	s.mu.Unlock()
	s.cancel()
	aborted := time.NewTimer(grace)
	defer aborted.Stop()
	select {
	case <-s.idleCh():
	case <-aborted.C:
	}
}

// start counts a request, dial or WebSocket until end is called; it
// refuses once End has begun aborting.
func (s *Session) start() (end func(), ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return nil, false
	}
	if s.active == 0 {
		s.idle = make(chan struct{})
	}
	s.active++
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.active--; s.active == 0 {
				close(s.idle)
			}
		})
	}, true
}

func (s *Session) idleCh() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.idle
}

// fetch sends one request, counted, with a deadline of timeout; past
// MaxRequests it sends none and fails with a *ProtocolError.
func (s *Session) fetch(ctx context.Context, req Request, timeout time.Duration) (Response, error) {
	end, ok := s.start()
	if !ok {
		return Response{}, errEnded
	}
	defer end()
	if s.requests.Add(1) > MaxRequests {
		endpoint, _, _ := strings.Cut(req.URL, "?")
		return Response{}, &ProtocolError{Method: req.Method, URL: endpoint, Reason: tooManyRequests}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req.Limit = MaxRead
	return s.cfg.Fetch.Fetch(ctx, req)
}

// tooManyRequests is the reason of a request refused past MaxRequests.
var tooManyRequests = "the service answered " + strconv.Itoa(MaxRequests) + " requests of one connection without letting it rest, the most this check makes"

// dial opens a WebSocket, counted until onClose, with a deadline of
// Config.Timeout for the opening.
func (s *Session) dial(ctx context.Context, url string, onMessage func(string), onClose func(CloseEvent)) (Conn, error) {
	end, ok := s.start()
	if !ok {
		return nil, errEnded
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	conn, err := s.cfg.Dial.Dial(ctx, url, onMessage, func(ev CloseEvent) {
		end()
		onClose(ev)
	})
	if err != nil {
		end()
	}
	return conn, err
}

// PingInterval is the heartbeat interval the handshake announced (at most
// a minute), or 0 before a handshake.
func (s *Session) PingInterval() time.Duration {
	return time.Duration(s.pingInterval.Load())
}

// pollTimeout is a long-poll's deadline: the server holds a poll until it
// has something to send, a ping at the latest.
func (s *Session) pollTimeout() time.Duration {
	return s.cfg.Timeout + time.Duration(s.pingInterval.Load())
}

// handshake reads the open packet's data: the ping interval, or an error
// when it is not an Engine.IO handshake. Its maxPayload is what the server
// accepts, not what it sends: reads are bounded by MaxRead.
func (s *Session) handshake(data string) error {
	var h struct {
		Sid          string `json:"sid"`
		PingInterval int64  `json:"pingInterval"`
	}
	if err := json.Unmarshal([]byte(data), &h); err != nil || h.Sid == "" {
		return errors.New("the open packet has no session id")
	}
	if h.PingInterval > 0 {
		s.pingInterval.Store(int64(time.Duration(min(h.PingInterval, maxPingInterval.Milliseconds())) * time.Millisecond))
	}
	return nil
}
