package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/lsports/defendcheck"
	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/httpserve"
)

// jwt makes an unsigned compact JWT with the claims.
func jwt(claims map[string]any) string {
	part := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return part(map[string]any{"alg": "HS256", "typ": "JWT"}) + "." + part(claims) + ".c2lnbmF0dXJl"
}

func str(p *string) string {
	if p == nil {
		return "null"
	}
	return strconv.Quote(*p)
}

// TestWhatTheBrowserHides: a request the browser fails without saying why
// is followed by a probe that tells a server answering without CORS
// permission (cors-blocked) from nothing answering (network); both get an
// IT hand-off naming the target's host and port; a refusal that was read
// is reachable and has no hand-off.
func TestWhatTheBrowserHides(t *testing.T) {
	noCORS := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<h1>Access denied by your web filter</h1>"))
	}))
	defer noCORS.Close()
	blockTarget, err := diagnosis.ParseTarget(noCORS.URL)
	if err != nil {
		t.Fatal(err)
	}
	h, err := defendcheck.NewHandler(defendcheck.Config{Targets: []diagnosis.Target{blockTarget}, WASM: built.WASM, WasmExec: built.WasmExec})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := httpserve.Listen("127.0.0.1:0", h)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(srv.URL()+"/"))
	waitState(t, ctx, "ready")
	check(t, ctx, 0, "12345", "")
	d := published(t, ctx)
	if d.Kind != "unreachable" || str(d.Reachability) != `"cors-blocked"` {
		t.Fatalf("a server answering without CORS: kind %s reachability %s, want unreachable, cors-blocked\n%s", d.Kind, str(d.Reachability), d.Report)
	}
	if got := text(t, ctx, "verdict-reach"); !strings.Contains(got, "Something answered, but did not allow this page to read the answer") {
		t.Errorf("#verdict-reach %q does not say something answered without CORS", got)
	}
	handoffNames(t, ctx, d, blockTarget)
	screenshot(t, ctx, "cors-blocked")

	ctx = tab(t)
	open(t, ctx, "")
	check(t, ctx, targetRefused, "12345", "")
	d = published(t, ctx)
	if d.Kind != "unreachable" || str(d.Reachability) != `"network"` {
		t.Fatalf("a refusing port: kind %s reachability %s, want unreachable, network\n%s", d.Kind, str(d.Reachability), d.Report)
	}
	if got := text(t, ctx, "verdict-reach"); !strings.HasPrefix(got, "Nothing answered") {
		t.Errorf("#verdict-reach %q does not say nothing answered", got)
	}
	refused := eval[diagnosis.Target](t, ctx, `JSON.parse(document.getElementById("config").textContent).targets[`+strconv.Itoa(targetRefused)+`]`)
	handoffNames(t, ctx, d, refused)
	screenshot(t, ctx, "unreachable")

	check(t, ctx, targetSim, "1006", "")
	sim := eval[diagnosis.Target](t, ctx, `JSON.parse(document.getElementById("config").textContent).targets[`+strconv.Itoa(targetSim)+`]`)
	d = published(t, ctx)
	if d.Kind != "polling-only" || str(d.Reachability) != `"ok"` {
		t.Fatalf("polling only: kind %s reachability %s", d.Kind, str(d.Reachability))
	}
	handoffNames(t, ctx, d, sim)

	check(t, ctx, targetSim, "402", "")
	d = published(t, ctx)
	if d.Kind != "account-inactive" || d.ITHandoff != nil || str(d.Reachability) != `"ok"` {
		t.Errorf("an account problem: kind %s, reachability %s, hand-off %s; want none", d.Kind, str(d.Reachability), str(d.ITHandoff))
	}
	if eval[bool](t, ctx, `document.getElementById("handoff-section").checkVisibility()`) || eval[bool](t, ctx, `document.getElementById("verdict-reach").checkVisibility()`) {
		t.Error("an account problem shows the IT hand-off or a reachability row")
	}
}

