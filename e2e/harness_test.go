package e2e

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/lsports/defendcheck"
	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/rmssim"
)

// result mirrors window.defendcheck.result, the page's public contract.
type result struct {
	Verdict    string   `json:"verdict"`
	Kind       string   `json:"kind"`
	StatusCode *int     `json:"statusCode"`
	CloseCode  *int     `json:"closeCode"`
	CustomerID string   `json:"customerId"`
	Timestamp  string   `json:"timestamp"`
	RunID      string   `json:"runId"`
	Messages   []string `json:"messages"`
	Transport  string   `json:"transport"`
	Steps      []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
		MS     int64  `json:"ms"`
	} `json:"steps"`
	Report string `json:"report"`
}

// syncBuffer is a log sink that tests read while servers write.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// simulator starts the simulated RMS-Socket on its own loopback port with
// no rate limit unless opts says otherwise; its log goes to the returned
// buffer.
func simulator(t *testing.T, opts rmssim.Options) (http.Handler, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	opts.Logger = slog.New(slog.NewTextHandler(logs, nil))
	sim := rmssim.New(opts)
	t.Cleanup(func() { _ = sim.Close() })
	return sim, logs
}

// serve binds h to 127.0.0.1:0 for the test and returns its URL.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	srv, err := defendcheck.Listen("127.0.0.1:0", h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv.URL()
}

// checkerPage serves the checker page with the given Socket.IO origins as
// its targets and returns the page's URL.
func checkerPage(t *testing.T, targetOrigins ...string) string {
	t.Helper()
	var targets []diagnosis.Target
	for _, o := range targetOrigins {
		targets = append(targets, diagnosis.Target{Origin: o, Path: rmssim.Path})
	}
	h, err := defendcheck.NewHandler(defendcheck.Config{Targets: targets, WASM: built.WASM, WasmExec: built.WasmExec})
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, h)
}

// tab opens a new browser tab for the test. The browser's console and
// uncaught exceptions go to the test log; an exception fails the test.
func tab(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithListener(func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, strings.Trim(string(a.Value), `"`))
			}
			t.Logf("console.%s: %s", ev.Type, strings.Join(parts, " "))
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			text := d.Text
			if d.Exception != nil {
				text += " " + d.Exception.Description
			}
			t.Errorf("uncaught exception in the page at %s:%d: %s", d.URL, d.LineNumber+1, text)
		}
	}))
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // creates the tab, without a deadline
		t.Fatal(err)
	}
	ctx, cancelDeadline := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelDeadline)
	return ctx
}

// waitState waits until <html data-state> is state.
func waitState(t *testing.T, ctx context.Context, state string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.documentElement.dataset.state === "`+state+`"`,
		chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(80*time.Second)))
	if err != nil {
		got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.dataset.state`))
		t.Fatalf("waiting for data-state=%q: %v (it is %q)", state, err, got)
	}
}

// runCheck opens the page, types the customer ID (and token), clicks Check
// and returns the published result.
func runCheck(t *testing.T, ctx context.Context, pageURL, customerID, token string) result {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(pageURL)); err != nil {
		t.Fatal(err)
	}
	waitState(t, ctx, "ready")
	actions := []chromedp.Action[chromedp.Void]{chromedp.SendKeys(chromedp.CSS("#customer-id"), customerID)}
	if token != "" {
		actions = append(actions, chromedp.SendKeys(chromedp.CSS("#token"), token))
	}
	actions = append(actions, chromedp.Click(chromedp.CSS("#check")))
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
	waitState(t, ctx, "done")
	res, err := chromedp.Run(ctx, chromedp.Evaluate[result](`window.defendcheck.result`))
	if err != nil {
		t.Fatal(err)
	}
	return res
}
