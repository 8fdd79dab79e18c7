package watch_test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/watch"
)

// TestHoldsAHealthyConnection: a healthy customer is held over WebSocket,
// its events counted by name, and a stop closes it within 3 s, as no loss.
func TestHoldsAHealthyConnection(t *testing.T) {
	t.Parallel()
	tgt, _ := simAt(t, "127.0.0.1:0", nil)
	w := start(t, watch.Config{Targets: []diagnosis.Target{tgt}, CustomerID: "12345"})
	w.metricIs(t, 30*time.Second, series("defendcheck_connected", tgt), is(1))
	w.metricIs(t, 30*time.Second, series("defendcheck_transport", tgt, "transport", "websocket"), is(1))
	w.metricIs(t, 30*time.Second, series("defendcheck_events_total", tgt, "event", "RESERVE_BET_ACCEPT"), atLeast(3))
	scrape := w.scrape(t)
	for s, want := range map[string]float64{
		series("defendcheck_attempts_total", tgt, "kind", "ok"):      1,
		series("defendcheck_transport", tgt, "transport", "polling"): 0,
		series("defendcheck_silent", tgt):                            0,
		series("defendcheck_events_total", tgt, "event", "other"):    0,
		"go_goroutines": -1, // present
	} {
		v, ok := value(scrape, s)
		if !ok || want >= 0 && v != want {
			t.Errorf("%s = %v (present %v), want %v", s, v, ok, want)
		}
	}
	if last, _ := value(scrape, series("defendcheck_last_event_timestamp_seconds", tgt)); time.Since(time.Unix(int64(last), 0)) > time.Minute {
		t.Errorf("last event at %v, want within the last minute", last)
	}
	if !strings.Contains(scrape, "process_resident_memory_bytes") || strings.Contains(scrape, "defendcheck_disconnects_total{") {
		t.Errorf("want the process collector's series and no disconnect:\n%s", scrape)
	}
	resp, err := http.Get(w.url + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz: %v, %v", resp, err)
	}
	_ = resp.Body.Close()
	if took := w.stop(); took > 3*time.Second {
		t.Errorf("stopping took %s, want at most 3 s", took)
	}
	logs := w.logs.String()
	for _, want := range []string{"msg=connected target=" + tgt.String() + " transport=websocket", "msg=closed target=" + tgt.String()} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %q:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, "msg=disconnected") {
		t.Errorf("a stop is no disconnect:\n%s", logs)
	}
}

// TestEveryLossIsCountedWithItsKindAndCode: a close code after the
// upgrade and a cut are disconnects with their kind and code, logged in
// the words of the one view; a close for the token's sake waits at least
// 60 s before connecting again, a maintenance close about a second.
func TestEveryLossIsCountedWithItsKindAndCode(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		id      string
		kind    diagnosis.Kind
		code    string
		minWait int // seconds the waiting line gives, at least
		maxWait int
	}{
		{"1001", diagnosis.KindGoingAway, "1001", 1, 2},
		{"4403", diagnosis.KindAuthorizationRevoked, "4403", 60, 72},
		{"5006", diagnosis.KindConnectionLost, "1006", 1, 2},
	} {
		t.Run(c.id, func(t *testing.T) {
			t.Parallel()
			tgt, _ := simAt(t, "127.0.0.1:0", nil)
			w := start(t, watch.Config{Targets: []diagnosis.Target{tgt}, CustomerID: c.id})
			w.metricIs(t, 40*time.Second, series("defendcheck_disconnects_total", tgt, "kind", string(c.kind), "close_code", c.code), is(1))
			w.metricIs(t, 10*time.Second, series("defendcheck_connected", tgt), is(0))
			until(t, 10*time.Second, "waiting line", func() (bool, string) {
				return strings.Contains(w.logs.String(), "msg=waiting"), w.logs.String()
			})
			logs := w.logs.String()
			line := lineWith(logs, "msg=disconnected")
			for _, want := range []string{"close_code=" + c.code, "kind=" + string(c.kind), strconv.Quote(diagnosis.Lookup(c.kind).Title)} {
				if !strings.Contains(line, want) {
					t.Errorf("the disconnect line %q lacks %q", line, want)
				}
			}
			if s := waitSeconds(t, logs); s < c.minWait || s > c.maxWait {
				t.Errorf("waits %d s after %s, want %d to %d:\n%s", s, c.kind, c.minWait, c.maxWait, logs)
			}
		})
	}
}