// handoffNames checks the IT hand-off of a network failure: in the result,
// on the page with its own Copy button, and in the report, naming the
// target's host and port, and every piece of advice naming them too.
func handoffNames(t *testing.T, ctx context.Context, d result, target diagnosis.Target) {
	t.Helper()
	if d.ITHandoff == nil {
		t.Fatalf("%s: no IT hand-off", d.Kind)
	}
	for _, want := range []string{"Host:      " + target.Host(), "Port:      " + target.Port() + " (TCP)", "Upgrade and Connection", "customerid and Authorization"} {
		if !strings.Contains(*d.ITHandoff, want) {
			t.Errorf("%s: hand-off lacks %q:\n%s", d.Kind, want, *d.ITHandoff)
		}
	}
	if !eval[bool](t, ctx, `document.getElementById("handoff-section").checkVisibility() && document.getElementById("copy-handoff").checkVisibility()`) {
		t.Errorf("%s: the hand-off or its Copy button is not shown", d.Kind)
	}
	if got := text(t, ctx, "handoff"); got != *d.ITHandoff {
		t.Errorf("%s: #handoff differs from the result's itHandoff", d.Kind)
	}
	if !strings.Contains(d.Report, "For the customer's IT or network team:") {
		t.Errorf("%s: the report lacks the hand-off", d.Kind)
	}
	advice := text(t, ctx, "verdict-resolution") + " " + text(t, ctx, "verdict-troubleshooting")
	if !strings.Contains(advice, target.Host()) || !strings.Contains(advice, target.Port()) || port443.MatchString(advice) {
		t.Errorf("%s: advice %q does not name %s port %s", d.Kind, advice, target.Host(), target.Port())
	}
}

// TestTokenRead: a 4401 with an expired, a valid, an opaque and no token:
// each is read locally and explained, and the token is nowhere.
func TestTokenRead(t *testing.T) {
	now := time.Now()
	expired := jwt(map[string]any{"exp": now.Add(-10 * time.Minute).Unix(), "iat": now.Add(-40 * time.Minute).Unix(), "sub": "secret-claim-value"})
	valid := jwt(map[string]any{"exp": now.Add(20 * time.Minute).Unix(), "iat": now.Add(-10 * time.Minute).Unix(), "sub": "secret-claim-value"})
	ctx := tab(t)
	open(t, ctx, "")
	for _, tt := range []struct {
		name, token, format string
		expired             bool
		advice              string
	}{
		{"expired JWT", expired, "jwt", true, "had expired at"},
		{"valid JWT", valid, "jwt", false, "was valid until"},
		{"opaque", "opaque-secret-token-value", "opaque", false, "tokens live 30 minutes"},
		{"none", "", "", false, "No access token was sent"},
	} {
		eval[string](t, ctx, `document.getElementById("token").value = ""`)
		check(t, ctx, targetSim, "4401", tt.token)
		d := published(t, ctx)
		switch {
		case tt.token == "" && d.Token != nil:
			t.Errorf("%s: token %+v, want null", tt.name, d.Token)
		case tt.token != "" && (d.Token == nil || d.Token.Format != tt.format || d.Token.Expired != tt.expired):
			t.Errorf("%s: token %+v, want format %s expired %v", tt.name, d.Token, tt.format, tt.expired)
		case tt.format == "jwt" && (d.Token.ExpiresAt == nil || d.Token.IssuedAt == nil || d.Token.SecondsLeft == nil):
			t.Errorf("%s: token %+v, want its times", tt.name, d.Token)
		}
		if got := text(t, ctx, "verdict-troubleshooting"); !strings.Contains(got, tt.advice) {
			t.Errorf("%s: #verdict-troubleshooting %q lacks %q", tt.name, got, tt.advice)
		}
		screenshot(t, ctx, "token-"+strings.ReplaceAll(tt.name, " ", "-"))
		if tt.token == "" {
			continue
		}
		places := map[string]string{
			"result":         eval[string](t, ctx, `JSON.stringify(window.defendcheck.result)`),
			"URL":            eval[string](t, ctx, `location.href`),
			"localStorage":   eval[string](t, ctx, `JSON.stringify(Object.entries(localStorage))`),
			"sessionStorage": eval[string](t, ctx, `JSON.stringify(Object.entries(sessionStorage))`),
			"page text":      eval[string](t, ctx, `document.body.innerText`),
			"simulator log":  simLog.String(),
		}
		for where, s := range places {
			for _, secret := range append(strings.Split(tt.token, "."), "secret-claim-value") {
				if len(secret) > 12 && strings.Contains(s, secret) {
					t.Errorf("%s: %q of the token is in the %s", tt.name, secret, where)
				}
			}
		}
	}
}

// shiftDate moves the page's clock (Date, which Go's time.Now reads in the
// browser) by offset before anything on the page runs.
func shiftDate(offset time.Duration) string {
	return `(() => {
  const off = ` + strconv.FormatInt(offset.Milliseconds(), 10) + `, RealDate = Date;
  class ShiftedDate extends RealDate {
    constructor(...a) { if (a.length === 0) super(RealDate.now() + off); else super(...a); }
    static now() { return RealDate.now() + off; }
  }
  globalThis.Date = ShiftedDate;
})();`
}

