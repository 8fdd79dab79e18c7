package rmssim

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/zishang520/socket.io/servers/engine/v3/transports"
	"github.com/zishang520/socket.io/servers/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"

	"github.com/lsports/defendcheck/diagnosis"
)

// Path is the Socket.IO path of RMS-Socket.
const Path = diagnosis.DefaultPath

const (
	// DefaultEventInterval is the time between events when Options leaves it 0.
	DefaultEventInterval = 2 * time.Second
	firstEventDelay      = 50 * time.Millisecond
	upgradeWait          = 10 * time.Second
	drainWait            = time.Second
)

// CutDelay is how long after join the simulator cuts the WebSocket of
// customer ID 5006.
const CutDelay = 5 * time.Second

// Options configure a Simulator. The zero value is a simulator with no rate
// limit, a 2 s event interval, loopback origins only and no logging.
type Options struct {
	// ConnPerMinute is how many connection attempts one client IP may make
	// in a minute before it gets 429; 0 turns the limit off.
	ConnPerMinute int
	// EventInterval is the time between events after the first; 0 means 2 s.
	EventInterval time.Duration
	// AllowedOrigins lists the browser origins allowed by CORS; empty means
	// any http(s) origin on a loopback host.
	AllowedOrigins []string
	// Logger receives one line per connection attempt; nil discards.
	Logger *slog.Logger
}

