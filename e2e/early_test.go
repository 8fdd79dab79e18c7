package e2e

import (
	"context"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/lsports/defendcheck/internal/httpserve"
)

// heldPage serves the checker page (a proxy to pageURL, so the page is the
// one NewHandler built) on its own origin, holding every request for the
// WebAssembly until release is called, so that a test sees the page
// before the checker is ready for as long as it needs. It also delays
// app.js by appDelay, to show that the loader's work is done before the
// first paint however late the loader arrives.
func heldPage(t *testing.T, appDelay time.Duration) (base string, release func()) {
	t.Helper()
	u, err := url.Parse(pageURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	held := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(held) }) }
	srv, err := httpserve.Listen("127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case strings.HasSuffix(p, ".wasm"):
			select {
			case <-held:
			case <-r.Context().Done():
				return
			}
		case strings.HasPrefix(p, "/app.") && strings.HasSuffix(p, ".js"):
			time.Sleep(appDelay)
		}
		proxy.ServeHTTP(w, r)
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		release() // so that no request is left waiting
		_ = srv.Close()
	})
	return srv.URL() + "/", release
}

// earlyMarks runs in the page before any of its own scripts: it records
// each state <html data-state> left (old values, since several changes in
// one JS turn reach the observer as one call), and what the form held at the
// first frame (requestAnimationFrame runs its callbacks just before a
// frame is painted, and not while rendering is blocked).
const earlyMarks = `
window.__states = [];
new MutationObserver((records) => {
  for (const r of records) if (r.target === document.documentElement) window.__states.push(r.oldValue);
}).observe(document, {attributes: true, attributeOldValue: true, subtree: true, attributeFilter: ["data-state"]});
window.__firstFrame = null;
requestAnimationFrame(() => {
  const sel = document.getElementById("target"), id = document.getElementById("customer-id"),
    btn = document.getElementById("check"), cfg = document.getElementById("config");
  window.__firstFrame = {
    state: document.documentElement.dataset.state || "",
    options: sel ? [...sel.options].map(o => [o.value, o.textContent, o.title]) : [],
    selected: sel ? sel.value : "",
    targets: cfg ? JSON.parse(cfg.textContent).targets.map(t => t.origin + t.path) : [],
    customerId: id ? id.value : "(no #customer-id)",
    checkEnabled: btn ? !btn.disabled : false,
  };
});
`

type firstFrame struct {
	State        string      `json:"state"`
	Options      [][3]string `json:"options"`
	Selected     string      `json:"selected"`
	Targets      []string    `json:"targets"`
	CustomerID   string      `json:"customerId"`
	CheckEnabled bool        `json:"checkEnabled"`
}

// openEarly opens the held page in a new tab with earlyMarks installed,
// returns what its first frame showed, and requires that the checker is
// still loading.
func openEarly(t *testing.T, query string) (ctx context.Context, release func(), ff firstFrame) {
	t.Helper()
	base, release := heldPage(t, 300*time.Millisecond)
	ctx = tab(t)
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: earlyMarks}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.Navigate(base+query))
	waitFor(t, ctx, `window.__firstFrame !== null`, 10*time.Second)
	ff = eval[firstFrame](t, ctx, `window.__firstFrame`)
	if s := eval[string](t, ctx, `document.documentElement.dataset.state`); s != "loading" {
		t.Fatalf("state %q with the WebAssembly held back, want loading", s)
	}
	return ctx, release, ff
}