// TestShiftedClock: the browser's clock is 40 minutes fast. The page
// measures it against the Date header of its own server, judges a token
// valid for 10 more minutes by server time as valid (by the browser's clock
// it expired half an hour ago), says the clock is off, and stamps the
// result and report with server time.
func TestShiftedClock(t *testing.T) {
	ctx := tab(t)
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: shiftDate(40 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	open(t, ctx, "")
	if skew := eval[float64](t, ctx, `Date.now() - performance.timeOrigin - performance.now()`); skew < 39*60e3 {
		t.Fatalf("the page's clock is not shifted (%.0f ms)", skew)
	}
	now := time.Now()
	token := jwt(map[string]any{"exp": now.Add(10 * time.Minute).Unix()})
	check(t, ctx, targetSim, "4401", token)
	d := published(t, ctx)
	if d.ClockSkewMS == nil || (time.Duration(*d.ClockSkewMS)*time.Millisecond-40*time.Minute).Abs() > 3*time.Second {
		t.Errorf("clockSkewMs %v, want about %d", d.ClockSkewMS, (40 * time.Minute).Milliseconds())
	}
	// The same request tells where the page's server saw this browser.
	if d.SeenFrom == nil || *d.SeenFrom != "127.0.0.1" || !strings.Contains(d.Report, "Seen from:     127.0.0.1 (") ||
		!strings.HasPrefix(text(t, ctx, "verdict-seen-from"), "127.0.0.1") {
		t.Errorf("seenFrom %v, want 127.0.0.1, in the report and the page\n%s", d.SeenFrom, d.Report)
	}
	if d.Token == nil || d.Token.Expired || d.Token.SecondsLeft == nil || *d.Token.SecondsLeft < 8*60 {
		t.Errorf("token %+v: valid for 10 more minutes by server time, want not expired", d.Token)
	}
	stamp, err := time.Parse(time.RFC3339, d.Timestamp)
	if err != nil || stamp.Sub(now).Abs() > 30*time.Second {
		t.Errorf("timestamp %s, want server time, about %s", d.Timestamp, now.UTC().Format(time.RFC3339))
	}
	if got := text(t, ctx, "verdict-clock"); !strings.Contains(got, "ahead of the server's") {
		t.Errorf("#verdict-clock %q does not say the clock is ahead", got)
	}
	if !strings.Contains(d.Report, "(server time: this computer's clock is off)") {
		t.Errorf("the report does not say its time is the server's:\n%s", d.Report)
	}
	screenshot(t, ctx, "clock-ahead")
}

// TestHoldSeesACut: with a hold, customer ID 5006's cut (5 s after join,
// after the verdict is known) becomes the verdict, with when it came; the
// Stop button shows while holding. A hold that nothing cuts ends on Stop.
func TestHoldSeesACut(t *testing.T) {
	ctx := tab(t)
	// A portal's link may set any whole number of seconds up to 900.
	open(t, ctx, "?customerid=5006&hold=20")
	if got := eval[string](t, ctx, `document.getElementById("hold").value`); got != "20" {
		t.Fatalf("?hold=20: the hold list holds %q", got)
	}
	eval[string](t, ctx, `document.getElementById("target").value = "`+strconv.Itoa(targetSim)+`"`)
	do(t, ctx, chromedp.Click(chromedp.CSS("#check")))
	waitFor(t, ctx, `document.getElementById("stop-hold").checkVisibility()`, 30*time.Second)
	// The hold's verdict so far is brought into view, Stop holding with it.
	waitFor(t, ctx, `document.activeElement && document.activeElement.id === "holding-title"`, 5*time.Second)
	if !eval[bool](t, ctx, `(() => { const r = document.getElementById("stop-hold").getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()`) {
		t.Error("Stop holding is not in view while holding")
	}
	screenshot(t, ctx, "holding")
	waitState(t, ctx, "done")
	screenshot(t, ctx, "hold-cut")
	d := published(t, ctx)
	if d.Kind != "connection-lost" || d.CloseCode == nil || *d.CloseCode != 1006 {
		t.Fatalf("kind %s close %v, want connection-lost 1006\n%s", d.Kind, d.CloseCode, d.Report)
	}
	if h := d.Hold; h == nil || h.RequestedS != 20 || h.ClosedAtS == nil || *h.ClosedAtS > 5 || h.CloseCode == nil || *h.CloseCode != 1006 || h.Events < 1 {
		t.Errorf("hold %+v, want closed within 5 s of a 20 s hold, code 1006, with events", d.Hold)
	}
	if got := text(t, ctx, "verdict-hold"); !strings.HasPrefix(got, "Closed ") || !strings.Contains(got, "close code 1006") {
		t.Errorf("#verdict-hold %q does not say when the hold was cut", got)
	}
	if eval[bool](t, ctx, `document.getElementById("stop-hold").checkVisibility()`) {
		t.Error("Stop holding is still shown after the hold")
	}
	handoffNames(t, ctx, d, eval[diagnosis.Target](t, ctx, `JSON.parse(document.getElementById("config").textContent).targets[`+strconv.Itoa(targetSim)+`]`))

	eval[string](t, ctx, `document.getElementById("hold").value = "300"`)
	eval[string](t, ctx, `document.getElementById("customer-id").value = ""`)
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("#customer-id"), "12345"), chromedp.Click(chromedp.CSS("#check")))
	waitFor(t, ctx, `document.getElementById("stop-hold").checkVisibility()`, 30*time.Second)
	do(t, ctx, chromedp.Click(chromedp.CSS("#stop-hold")))
	waitState(t, ctx, "done")
	d = published(t, ctx)
	if h := d.Hold; d.Kind != "ok" || h == nil || !h.Stopped || h.RequestedS != 300 || h.ClosedAtS != nil || h.HeldS > 30 {
		t.Errorf("kind %s hold %+v, want ok, stopped early, not closed", d.Kind, d.Hold)
	}
}

