//go:build !js

package check_test

import (
	"bytes"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/lsports/defendcheck/check"
	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/scenario"
)

// joinedSession is an Engine.IO session that connects the namespace and
// sends one event once the client has joined, as RMS-Socket does; later
// polls go to then. Its WebSocket upgrade is refused (HTTP 400) without
// webSocket, else runs webSocket.
func joinedSession(then func(http.ResponseWriter, *http.Request, *engineIO), webSocket func(*websocket.Conn, *engineIO)) http.Handler {
	joined := make(chan struct{})
	var polls atomic.Int32
	e := &engineIO{upgrades: `["websocket"]`, webSocket: webSocket, poll: func(w http.ResponseWriter, r *http.Request, e *engineIO) {
		n := polls.Add(1)
		if n > 2 {
			then(w, r, e)
			return
		}
		wait, answer := e.connected, `40{"sid":"held"}`
		if n == 2 {
			wait, answer = joined, `42["RESERVE_BET_ACCEPT",{}]`
		}
		select {
		case <-wait:
			reply(answer)(w, r, e)
		case <-r.Context().Done():
		}
	}}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("transport") == "websocket" && webSocket == nil {
			http.Error(w, "no WebSocket here", http.StatusBadRequest)
			return
		}
		if r.Method == http.MethodPost {
			body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			if strings.Contains(string(body), `"join"`) {
				scenario.CloseOnce(joined)
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		e.ServeHTTP(w, r)
	})
}

// holdWatch follows a check's progress: holding is closed once the hold
// step runs, heldOne once it has held a second, and backwards says
// whether the held seconds ever went down (a hold that started again).
type holdWatch struct {
	holding, heldOne chan struct{}
	mu               sync.Mutex
	held             int
	backwards        bool
}

var heldSeconds = regexp.MustCompile(`^held (\d+) s of `)

func newHoldWatch(cfg *check.Config) *holdWatch {
	w := &holdWatch{holding: make(chan struct{}), heldOne: make(chan struct{})}
	cfg.OnProgress = func(p check.Progress) {
		last := p.Steps[len(p.Steps)-1]
		if last.Name != diagnosis.StepHold || last.Status != diagnosis.StepRunning {
			return
		}
		scenario.CloseOnce(w.holding)
		m := heldSeconds.FindStringSubmatch(last.Detail)
		if m == nil {
			return
		}
		n, _ := strconv.Atoi(m[1])
		w.mu.Lock()
		defer w.mu.Unlock()
		w.backwards = w.backwards || n < w.held
		w.held = n
		if n >= 1 {
			scenario.CloseOnce(w.heldOne)
		}
	}
	return w
}

// TestHoldCloseWithoutACodeAfterAFailedUpgrade: the WebSocket is refused
// (code 1006), the check ends polling-only and holds; the polling session
// then closes without a code. The result and the hold both show no close
// code: the failed upgrade's is not the close's.
func TestHoldCloseWithoutACodeAfterAFailedUpgrade(t *testing.T) {
	var watch *holdWatch
	srv := startCounted(t, joinedSession(func(w http.ResponseWriter, r *http.Request, e *engineIO) {
		select {
		case <-watch.holding:
			reply("1")(w, r, e) // the session's close, over polling
		case <-r.Context().Done():
		}
	}, nil))
	cfg := config(target(srv.URL), "12345")
	cfg.Hold = time.Minute
	watch = newHoldWatch(&cfg)
	res := run(t, cfg)

	if res.Kind != diagnosis.KindConnectionLost || res.CloseCode != nil {
		t.Errorf("kind %s close code %s, want connection-lost without a close code\n%s", res.Kind, scenario.Code(res.CloseCode), res.Report)
	}
	if ev := res.Steps[5]; ev.Name != diagnosis.StepFirstEvent || ev.Status != diagnosis.StepOK {
		t.Errorf("first-event step %+v, want the event the server sent after join", ev)
	}
	if h := res.Hold; h == nil || h.ClosedAtS == nil || h.CloseCode != nil {
		t.Fatalf("hold %+v, want closed during the hold, without a close code", res.Hold)
	}
	if up := res.Steps[3]; up.Name != diagnosis.StepUpgrade || up.Status != diagnosis.StepWarning || !strings.Contains(up.Detail, "close code 1006") {
		t.Errorf("upgrade step %+v, want the refused WebSocket's warning with code 1006", up)
	}
	if last := res.Steps[len(res.Steps)-1]; last.Status != diagnosis.StepFailed || !strings.HasPrefix(last.Detail, "closed (transport close)") {
		t.Errorf("hold step %+v, want it failed by the close", last)
	}
	srv.waitIdle(t, 2*time.Second)
}

