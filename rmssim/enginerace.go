package rmssim

import (
	"bytes"
	"io"
	"net/http"
	"sync"

	"github.com/zishang520/socket.io/servers/engine/v3"
)

// Workarounds for two data races in servers/engine/v3 v3.0.6, both on the
// response of a polling POST, which the engine writes from two goroutines:
//
//   - Close (Server.Close, polling.DoClose) writes to a POST's response
//     while the POST's own handler writes "ok" to it. postGate keeps Close
//     from running while a POST is being handled.
//   - A POST carrying the client's CLOSE packet: the engine writes an
//     abort to that POST's response (polling.DoClose) while onDataRequest
//     still writes "ok" to it. servePost answers such a POST and closes the
//     session itself (closePolling).
//   - Closing a session writes to the response of a POST of the same
//     session still in onDataRequest (a client may send its CLOSE while a
//     data POST is in flight). servePost handles the POSTs of one session
//     one at a time, so the close waits for the POST before it.
//
// Drop them when the engine writes each response from one goroutine.

// postGate lets POSTs run together but never with the simulator's Close.
type postGate struct {
	mu     sync.RWMutex
	closed bool
}

// shut runs stop once no POST is in flight, and only the first time;
// later POSTs get 503. It reports whether this call ran stop.
func (g *postGate) shut(stop func()) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.closed = true
	stop()
	return true
}

const (
	maxPollBody = 1 << 20 // the engine's default maxHttpBufferSize
	closePacket = "1"     // an Engine.IO v4 payload of one CLOSE packet
)

// servePost hands a polling POST to the engine (next), unless the
// simulator is closed or the POST carries the client's CLOSE packet.
func (s *Simulator) servePost(w http.ResponseWriter, r *http.Request, next http.Handler) {
	s.posts.mu.RLock()
	defer s.posts.mu.RUnlock()
	if s.posts.closed {
		http.Error(w, "simulator closed", http.StatusServiceUnavailable)
		return
	}
	sid := r.URL.Query().Get("sid")
	conn, known := s.io.Engine().Clients().Load(sid)
	if known {
		mu, loaded := s.sessionPosts.LoadOrStore(sid, &sync.Mutex{})
		if !loaded {
			_ = conn.Once("close", func(...any) { s.sessionPosts.Delete(sid) })
		}
		mu.(*sync.Mutex).Lock()
		defer mu.(*sync.Mutex).Unlock()
		body, err := io.ReadAll(io.LimitReader(r.Body, maxPollBody+1))
		if err != nil || len(body) > maxPollBody {
			http.Error(w, "bad request body", http.StatusBadRequest)
			return
		}
		if string(body) == closePacket {
			closePolling(w, conn)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	next.ServeHTTP(w, r)
}

// closePolling ends a polling session whose client sent CLOSE, as the
// engine would, writing the POST's "ok" from this goroutine only.
func closePolling(w http.ResponseWriter, conn engine.Socket) {
	w.Header().Set("Content-Type", "text/html")
	_, _ = io.WriteString(w, "ok")
	conn.Close(true)
}
