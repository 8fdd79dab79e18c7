//go:build !js

package check_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lsports/defendcheck/check"
	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/eventually"
	"github.com/lsports/defendcheck/internal/scenario"
)

// hostileToken is sent with every hostile check; the servers that echo it
// use the forms a server might: as sent, inside JSON, URL-escaped.
const hostileToken = "eyJhbGciOi.aG9zdGlsZQ/+x=.sig"

// TestHostileEndpoints runs the real check, over real HTTP, against servers
// that misbehave. Each check must end within its bound with the kind that
// says what was seen, keep the heap bounded, keep the token and disguised
// characters out of everything it keeps, and leave no request open.
func TestHostileEndpoints(t *testing.T) {
	spoof := "Account\u202e nwod si metsys \u2028line two\u0085next " + strings.Repeat("x", 1<<20)
	// The cases that must not wait for a bound run with the product's
	// bounds (10 s), and prompt is well inside them: the 1 MB message took
	// up to 6.1 s on the 2-core machine at a load average of 10.
	prompt := 8 * time.Second
	tests := []struct {
		name    string
		handler http.Handler
		kind    diagnosis.Kind
		status  *int
		within  time.Duration
		want    []string // in the messages
	}{
		{"hangs after the handshake", &engineIO{upgrades: `["websocket"]`, poll: hold, post: hold},
			diagnosis.KindTimeout, nil, scenario.Bounds.Namespace + 3*time.Second, []string{"namespace: no answer within " + scenario.Bounds.Namespace.String()}},
		{"garbage 200", answer(200, "text/html", nginxWelcome),
			diagnosis.KindNotEngineIO, nil, prompt, []string{"the answer does not decode as Engine.IO packets", "Welcome to nginx!"}},
		{"Engine.IO close before the namespace", &engineIO{poll: after40(reply("1"))},
			diagnosis.KindClosedBeforeConnect, nil, prompt, []string{"the Engine.IO session closed before the namespace connected: transport close"}},
		{"session unknown on a later request", &engineIO{poll: sessionUnknown, post: sessionUnknown},
			diagnosis.KindSessionLost, ptr(400), prompt, []string{`HTTP 400 on `, `{"code":1,"message":"Session ID unknown"}`}},
		{"a 50 MB handshake", http.HandlerFunc(fiftyMegabytes),
			diagnosis.KindNotEngineIO, nil, prompt, []string{"longer than 4194304 bytes, the most this check reads", "aaaa"}},
		{"a poll that never ends", &engineIO{maxPayload: 100000, poll: endless},
			diagnosis.KindNotEngineIO, nil, prompt, []string{"longer than 4194304 bytes", "4xxxx"}},
		{"a WebSocket message over the cap", &engineIO{upgrades: `["websocket"]`, maxPayload: 100000, poll: untilProbed(reply("6")), webSocket: bigAfterUpgrade},
			diagnosis.KindNotEngineIO, nil, prompt, []string{"a message is longer than 4194304 bytes", "on WebSocket ws://127.0.0.1:", "4xxxx"}},
		{"token echoed in connect_error", &engineIO{poll: after40(connectError(
			"denied for Bearer "+hostileToken+", see https://gw.example/?t="+url.QueryEscape(hostileToken),
			map[string]any{"statusCode": 402, "authorization": "Bearer " + hostileToken}))},
			diagnosis.KindAccountInactive, ptr(402), prompt, []string{"denied for Bearer [redacted], see https://gw.example/?t=[redacted]", `"authorization":"Bearer [redacted]"`}},
		{"spoofing characters in a 1 MB message", &engineIO{maxPayload: 2_000_000, poll: after40(connectError(spoof, map[string]any{"statusCode": 418}))},
			diagnosis.KindUnknownStatus, ptr(418), prompt, []string{`Account\u202e nwod si metsys \u2028line two\u0085next xxx`, "more characters cut]"}},
		{"a gateway's 401 page", answer(401, "text/html", gateway401),
			diagnosis.KindRefusedByGateway, ptr(401), prompt, []string{"HTTP 401 on GET", "401 Authorization Required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startCounted(t, tt.handler)
			cfg := config(target(srv.URL), "12345")
			cfg.Token = hostileToken
			if tt.within == prompt {
				cfg.Bounds = check.DefaultBounds
			}
			heap := watchHeap()
			start := time.Now()
			res := run(t, cfg)
			took := time.Since(start)
			growth, allocated := heap.stop()
			t.Logf("%s after %s; heap grew by at most %.1f MB, %.1f MB allocated in all", res.Kind, took.Round(time.Millisecond), mb(growth), mb(allocated))

			if res.Kind != tt.kind || scenario.Code(res.StatusCode) != scenario.Code(tt.status) {
				t.Errorf("kind %s status %s, want %s %s\n%s", res.Kind, scenario.Code(res.StatusCode), tt.kind, scenario.Code(tt.status), res.Report)
			}
			if took > tt.within {
				t.Errorf("the check took %s, want at most %s", took, tt.within)
			}
			if growth > 64<<20 {
				t.Errorf("the heap grew by %.1f MB during the check, want under 64 MB", mb(growth))
			}
			messages := strings.Join(res.Messages, "\n")
			for _, want := range tt.want {
				if !strings.Contains(messages, want) {
					t.Errorf("the messages lack %q:\n%s", want, messages)
				}
			}
			assertKeptClean(t, res)
			if n := srv.seen.Load(); n == 0 {
				t.Error("the check never reached the server")
			}
			srv.waitIdle(t, 2*time.Second)
		})
	}
}

