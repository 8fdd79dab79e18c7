package e2e

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/lsports/defendcheck/internal/scenario"
)

// TestGatewayNamed: nginx in front of a service that is down answers 502
// with its page. The verdict names it and its status in plain words, and
// the fix is LSports's: no hand-off to the customer's IT team.
func TestGatewayNamed(t *testing.T) {
	ctx := tab(t)
	open(t, ctx, "")
	res := check(t, ctx, targetGateway, "12345", "")
	if res.Kind != "unknown-status" || res.AnsweredBy == nil || res.AnsweredBy.Name != "nginx" || res.AnsweredBy.Proxy || res.AnsweredBy.Status != 502 {
		t.Fatalf("kind %s, answeredBy %+v; want unknown-status from nginx, a gateway, 502\n%s", res.Kind, res.AnsweredBy, res.Report)
	}
	for id, want := range map[string]string{
		"verdict-title": "The gateway in front of RMS-Socket (nginx) answered HTTP 502 (Bad Gateway)",
		"verdict-owner": "LSports support",
	} {
		if got := text(t, ctx, id); got != want {
			t.Errorf("#%s %q, want %q", id, got, want)
		}
	}
	if got := text(t, ctx, "verdict-meaning"); !strings.Contains(got, "nothing on your side caused it") {
		t.Errorf("#verdict-meaning %q does not say the customer's side is not the cause", got)
	}
	if eval[bool](t, ctx, `!document.getElementById("handoff-section").hidden`) || res.ITHandoff != nil {
		t.Error("a gateway of LSports's answered, yet the page hands the fix to the customer's IT team")
	}
	if !strings.Contains(res.Report, "Answered by:   the gateway in front of RMS-Socket (nginx), with HTTP 502 (Bad Gateway)") {
		t.Errorf("the report does not say who answered:\n%s", res.Report)
	}
}

// TestProxyRefusal: every request of this browser goes through a proxy
// that denies the target as Squid does (403, its page, no CORS headers)
// and passes the page itself. The browser hides the proxy's answer from
// the page, so the verdict says that something answered without letting
// the page read it, names a proxy or web filter as a cause, gives the fix
// to IT with the hand-off, and never says RMS-Socket refused.
func TestProxyRefusal(t *testing.T) {
	page, _ := url.Parse(pageURL)
	var denied atomic.Int32
	squid := scenario.SquidDenies(page.Host)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Host != page.Host {
			denied.Add(1)
		}
		squid.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	ctx := tab(t, chromedp.WithNewBrowserContext(func(p *target.CreateBrowserContextParams) {
		p.ProxyServer = proxy.URL
		p.ProxyBypassList = "<-loopback>" // loopback too goes through it
	}))
	open(t, ctx, "")
	res := check(t, ctx, targetSim, "12345", "")
	if denied.Load() == 0 {
		t.Fatal("no request for the target reached the proxy: the test proves nothing")
	}
	if res.Kind != "unreachable" || res.Reachability == nil || *res.Reachability != "cors-blocked" {
		t.Fatalf("kind %s, reachability %v; want unreachable, cors-blocked\n%s", res.Kind, str(res.Reachability), res.Report)
	}
	if got := text(t, ctx, "verdict-owner"); got != "Your IT or network team" {
		t.Errorf("#verdict-owner %q, want the IT team", got)
	}
	if got := text(t, ctx, "verdict-meaning"); !strings.Contains(got, "a proxy or web filter answered in its place") {
		t.Errorf("#verdict-meaning %q does not name a proxy as a cause", got)
	}
	if res.ITHandoff == nil || eval[bool](t, ctx, `document.getElementById("handoff-section").hidden`) {
		t.Error("no hand-off for the customer's IT team")
	}
	if shown := eval[string](t, ctx, `document.getElementById("verdict").textContent`); strings.Contains(shown, "RMS-Socket refused") {
		t.Errorf("the verdict says RMS-Socket refused, where a proxy did:\n%s", shown)
	}
}