// TestUnsendableTokenIsAFieldError: a token with a character a header
// cannot carry (pasted from a document) is the typist's to fix: a field
// error on the token, no request, nothing blamed on the network.
func TestUnsendableTokenIsAFieldError(t *testing.T) {
	ctx := tab(t)
	open(t, ctx, "")
	before := strings.Count(simLog.String(), "connection attempt")
	eval[string](t, ctx, `document.getElementById("target").value = "`+strconv.Itoa(targetSim)+`"`)
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("#customer-id"), "12345"), chromedp.SendKeys(chromedp.CSS("#token"), "tökenSECRET\u2019"),
		chromedp.Click(chromedp.CSS("#check")))
	waitFor(t, ctx, `document.getElementById("token").getAttribute("aria-invalid") === "true"`, 10*time.Second)
	if got := text(t, ctx, "token-error"); !strings.Contains(got, "cannot be sent in a header") || strings.Contains(got, "SECRET") {
		t.Errorf("#token-error %q", got)
	}
	if state, res := eval[string](t, ctx, `document.documentElement.dataset.state`), eval[bool](t, ctx, `window.defendcheck.result === null`); state != "ready" || !res {
		t.Errorf("data-state %q, result null %v; want ready and null", state, res)
	}
	if active := eval[string](t, ctx, `document.activeElement.id`); active != "token" {
		t.Errorf("focus on #%s, want #token", active)
	}
	if after := strings.Count(simLog.String(), "connection attempt"); after != before {
		t.Error("a token that cannot be sent reached the server")
	}
	eval[string](t, ctx, `document.getElementById("token").value = ""`)
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("#token"), "plain-token"))
	waitFor(t, ctx, `!document.getElementById("token").hasAttribute("aria-invalid")`, 10*time.Second)
}

// port443 finds advice about port 443 (not 44357).
var port443 = regexp.MustCompile(`port 443\b`)

// TestOffline: with the browser offline, no request leaves; the page says
// the computer is offline rather than blaming the target, and the clock
// is not compared.
func TestOffline(t *testing.T) {
	ctx := tab(t)
	open(t, ctx, "")
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		t.Fatal(err)
	}
	check(t, ctx, targetSim, "12345", "")
	d := published(t, ctx)
	if d.Kind != "unreachable" || str(d.Reachability) != `"offline"` || d.ClockSkewMS != nil {
		t.Fatalf("offline: kind %s reachability %s clockSkewMs %v; want unreachable, offline, null\n%s", d.Kind, str(d.Reachability), d.ClockSkewMS, d.Report)
	}
	if got := text(t, ctx, "verdict-reach"); got != "The browser reports that this computer is offline." {
		t.Errorf("#verdict-reach %q", got)
	}
}