// TestEarlyPageIsUsableBeforeTheChecker: at the first frame, long before
// the WebAssembly arrives, the form has its endpoints, the prefill from
// the link and an enabled Check button; clicks made while loading say so
// and become exactly one check once Go is ready, with what the fields hold
// then.
func TestEarlyPageIsUsableBeforeTheChecker(t *testing.T) {
	ctx, release, ff := openEarly(t, "?customerid=777003")

	if ff.State != "loading" {
		t.Errorf("first frame: state %q, want loading", ff.State)
	}
	if len(ff.Targets) < 2 || len(ff.Options) != len(ff.Targets) {
		t.Fatalf("first frame: options %q for the configured targets %q", ff.Options, ff.Targets)
	}
	for i, o := range ff.Options {
		// The host (and port) as text, the URL as the title.
		host := strings.TrimPrefix(strings.TrimSuffix(ff.Targets[i], "/rms-socket/socket.io"), "http://")
		if o[0] != itoa(int64(i)) || o[1] != host || o[2] != ff.Targets[i] {
			t.Errorf("first frame: option %d is %q, want value %d, text %q and title %q", i, o, i, host, ff.Targets[i])
		}
	}
	if ff.Selected != "0" {
		t.Errorf("first frame: endpoint %q selected, want the first (0)", ff.Selected)
	}
	if ff.Targets[0] != simURL+"/rms-socket/socket.io" {
		t.Errorf("first target %q, want the simulator", ff.Targets[0])
	}
	if ff.CustomerID != "777003" {
		t.Errorf("first frame: customer ID %q, want the prefilled 777003", ff.CustomerID)
	}
	if !ff.CheckEnabled {
		t.Error("first frame: the Check button is disabled")
	}

	// Clicks while loading are kept, and the page says so.
	before := strings.Count(simLog.String(), "customer_id=402 ")
	do(t, ctx, chromedp.Click(chromedp.CSS("#check")), chromedp.Click(chromedp.CSS("#check")))
	waitFor(t, ctx, `document.getElementById("notice").textContent !== ""`, 5*time.Second)
	msg := text(t, ctx, "notice")
	if !strings.HasPrefix(msg, "The checker is still loading (") || !strings.Contains(msg, " %): your check will start as soon as it is ready.") {
		t.Errorf("#notice says %q while loading", msg)
	}
	if !eval[bool](t, ctx, `!document.getElementById("loading").hidden && document.getElementById("load-progress") !== null`) {
		t.Error("the progress bar is not shown while loading")
	}
	if s := eval[string](t, ctx, `document.documentElement.dataset.state`); s != "loading" {
		t.Fatalf("state %q after an early click, want loading", s)
	}
	// The check uses what the fields hold when Go is ready, not at the click.
	eval[string](t, ctx, `document.getElementById("customer-id").value = "402"`)
	do(t, ctx, chromedp.Click(chromedp.CSS("#check"))) // a third click: still one check

	release()
	waitState(t, ctx, "done")
	res := published(t, ctx)
	if res.Kind != "account-inactive" || res.CustomerID != "402" {
		t.Fatalf("got %s for %q, want account-inactive for 402", res.Kind, res.CustomerID)
	}
	do(t, ctx, chromedp.Sleep(1500*time.Millisecond)) // time for a second check to show
	if got := eval[[]string](t, ctx, `[...window.__states, document.documentElement.dataset.state]`); strings.Join(got, " ") != "loading ready checking done" {
		t.Errorf("states %q, want loading, ready, checking, done: one check", got)
	}
	if n := strings.Count(simLog.String(), "customer_id=402 ") - before; n != 1 {
		t.Errorf("the simulator saw %d connection attempts for 402, want 1", n)
	}
	if msg := text(t, ctx, "notice"); strings.Contains(msg, "still loading") {
		t.Errorf("#notice still says %q after the check", msg)
	}
	if eval[bool](t, ctx, `document.getElementById("check-form").hasAttribute("data-queued")`) {
		t.Error("the form is still marked queued")
	}
	// The loader's listener is gone: Go's is the only one left.
	n, err := chromedp.Run(ctx, chromedp.EvaluateAsDevTools[int](`getEventListeners(document.getElementById("check-form")).submit.length`))
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d submit listeners on the form once ready, want Go's only", n)
	}
}

// TestEarlyClickWithoutIDPromptsOnceReady: a click while loading with an
// empty field connects nowhere; once ready the page asks for the ID, as a
// click on the ready page does.
func TestEarlyClickWithoutIDPromptsOnceReady(t *testing.T) {
	ctx, release, ff := openEarly(t, "")
	if ff.CustomerID != "" {
		t.Errorf("first frame: customer ID %q, want empty without ?customerid=", ff.CustomerID)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS("#check")))
	waitFor(t, ctx, `document.getElementById("notice").textContent.includes("still loading")`, 5*time.Second)
	release()
	waitState(t, ctx, "ready")
	waitFor(t, ctx, `!document.getElementById("customer-id-error").hidden`, 10*time.Second)
	if got := text(t, ctx, "customer-id-error"); !strings.Contains(got, "Enter your customer ID") {
		t.Errorf("empty ID prompt %q", got)
	}
	if got := text(t, ctx, "notice"); got != "" {
		t.Errorf("#notice %q once ready, want empty", got)
	}
	do(t, ctx, chromedp.Sleep(500*time.Millisecond))
	if s := eval[string](t, ctx, `document.documentElement.dataset.state`); s != "ready" {
		t.Errorf("state %q after an early click with no ID, want ready", s)
	}
}