// Simulator is an http.Handler serving the landing page at / and the
// Socket.IO endpoint at Path.
type Simulator struct {
	opts    Options
	log     *slog.Logger
	io      *socket.Server
	handler http.Handler
	limiter *limiter

	// wsConns maps an engine session id to its raw WebSocket, so that a
	// close code of our choosing can be sent after the upgrade.
	wsConns sync.Map

	posts postGate // Close waits for the POSTs in flight (enginerace.go)
	// sessionPosts serialises the POSTs of one engine session: a session
	// id to its *sync.Mutex, dropped when the session closes
	// (enginerace.go).
	sessionPosts sync.Map

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New returns a ready Simulator. Call Close to stop its event streams.
func New(opts Options) *Simulator {
	if opts.EventInterval <= 0 {
		opts.EventInterval = DefaultEventInterval
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Simulator{opts: opts, log: log, limiter: newLimiter(opts.ConnPerMinute, time.Minute)}
	s.ctx, s.cancel = context.WithCancel(context.Background())

	so := socket.DefaultServerOptions()
	so.SetPath(Path)
	so.SetServeClient(false)
	so.SetCors(&types.Cors{
		Origin:         s.originAllowed,
		AllowedHeaders: []string{"customerid", "authorization", "content-type"},
	})
	so.SetTransports(types.NewSet[transports.TransportCtor](
		&transports.PollingBuilder{},
		&recordingWebSocket{conns: &s.wsConns},
	))
	s.io = socket.NewServer(nil, so)
	s.io.Use(s.admit)
	s.io.On("connection", func(args ...any) { s.onConnection(args[0].(*socket.Socket)) })

	mux := http.NewServeMux()
	mux.Handle(Path+"/", s.front(s.io.ServeHandler(nil)))
	mux.HandleFunc("GET /{$}", serveLanding)
	s.handler = mux
	return s
}

// ServeHTTP serves the landing page and the Socket.IO endpoint.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Close disconnects every client and waits for the event streams to stop.
func (s *Simulator) Close() error {
	if s.posts.shut(func() {
		s.cancel()
		s.io.Close(nil)
	}) {
		s.wg.Wait()
	}
	return nil
}

func (s *Simulator) originAllowed(origin string) bool {
	if len(s.opts.AllowedOrigins) > 0 {
		for _, o := range s.opts.AllowedOrigins {
			if o == "*" || strings.EqualFold(o, origin) {
				return true
			}
		}
		return false
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	switch h := u.Hostname(); h {
	case "localhost":
		return true
	default:
		ip := net.ParseIP(h)
		return ip != nil && ip.IsLoopback()
	}
}

// front sits before the engine. It answers a WebSocket upgrade of a 1006
// session with 403, as a proxy that does not pass WebSockets would, and
// passes POSTs through servePost, which works around the engine's races.
func (s *Simulator) front(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			s.servePost(w, r, next)
			return
		}
		q := r.URL.Query()
		if conn, known := s.io.Engine().Clients().Load(q.Get("sid")); known && q.Get("transport") == "websocket" {
			id, present := customerID(conn.Request().Request())
			if OutcomeFor(id, present).Behavior == PollingOnly {
				http.Error(w, "WebSocket upgrade refused", http.StatusForbidden)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func customerID(r *http.Request) (string, bool) {
	v := r.Header.Values("customerid")
	if len(v) == 0 {
		return "", false
	}
	return v[0], true
}

// admit is the namespace middleware: the rate limit, then the outcome
// table. It logs one line per attempt.
func (s *Simulator) admit(sock *socket.Socket, next func(*socket.ExtendedError)) {
	r := sock.Request().Request()
	id, present := customerID(r)
	o := OutcomeFor(id, present)
	outcome := o.Behavior.String()
	limited := !s.limiter.allow(clientIP(r.RemoteAddr), time.Now())
	if limited {
		outcome = "rate-limited"
	} else if o.Behavior == Refuse {
		outcome = "refused"
	}
	authorization := "absent"
	if r.Header.Get("Authorization") != "" {
		authorization = "present"
	}
	s.log.Info("connection attempt",
		"customer_id", truncate(id, 64), "customer_id_present", present,
		"authorization", authorization,
		"run_id", truncate(r.URL.Query().Get(diagnosis.RunIDParam), 64),
		"transport", sock.Conn().Transport().Name(),
		"outcome", outcome, "status", statusFor(limited, o),
		"remote", r.RemoteAddr)

	switch {
	case limited:
		next(socket.NewExtendedError("Rate limit exceeded", map[string]any{"statusCode": 429}))
	case o.Behavior == Refuse:
		next(socket.NewExtendedError(o.Message, map[string]any{"statusCode": o.StatusCode}))
	case o.Behavior == NeverAnswer:
		// Never call next: the client's CONNECT stays unanswered.
	default:
		sock.SetData(o)
		next(nil)
	}
}

func statusFor(limited bool, o Outcome) int {
	if limited {
		return 429
	}
	return o.StatusCode
}

func (s *Simulator) onConnection(sock *socket.Socket) {
	o, _ := sock.Data().(Outcome)
	done := make(chan struct{})
	var once sync.Once
	_ = sock.On("disconnect", func(...any) { once.Do(func() { close(done) }) })
	var joined sync.Once
	_ = sock.On("join", func(args ...any) {
		if ack, ok := lastAck(args); ok {
			ack([]any{map[string]any{"ok": true}}, nil)
		}
		joined.Do(func() { s.afterJoin(sock, o, done) })
	})
}

func lastAck(args []any) (socket.Ack, bool) {
	if len(args) == 0 {
		return nil, false
	}
	ack, ok := args[len(args)-1].(socket.Ack)
	return ack, ok
}

func (s *Simulator) afterJoin(sock *socket.Socket, o Outcome, done <-chan struct{}) {
	switch o.Behavior {
	case Silent:
		return
	case CloseAfterJoin:
		s.goRun(func() { s.closeAfterEvent(sock, o, done) })
	case CutAfter:
		s.goRun(func() { s.stream(sock, done) })
		s.goRun(func() { s.cutAfter(sock, done) })
	default:
		s.goRun(func() { s.stream(sock, done) })
	}
}

func (s *Simulator) goRun(f func()) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
}

// stream sends the first event soon after join, then alternates accept and
// reject until the client leaves or the simulator closes.
func (s *Simulator) stream(sock *socket.Socket, done <-chan struct{}) {
	timer := time.NewTimer(firstEventDelay)
	defer timer.Stop()
	for n := 0; ; n++ {
		select {
		case <-done:
			return
		case <-s.ctx.Done():
			return
		case <-timer.C:
		}
		name, payload := betEvent(n, sock)
		_ = sock.Emit(name, payload)
		timer.Reset(s.opts.EventInterval)
	}
}

// closeAfterEvent waits until the session runs on WebSocket, sends one
// event and, once it is written, closes the WebSocket with the row's code.
func (s *Simulator) closeAfterEvent(sock *socket.Socket, o Outcome, done <-chan struct{}) {
	conn := sock.Conn()
	upgraded := make(chan struct{})
	var once sync.Once
	mark := func(...any) { once.Do(func() { close(upgraded) }) }
	_ = conn.Once("upgrade", mark)
	if conn.Transport().Name() == transports.WEBSOCKET {
		mark()
	}
	if !wait(upgraded, done, s.ctx.Done(), upgradeWait) {
		return
	}
	raw, ok := s.wsConns.Load(conn.Id())
	if !ok {
		return
	}
	drained := make(chan struct{})
	var dOnce sync.Once
	_ = conn.Transport().Once("drain", func(...any) { dOnce.Do(func() { close(drained) }) })
	name, payload := betEvent(0, sock)
	_ = sock.Emit(name, payload)
	wait(drained, done, s.ctx.Done(), drainWait)
	ws := raw.(*types.WebSocketConn)
	_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(o.CloseCode, o.Message), time.Now().Add(time.Second))
	_ = ws.Close()
}

// cutAfter cuts the session's WebSocket CutDelay after join: the TCP
// connection is closed without a close frame, as a proxy or firewall that
// drops long-lived connections does. A session still on polling is left
// alone.
func (s *Simulator) cutAfter(sock *socket.Socket, done <-chan struct{}) {
	t := time.NewTimer(CutDelay)
	defer t.Stop()
	select {
	case <-done:
		return
	case <-s.ctx.Done():
		return
	case <-t.C:
	}
	if raw, ok := s.wsConns.Load(sock.Conn().Id()); ok {
		_ = raw.(*types.WebSocketConn).Close()
	}
}

// wait reports whether ready closed before stop, quit or the timeout.
func wait(ready, stop, quit <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ready:
		return true
	case <-stop:
	case <-quit:
	case <-t.C:
	}
	return false
}

func betEvent(n int, sock *socket.Socket) (string, map[string]any) {
	name, status := "RESERVE_BET_ACCEPT", "accepted"
	if n%2 == 1 {
		name, status = "RESERVE_BET_REJECT", "rejected"
	}
	id, _ := customerID(sock.Request().Request())
	return name, map[string]any{
		"betId":      time.Now().UnixNano(),
		"customerId": id,
		"status":     status,
		"stake":      json.Number("25.00"),
		"currency":   "EUR",
		"timestamp":  time.Now().UTC().Format(time.RFC3339Nano),
	}
}

func clientIP(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return remoteAddr
	}
	return host
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// recordingWebSocket is the stock WebSocket transport, plus a record of each
// session's raw connection so the simulator can close it with a code.
type recordingWebSocket struct {
	transports.WebSocketBuilder
	conns *sync.Map
}

func (b *recordingWebSocket) New(ctx *types.HttpContext) transports.Transport {
	sid, _ := ctx.Query().Get("sid")
	if sid != "" && ctx.Websocket != nil {
		b.conns.Store(sid, ctx.Websocket)
		_ = ctx.Websocket.Once("close", func(...any) { b.conns.Delete(sid) })
	}
	return b.WebSocketBuilder.New(ctx)
}