// TestRefusalIsNoHotLoop: a 402 is an attempt of its kind, logged with
// its status, and the next waits at least a minute: at most 2 in 25 s.
func TestRefusalIsNoHotLoop(t *testing.T) {
	t.Parallel()
	tgt, _ := simAt(t, "127.0.0.1:0", nil)
	w := start(t, watch.Config{Targets: []diagnosis.Target{tgt}, CustomerID: "402"})
	attempts := series("defendcheck_attempts_total", tgt, "kind", string(diagnosis.KindAccountInactive))
	w.metricIs(t, 20*time.Second, attempts, is(1))
	time.Sleep(25 * time.Second)
	scrape := w.scrape(t)
	if v, _ := value(scrape, attempts); v > 2 {
		t.Errorf("%s = %v after 25 s, want at most 2", attempts, v)
	}
	if v, ok := value(scrape, series("defendcheck_attempts_total", tgt, "kind", "ok")); ok {
		t.Errorf("a refusal counted as a connect: %v", v)
	}
	logs := w.logs.String()
	if line := lineWith(logs, "msg=refused"); !strings.Contains(line, "status=402") || !strings.Contains(line, "kind=account-inactive") {
		t.Errorf("the refusal line %q lacks its status and kind", line)
	}
	if s := waitSeconds(t, logs); s < 60 {
		t.Errorf("waits %d s after a 402, want at least 60", s)
	}
}

// TestSilenceIsSeen: a connection without events (204) is silent after
// -silence, and stays connected.
func TestSilenceIsSeen(t *testing.T) {
	t.Parallel()
	tgt, _ := simAt(t, "127.0.0.1:0", nil)
	w := start(t, watch.Config{Targets: []diagnosis.Target{tgt}, CustomerID: "204", Silence: 2 * time.Second})
	w.metricIs(t, 30*time.Second, series("defendcheck_silent", tgt), is(1))
	scrape := w.scrape(t)
	if v, _ := value(scrape, series("defendcheck_connected", tgt)); v != 1 {
		t.Errorf("connected = %v while silent, want 1", v)
	}
	if _, ok := value(scrape, series("defendcheck_last_event_timestamp_seconds", tgt)); ok {
		t.Error("a last-event time without any event")
	}
	if !strings.Contains(w.logs.String(), "msg=silent target="+tgt.String()+" no_event_for=2s") {
		t.Errorf("no silent line:\n%s", w.logs.String())
	}
}

// TestServerComesBack: the server goes away and comes back on the same
// port; the watcher counts the loss and is connected again within 40 s.
func TestServerComesBack(t *testing.T) {
	t.Parallel()
	tgt, stop := simAt(t, "127.0.0.1:0", nil)
	addr := strings.TrimPrefix(tgt.Origin, "http://")
	w := start(t, watch.Config{Targets: []diagnosis.Target{tgt}, CustomerID: "12345"})
	connected := series("defendcheck_connected", tgt)
	w.metricIs(t, 30*time.Second, connected, is(1))
	stop()
	w.metricIs(t, 30*time.Second, connected, is(0))
	time.Sleep(3 * time.Second) // an attempt or two find nobody
	simAt(t, addr, nil)
	back := time.Now()
	w.metricIs(t, 40*time.Second, connected, is(1))
	t.Logf("connected again %s after the server came back", time.Since(back).Round(time.Millisecond))
	scrape := w.scrape(t)
	if v, _ := value(scrape, series("defendcheck_attempts_total", tgt, "kind", "ok")); v != 2 {
		t.Errorf("%v connects, want 2", v)
	}
	if !strings.Contains(scrape, "defendcheck_disconnects_total{") {
		t.Errorf("the loss is not counted:\n%s", scrape)
	}
}

// lineWith is the first line of logs that contains s.
func lineWith(logs, s string) string {
	for line := range strings.Lines(logs) {
		if strings.Contains(line, s) {
			return line
		}
	}
	return ""
}

var waitingRE = regexp.MustCompile(`msg=waiting .*seconds=(\d+) before=`)

// waitSeconds is the wait the first waiting line gives.
func waitSeconds(t *testing.T, logs string) int {
	t.Helper()
	m := waitingRE.FindStringSubmatch(logs)
	if m == nil {
		t.Fatalf("no waiting line:\n%s", logs)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestPollingOnlyIsHeldOverPolling: where every WebSocket upgrade is
// refused (1006), the connection is held over long-polling, and says so.
func TestPollingOnlyIsHeldOverPolling(t *testing.T) {
	t.Parallel()
	tgt, _ := simAt(t, "127.0.0.1:0", nil)
	w := start(t, watch.Config{Targets: []diagnosis.Target{tgt}, CustomerID: "1006"})
	w.metricIs(t, 40*time.Second, series("defendcheck_transport", tgt, "transport", "polling"), is(1))
	scrape := w.scrape(t)
	for s, want := range map[string]float64{
		series("defendcheck_connected", tgt):                           1,
		series("defendcheck_transport", tgt, "transport", "websocket"): 0,
	} {
		if v, _ := value(scrape, s); v != want {
			t.Errorf("%s = %v, want %v", s, v, want)
		}
	}
	if !strings.Contains(w.logs.String(), "msg=connected target="+tgt.String()+" transport=polling") {
		t.Errorf("no connected line with polling:\n%s", w.logs.String())
	}
}
