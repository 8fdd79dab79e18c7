package e2e

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lsports/defendcheck"
	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/eventually"
	"github.com/lsports/defendcheck/rmssim"
	"github.com/lsports/defendcheck/wasmbuild"
)

// hangID is the customer ID whose sessions hangingFront hangs.
const hangID = "777"

// TestHungChecksLeaveNothingOpen runs, in one tab, a refused check, three
// checks against a server that answers the handshake and then never
// again, and the refused check once more, all on the same origin. A
// browser allows six connections per host: if a hung check left its
// requests open, the last check would wait behind them and end as
// timeout. It must get the refusal's verdict as fast as the first time.
func TestHungChecksLeaveNothingOpen(t *testing.T) {
	var open atomic.Int64
	front := httptest.NewServer(hangingFront(t, simURL, &open))
	t.Cleanup(func() {
		front.CloseClientConnections()
		front.Close()
	})
	page := hostilePage(t, diagnosis.Target{Origin: front.URL, Path: rmssim.Path})

	ctx := tabWithin(t, 3*time.Minute)
	do(t, ctx, chromedp.Navigate(page))
	waitState(t, ctx, "ready")

	first, usual := checkAgain(t, ctx, "402")
	if first.Kind != string(diagnosis.KindAccountInactive) {
		t.Fatalf("402 before the hung checks: %s\n%s", first.Kind, first.Report)
	}
	for i := 1; i <= 3; i++ {
		res, took := checkAgain(t, ctx, hangID)
		t.Logf("hung check %d: %s after %s", i, res.Kind, took.Round(time.Millisecond))
		if res.Kind != string(diagnosis.KindTimeout) {
			t.Errorf("hung check %d: kind %s, want timeout\n%s", i, res.Kind, res.Report)
		}
		waitNoneOpen(t, &open, 2*time.Second)
	}
	last, took := checkAgain(t, ctx, "402")
	t.Logf("402: %s before the hung checks, %s after them", usual.Round(time.Millisecond), took.Round(time.Millisecond))
	if last.Kind != string(diagnosis.KindAccountInactive) || last.Verdict != "error" {
		t.Fatalf("402 after three hung checks: %s %s, want error account-inactive\n%s", last.Verdict, last.Kind, last.Report)
	}
	if took > usual+2*time.Second {
		t.Errorf("402 after three hung checks took %s, against %s before them", took, usual)
	}
}

// hostilePage serves the checker page with targets on an origin of its
// own and returns its URL. It builds the WebAssembly itself (the build is
// cached, so this takes seconds).
func hostilePage(t *testing.T, targets ...diagnosis.Target) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	built, err := wasmbuild.Build(ctx)
	if err != nil {
		t.Fatalf("building the checker: %v", err)
	}
	h, err := defendcheck.NewHandler(defendcheck.Config{Targets: targets, WASM: built.WASM, WasmExec: built.WasmExec})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

// checkAgain types id into the ready or done page, clicks Check, waits for
// a new result and returns it with the time from the click to it.
func checkAgain(t *testing.T, ctx context.Context, id string) (result, time.Duration) {
	t.Helper()
	eval[any](t, ctx, `window.__lastRun = window.defendcheck.result ? window.defendcheck.result.runId : ""; document.getElementById("customer-id").value = ""`)
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("#customer-id"), id))
	start := time.Now()
	do(t, ctx, chromedp.Click(chromedp.CSS("#check")))
	waitFor(t, ctx, `document.documentElement.dataset.state === "done" && window.defendcheck.result.runId !== window.__lastRun`, 100*time.Second)
	took := time.Since(start)
	return published(t, ctx), took
}

// waitNoneOpen waits, for at most d, until no hung request is open.
func waitNoneOpen(t *testing.T, open *atomic.Int64, d time.Duration) {
	t.Helper()
	if !eventually.True(d, 20*time.Millisecond, func() bool { return open.Load() == 0 }) {
		t.Errorf("%d requests of a hung check still open %s after it ended", open.Load(), d)
	}
}

// hangingFront stands in front of the simulator at upstream. A handshake
// for hangID it answers itself, opening a session it then never answers
// again: every request of that session (polls, POSTs, the WebSocket
// upgrade) waits until the browser gives up on it, counted in open. Every
// other request goes to the simulator.
func hangingFront(t *testing.T, upstream string, open *atomic.Int64) http.Handler {
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ErrorLog = log.New(io.Discard, "", 0) // a check's end aborts its long-poll: not news
	var sessions atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sid := r.URL.Query().Get("sid")
		hung := strings.HasPrefix(sid, "hung-")
		switch {
		case hung && r.Method == http.MethodOptions:
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
			w.Header().Set("Access-Control-Allow-Headers", "customerid, authorization, content-type")
			w.WriteHeader(http.StatusNoContent)
		case hung:
			open.Add(1)
			defer open.Add(-1)
			// Read the body first: only then does the server watch the
			// connection, and end the request's context when it closes.
			_, _ = io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
		case sid == "" && r.Method == http.MethodGet && r.Header.Get("customerid") == hangID:
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
			fmt.Fprintf(w, `0{"sid":"hung-%d","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`, sessions.Add(1))
		default:
			proxy.ServeHTTP(w, r)
		}
	})
}
