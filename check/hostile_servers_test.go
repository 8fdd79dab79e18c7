//go:build !js

package check_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/gorilla/websocket"

	"github.com/lsports/defendcheck/internal/scenario"
	"github.com/lsports/defendcheck/transport"
)

// The misbehaving servers of the hostile suite (see TestHostileEndpoints):
// a scripted Engine.IO server and the answers it can give.

// engineIO is a scripted Engine.IO v4 polling server: it opens a session
// on the handshake, then answers a later poll with poll and a POST with
// post (nil: "ok", as a server that takes the packets).
type engineIO struct {
	upgrades   string // the handshake's upgrades; "" is none
	maxPayload int    // the handshake's maxPayload; 0 is 1000000
	poll, post func(w http.ResponseWriter, r *http.Request, s *engineIO)
	webSocket  func(c *websocket.Conn, s *engineIO) // the session's WebSocket (nil: the upgrade is never answered)

	once      sync.Once
	connected chan struct{} // closed when the client's "40" arrives
	probed    chan struct{} // closed when the client probes a WebSocket
}

func (e *engineIO) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.once.Do(func() { e.connected, e.probed = make(chan struct{}), make(chan struct{}) })
	switch {
	case r.URL.Query().Get("transport") == "websocket" && e.webSocket == nil:
		hold(w, r, e)
	case r.URL.Query().Get("transport") == "websocket":
		up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		e.webSocket(c, e)
	case r.URL.Query().Get("sid") == "":
		upgrades, maxPayload := e.upgrades, e.maxPayload
		if upgrades == "" {
			upgrades = "[]"
		}
		if maxPayload == 0 {
			maxPayload = 1_000_000
		}
		reply(fmt.Sprintf(`0{"sid":"hostile","upgrades":%s,"pingInterval":25000,"pingTimeout":20000,"maxPayload":%d}`, upgrades, maxPayload))(w, r, e)
	case r.Method == http.MethodPost:
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if strings.HasPrefix(string(body), "40") {
			scenario.CloseOnce(e.connected)
		}
		if e.post == nil {
			reply("ok")(w, r, e)
			return
		}
		e.post(w, r, e)
	default:
		e.poll(w, r, e)
	}
}

// reply answers 200 with body.
func reply(body string) func(http.ResponseWriter, *http.Request, *engineIO) {
	return func(w http.ResponseWriter, _ *http.Request, _ *engineIO) {
		w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
		_, _ = io.WriteString(w, body)
	}
}

// after40 answers the first poll with then once the client has sent its
// namespace CONNECT, as Socket.IO does; later polls are held.
func after40(then func(http.ResponseWriter, *http.Request, *engineIO)) func(http.ResponseWriter, *http.Request, *engineIO) {
	var once sync.Once
	return func(w http.ResponseWriter, r *http.Request, e *engineIO) {
		select {
		case <-e.connected:
		case <-r.Context().Done():
			return
		}
		first := false
		once.Do(func() { first = true })
		if !first {
			hold(w, r, e)
			return
		}
		then(w, r, e)
	}
}

// untilProbed answers a poll with then once the client probes a WebSocket,
// as a server releases the pending poll for the upgrade.
func untilProbed(then func(http.ResponseWriter, *http.Request, *engineIO)) func(http.ResponseWriter, *http.Request, *engineIO) {
	return func(w http.ResponseWriter, r *http.Request, e *engineIO) {
		select {
		case <-e.probed:
			then(w, r, e)
		case <-r.Context().Done():
		}
	}
}

// bigAfterUpgrade completes the upgrade, then sends a message larger than
// transport.MaxRead and waits for the client to go.
func bigAfterUpgrade(c *websocket.Conn, e *engineIO) {
	scenario.Upgraded(c, e.probed, func(c *websocket.Conn) error {
		return c.WriteMessage(websocket.TextMessage, []byte("4"+strings.Repeat("x", transport.MaxRead)))
	})
}

// connectError is a CONNECT_ERROR packet for the main namespace.
func connectError(message string, data map[string]any) func(http.ResponseWriter, *http.Request, *engineIO) {
	raw, err := json.Marshal(map[string]any{"message": message, "data": data})
	if err != nil {
		panic(err)
	}
	return reply("44" + string(raw))
}

// hold never answers: it waits until the client goes away.
func hold(_ http.ResponseWriter, r *http.Request, _ *engineIO) { <-r.Context().Done() }

// sessionUnknown is what an Engine.IO server answers a request for a
// session it does not have, as behind a load balancer without sticky
// sessions.
func sessionUnknown(w http.ResponseWriter, _ *http.Request, _ *engineIO) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = io.WriteString(w, `{"code":1,"message":"Session ID unknown"}`)
}

// endless answers a poll with a message that never ends.
func endless(w http.ResponseWriter, r *http.Request, _ *engineIO) {
	chunk := []byte(strings.Repeat("x", 64<<10))
	_, _ = io.WriteString(w, "4")
	for r.Context().Err() == nil {
		if _, err := w.Write(chunk); err != nil {
			return
		}
		w.(http.Flusher).Flush()
	}
}

// fiftyMegabytes answers everything with a 50 MB body.
func fiftyMegabytes(w http.ResponseWriter, r *http.Request) {
	const size = 50 << 20
	chunk := []byte(strings.Repeat("a", 64<<10))
	w.Header().Set("Content-Length", fmt.Sprint(size))
	for sent := 0; sent < size && r.Context().Err() == nil; sent += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// answer answers every request with status and body.
func answer(status int, contentType, body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	})
}

const nginxWelcome = `<!DOCTYPE html>
<html><head><title>Welcome to nginx!</title></head>
<body><h1>Welcome to nginx!</h1><p>If you see this page, the nginx web server is successfully installed.</p></body></html>
`

const gateway401 = `<html>
<head><title>401 Authorization Required</title></head>
<body>
<center><h1>401 Authorization Required</h1></center>
<hr><center>nginx</center>
</body>
</html>
`