// TestEchoedTokenNeverReachesStepsOrReport: the step list, live and final,
// and the report are kept through the same cleaning as the messages.
func TestEchoedTokenNeverReachesStepsOrReport(t *testing.T) {
	srv := startCounted(t, &engineIO{poll: after40(connectError("denied for "+hostileToken, map[string]any{"statusCode": 402}))})
	cfg := config(target(srv.URL), "12345")
	cfg.Token = hostileToken
	var mu sync.Mutex
	var live []string
	cfg.OnProgress = func(p check.Progress) {
		mu.Lock()
		defer mu.Unlock()
		for _, s := range p.Steps {
			live = append(live, s.Detail)
		}
	}
	res := run(t, cfg)
	if res.Kind != diagnosis.KindAccountInactive {
		t.Fatalf("kind %s, want account-inactive\n%s", res.Kind, res.Report)
	}
	if got := res.Steps[2].Detail; got != "refused by the service (status 402): denied for [redacted]" {
		t.Errorf("namespace step detail %q, want the refusal with the token redacted", got)
	}
	if !strings.Contains(res.Report, `connect_error: "denied for [redacted]"`) || strings.Contains(res.Report, "aG9zdGlsZQ") {
		t.Errorf("the report does not show the refusal redacted:\n%s", res.Report)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, d := range live {
		if strings.Contains(d, "aG9zdGlsZQ") {
			t.Errorf("a live step detail shows the token: %q", d)
		}
	}
	srv.waitIdle(t, 2*time.Second)
}

// assertKeptClean checks every string the result keeps: no part of the
// token, no character that could disguise text, nothing over the cap.
func assertKeptClean(t *testing.T, res *diagnosis.Result) {
	t.Helper()
	kept := append([]string{}, res.Messages...)
	for _, s := range res.Steps {
		kept = append(kept, s.Detail)
		if s.Status == diagnosis.StepPending || s.Status == diagnosis.StepRunning {
			t.Errorf("step %s still %s when the check ended", s.Name, s.Status)
		}
	}
	for _, s := range kept {
		if n := len([]rune(s)); n > diagnosis.MaxText+40 {
			t.Errorf("a kept string has %d characters, more than the cap of %d: %.100q…", n, diagnosis.MaxText, s)
		}
	}
	kept = append(kept, strings.ReplaceAll(res.Report, "\n", ""))
	for _, s := range kept {
		if strings.Contains(s, "aG9zdGlsZQ") {
			t.Errorf("the token is in a kept string: %.300q", s)
		}
		if i := strings.IndexFunc(s, disguising); i >= 0 {
			t.Errorf("a kept string has %U at %d: %.300q", []rune(s[i:])[0], i, s)
		}
	}
}

// disguising is a character that changes how the text around it reads.
func disguising(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == 0x061c || r == 0x200e || r == 0x200f ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x2028 || r == 0x2029
}

// countedServer is an httptest server on 127.0.0.1 that counts the
// requests it is handling: a request the check leaves open keeps its
// handler (which waits for the client to go) running.
type countedServer struct {
	*httptest.Server
	open atomic.Int64
	seen atomic.Int64
}

func startCounted(t *testing.T, h http.Handler) *countedServer {
	t.Helper()
	s := &countedServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.seen.Add(1)
		s.open.Add(1)
		defer s.open.Add(-1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		s.CloseClientConnections()
		s.Close()
	})
	return s
}

// waitIdle waits until no request is open, for at most d.
func (s *countedServer) waitIdle(t *testing.T, d time.Duration) {
	t.Helper()
	if !eventually.True(d, 10*time.Millisecond, func() bool { return s.open.Load() == 0 }) {
		t.Errorf("%d requests still open %s after the check ended", s.open.Load(), d)
	}
}

// heapWatch samples the heap while a check runs.
type heapWatch struct {
	base, startTotal uint64
	peak             atomic.Uint64
	stopped          chan struct{}
	done             chan struct{}
}

func watchHeap() *heapWatch {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	h := &heapWatch{base: m.HeapAlloc, startTotal: m.TotalAlloc, stopped: make(chan struct{}), done: make(chan struct{})}
	h.peak.Store(m.HeapAlloc)
	go func() {
		defer close(h.done)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > h.peak.Load() {
				h.peak.Store(m.HeapAlloc)
			}
			select {
			case <-h.stopped:
				return
			case <-tick.C:
			}
		}
	}()
	return h
}

// stop returns how far the heap grew above where it was, and how much was
// allocated in all.
func (h *heapWatch) stop() (growth, allocated uint64) {
	close(h.stopped)
	<-h.done
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return h.peak.Load() - h.base, m.TotalAlloc - h.startTotal
}

func mb(n uint64) float64 { return float64(n) / (1 << 20) }
