package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/scenario"
	"github.com/lsports/defendcheck/rmssim"
)

// TestHostileRound2InThePage runs three hostile endpoints of issue 19
// through the page, each a real Engine.IO server on its own origin: a poll
// answer of 300 events and a close must give the close's verdict; a server
// that answers every join with a ping and a new namespace CONNECT must not
// keep the page checking; a binary event over WebSocket is an event.
func TestHostileRound2InThePage(t *testing.T) {
	events := make([]string, 300)
	for i := range events {
		events[i] = fmt.Sprintf(`42["RESERVE_BET_ACCEPT",{"n":%d}]`, i)
	}
	burst := strings.Join(append(append([]string{`40{"sid":"burst"}`}, events...), "1"), "\x1e")
	cases := []struct {
		name   string
		server *rawEngine
		kind   diagnosis.Kind
		within time.Duration // the check's documented bounds, plus a margin
		most   int64         // requests
		want   string        // in the messages or the report
	}{
		{"300 events and a close", &rawEngine{first: burst}, diagnosis.KindConnectionLost, 10 * time.Second, 20, "disconnect: transport close"},
		{"a CONNECT for every join", &rawEngine{first: `40{"sid":"first"}`, onJoin: "2\x1e" + `40{"sid":"again"}`},
			diagnosis.KindPollingOnly, 15*time.Second + time.Second + 10*time.Second, 40, "the service sent the namespace CONNECT again"},
		{"a binary event over WebSocket", &rawEngine{first: `40{"sid":"bin"}`, upgrade: true}, diagnosis.KindOK, 10 * time.Second, 20, "received RESERVE_BET_ACCEPT"},
	}
	var targets []diagnosis.Target
	for _, c := range cases {
		srv := httptest.NewServer(c.server)
		t.Cleanup(func() {
			srv.CloseClientConnections()
			srv.Close()
		})
		targets = append(targets, diagnosis.Target{Origin: srv.URL, Path: rmssim.Path})
	}
	page := hostilePage(t, targets...)
	ctx := tabWithin(t, 4*time.Minute)
	do(t, ctx, chromedp.Navigate(page))
	waitState(t, ctx, "ready")
	for i, c := range cases {
		eval[string](t, ctx, `document.getElementById("target").value = "`+itoa(int64(i))+`"`)
		res, took := checkAgain(t, ctx, "12345")
		requests := c.server.requests.Load()
		t.Logf("%s: %s after %s, %d requests", c.name, res.Kind, took.Round(time.Millisecond), requests)
		if res.Kind != string(c.kind) {
			t.Errorf("%s: kind %s, want %s\n%s", c.name, res.Kind, c.kind, res.Report)
		}
		if took > c.within {
			t.Errorf("%s: the check took %s, want at most %s", c.name, took, c.within)
		}
		if requests > c.most {
			t.Errorf("%s: the check made %d requests, want at most %d", c.name, requests, c.most)
		}
		if !strings.Contains(res.Report, c.want) {
			t.Errorf("%s: the report lacks %q:\n%s", c.name, c.want, res.Report)
		}
	}
}

// rawEngine is a scripted Engine.IO v4 server that a page may call (CORS
// for any origin). The first poll after the client's namespace CONNECT is
// answered with first; each join, on a later poll, with onJoin ("": never
// answered). With upgrade it offers WebSocket, completes the upgrade, and
// then sends a binary event: its header as text, its attachment as a
// binary frame.
type rawEngine struct {
	first, onJoin string
	upgrade       bool

	requests  atomic.Int64 // HTTP requests, preflights and WebSocket handshakes included
	polls     atomic.Int64
	once      sync.Once
	connected chan struct{}
	joins     chan struct{}
	probed    chan struct{}
}

func (e *rawEngine) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.requests.Add(1)
	e.once.Do(func() {
		e.connected, e.joins, e.probed = make(chan struct{}), make(chan struct{}, 1<<16), make(chan struct{})
	})
	w.Header().Set("Access-Control-Allow-Origin", "*")
	q := r.URL.Query()
	switch {
	case r.Method == http.MethodOptions:
		w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
		w.Header().Set("Access-Control-Allow-Headers", "customerid, authorization, content-type")
		w.WriteHeader(http.StatusNoContent)
	case q.Get("transport") == "websocket":
		e.webSocket(w, r)
	case q.Get("sid") == "":
		upgrades := "[]"
		if e.upgrade {
			upgrades = `["websocket"]`
		}
		reply(w, `0{"sid":"raw","upgrades":`+upgrades+`,"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`)
	case r.Method == http.MethodPost:
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		for p := range strings.SplitSeq(string(body), "\x1e") {
			switch {
			case strings.HasPrefix(p, "40"):
				scenario.CloseOnce(e.connected)
			case strings.HasPrefix(p, "42") && strings.Contains(p, `["join"`):
				e.joins <- struct{}{}
			}
		}
		reply(w, "ok")
	default:
		e.poll(w, r)
	}
}

func (e *rawEngine) poll(w http.ResponseWriter, r *http.Request) {
	wait := e.probed // a later poll is released for the upgrade, as servers do
	if e.polls.Add(1) == 1 {
		wait = e.connected
	}
	if e.onJoin != "" && wait == e.probed {
		select {
		case <-e.joins:
			reply(w, e.onJoin)
		case <-r.Context().Done():
		}
		return
	}
	select {
	case <-wait:
	case <-r.Context().Done():
		return
	}
	if wait == e.connected {
		reply(w, e.first)
		return
	}
	reply(w, "6")
}

func (e *rawEngine) webSocket(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	c, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer c.Close()
	scenario.Upgraded(c, e.probed, func(c *websocket.Conn) error {
		header := `451-["RESERVE_BET_ACCEPT",{"_placeholder":true,"num":0}]`
		if err := c.WriteMessage(websocket.TextMessage, []byte(header)); err != nil {
			return err
		}
		return c.WriteMessage(websocket.BinaryMessage, []byte{1, 2, 3})
	})
}

func reply(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	_, _ = io.WriteString(w, body)
}