// TestHoldEndsAtARefusal: a CONNECT_ERROR during the hold ends it as the
// verdict, the hold step failed with the refusal, and the hold's notice
// gone.
func TestHoldEndsAtARefusal(t *testing.T) {
	var watch *holdWatch
	srv := startCounted(t, joinedSession(func(w http.ResponseWriter, r *http.Request, e *engineIO) {
		select {
		case <-watch.holding:
			connectError("Authorization revoked", map[string]any{"statusCode": 403})(w, r, e)
		case <-r.Context().Done():
		}
	}, nil))
	cfg := config(target(srv.URL), "12345")
	cfg.Hold = time.Minute
	watch = newHoldWatch(&cfg)
	var notice atomic.Value
	progress := cfg.OnProgress
	cfg.OnProgress = func(p check.Progress) {
		notice.Store(p.Notice)
		progress(p)
	}
	res := run(t, cfg)

	if res.Kind != diagnosis.KindNotFound || scenario.Code(res.StatusCode) != "403" {
		t.Errorf("kind %s status %s, want not-found 403\n%s", res.Kind, scenario.Code(res.StatusCode), res.Report)
	}
	if last := res.Steps[len(res.Steps)-1]; last.Name != diagnosis.StepHold || last.Status != diagnosis.StepFailed ||
		last.Detail != "refused by the service (status 403): Authorization revoked" {
		t.Errorf("last step %+v, want the hold failed by the refusal", last)
	}
	if n := notice.Load(); n != "" {
		t.Errorf("the last progress still says %q, want no notice once the hold ended", n)
	}
	srv.waitIdle(t, 2*time.Second)
}

// TestHoldIgnoresALateUpgrade: the WebSocket answers its probe only after
// the upgrade's bound, a second into the hold. The check said polling-only
// before the hold, and the hold goes on counting from its start.
func TestHoldIgnoresALateUpgrade(t *testing.T) {
	var watch *holdWatch
	srv := startCounted(t, joinedSession(untilProbed(reply("6")), func(c *websocket.Conn, e *engineIO) {
		for {
			_, msg, err := c.ReadMessage()
			if err != nil {
				return
			}
			if string(msg) != "2probe" {
				continue
			}
			select {
			case <-watch.heldOne:
			case <-time.After(time.Minute):
				return
			}
			if c.WriteMessage(websocket.TextMessage, []byte("3probe")) != nil {
				return
			}
			scenario.CloseOnce(e.probed)
		}
	}))
	cfg := config(target(srv.URL), "12345")
	cfg.Bounds.Upgrade = 300 * time.Millisecond
	cfg.Hold = 3 * time.Second
	watch = newHoldWatch(&cfg)
	res := run(t, cfg)

	if res.Kind != diagnosis.KindPollingOnly || res.Transport != "polling" {
		t.Errorf("kind %s over %s, want polling-only, as the check found before the hold\n%s", res.Kind, res.Transport, res.Report)
	}
	if up := res.Steps[3]; up.Name != diagnosis.StepUpgrade || up.Status != diagnosis.StepWarning {
		t.Errorf("upgrade step %+v, want the warning of an upgrade past its bound", up)
	}
	if h := res.Hold; h == nil || h.HeldS < 3 || h.ClosedAtS != nil || h.Stopped {
		t.Fatalf("hold %+v, want held its 3 s, neither closed nor stopped", res.Hold)
	}
	watch.mu.Lock()
	defer watch.mu.Unlock()
	if watch.backwards {
		t.Error("the hold started again after the late upgrade: its held seconds went down")
	}
	srv.waitIdle(t, 2*time.Second)
}
