package e2e

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/lsports/defendcheck/internal/httpserve"
	"github.com/lsports/defendcheck/internal/scenario"
)

// result mirrors window.defendcheck.result, the page's public contract:
// the one Go view of it in the browser tests.
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
	Report       string  `json:"report"`
	Reachability *string `json:"reachability"`
	ITHandoff    *string `json:"itHandoff"`
	Token        *struct {
		Format      string  `json:"format"`
		ExpiresAt   *string `json:"expiresAt"`
		IssuedAt    *string `json:"issuedAt"`
		Expired     bool    `json:"expired"`
		SecondsLeft *int64  `json:"secondsLeft"`
	} `json:"token"`
	ClockSkewMS *int64  `json:"clockSkewMs"`
	SeenFrom    *string `json:"seenFrom"`
	AnsweredBy  *struct {
		Name   string `json:"name"`
		Proxy  bool   `json:"proxy"`
		Status int    `json:"status"`
	} `json:"answeredBy"`
	Hold *struct {
		RequestedS int  `json:"requestedS"`
		HeldS      int  `json:"heldS"`
		ClosedAtS  *int `json:"closedAtS"`
		CloseCode  *int `json:"closeCode"`
		Events     int  `json:"events"`
		Stopped    bool `json:"stopped"`
	} `json:"hold"`
}

// published is the result the page published last.
func published(t testing.TB, ctx context.Context) result {
	t.Helper()
	return eval[result](t, ctx, `window.defendcheck.result`)
}

// outcome is what scenario.Case.Mismatch compares.
func (r result) outcome() scenario.Outcome {
	return scenario.Outcome{Verdict: r.Verdict, Kind: r.Kind, StatusCode: r.StatusCode, CloseCode: r.CloseCode, Transport: r.Transport}
}

// tab opens a new browser tab for the test with one generous deadline. The
// page's console goes to the test log; an uncaught exception fails the test.
func tab(t testing.TB, opts ...chromedp.ContextOption) context.Context {
	t.Helper()
	return tabWithin(t, 2*time.Minute, opts...)
}

// tabWithin is tab with a deadline of d for everything the test does in it.
func tabWithin(t testing.TB, d time.Duration, opts ...chromedp.ContextOption) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx, append(opts, chromedp.WithListener(func(ev any) {
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
	}))...)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // creates the tab, without a deadline
		t.Fatal(err)
	}
	ctx, cancelDeadline := context.WithTimeout(ctx, d)
	t.Cleanup(cancelDeadline)
	return ctx
}

// do runs actions or fails the test.
func do(t testing.TB, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression or fails the test.
func eval[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, func(p *runtime.EvaluateParams) { p.AwaitPromise = ptrTo(true) }))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

func ptrTo[T any](v T) *T { return &v }

// waitFor waits until the JavaScript expression is truthy.
func waitFor(t testing.TB, ctx context.Context, expr string, timeout time.Duration) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr,
		chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(timeout)))
	if err != nil {
		state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.dataset.state`))
		t.Fatalf("waiting for %s: %v (data-state is %q)", expr, err, state)
	}
}

// waitState waits until <html data-state> is state.
func waitState(t testing.TB, ctx context.Context, state string) {
	t.Helper()
	waitFor(t, ctx, `document.documentElement.dataset.state === "`+state+`"`, 100*time.Second)
}

// open loads the page (with an optional query) and waits until it is ready.
func open(t *testing.T, ctx context.Context, query string) {
	t.Helper()
	do(t, ctx, chromedp.Navigate(pageURL+query))
	waitState(t, ctx, "ready")
}

// check types the customer ID (and token) on a ready page, picks the
// target, clicks Check and returns the published result.
func check(t *testing.T, ctx context.Context, target int, customerID, token string) result {
	t.Helper()
	eval[string](t, ctx, `document.getElementById("target").value = "`+strconv.Itoa(target)+`"`)
	var actions []chromedp.Action[chromedp.Void]
	if customerID != "" { // "" keeps what the field holds, such as a prefill
		eval[string](t, ctx, `document.getElementById("customer-id").value = ""`)
		actions = append(actions, chromedp.SendKeys(chromedp.CSS("#customer-id"), customerID))
	}
	if token != "" {
		actions = append(actions, chromedp.SendKeys(chromedp.CSS("#token"), token))
	}
	actions = append(actions, chromedp.Click(chromedp.CSS("#check")))
	do(t, ctx, actions...)
	waitState(t, ctx, "done")
	return published(t, ctx)
}

// text returns an element's textContent.
func text(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	return eval[string](t, ctx, `document.getElementById("`+id+`").textContent`)
}

func jsString(s string) string { return strconv.Quote(s) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// serve binds h to 127.0.0.1:0 until the test or benchmark ends.
func serve(tb testing.TB, h http.Handler) string {
	tb.Helper()
	srv, err := httpserve.Listen("127.0.0.1:0", h)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = srv.Close() })
	return srv.URL()
}
