package e2e

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/lsports/defendcheck"
)

// portalPage stands for the support portal: it frames the URL given as
// ?frame=, and keeps every message it receives in window.messages, with
// its origin and whether it came from the frame or from the window it
// opened last (window.popup).
const portalPage = `<!doctype html>
<title>Support portal</title>
<script>
window.messages = [];
window.frameLoads = 0;
window.popup = null;
addEventListener("message", (e) => messages.push({
  origin: e.origin,
  from: e.source === document.getElementById("checker").contentWindow ? "frame" : e.source === popup ? "popup" : "elsewhere",
  data: e.data,
}));
</script>
<iframe id="checker" title="Connection check" width="900" height="700"></iframe>
<script>
const frame = document.getElementById("checker");
frame.addEventListener("load", () => frameLoads++);
const src = new URLSearchParams(location.search).get("frame");
if (src) frame.src = src;
</script>
`

// portalMessage is one message the portal received.
type portalMessage struct {
	Origin string `json:"origin"`
	From   string `json:"from"` // frame, popup or elsewhere
	Data   struct {
		Type   string `json:"type"`
		Result result `json:"result"`
	} `json:"data"`
}

// wantMessage waits for the portal's first message and fails the test
// unless it received exactly one, a defendcheck:result from the page at
// origin, in its frame or its popup (from), with inPage, the result the
// page published.
func wantMessage(t *testing.T, ctx context.Context, origin, from string, inPage result) {
	t.Helper()
	waitFor(t, ctx, `messages.length > 0`, 10*time.Second)
	msgs := eval[[]portalMessage](t, ctx, `messages`)
	if len(msgs) != 1 {
		t.Errorf("the portal received %d messages, want 1: %+v", len(msgs), msgs)
	}
	m := msgs[0]
	if m.Origin != origin || m.From != from || m.Data.Type != "defendcheck:result" {
		t.Errorf("message from %q (%s), type %q; want from %q (%s), defendcheck:result", m.Origin, m.From, m.Data.Type, origin, from)
	}
	if r := m.Data.Result; r.Kind != inPage.Kind || r.CustomerID != inPage.CustomerID || r.RunID != inPage.RunID || r.Report != inPage.Report {
		t.Errorf("the message's result is %s for %q, run %q; want the page's: %s for %q, run %q",
			r.Kind, r.CustomerID, r.RunID, inPage.Kind, inPage.CustomerID, inPage.RunID)
	}
}

// popup has the portal open u in a new window, as a link or a button of
// the portal would, and returns a context in that window.
func popup(t *testing.T, ctx context.Context, u string) context.Context {
	t.Helper()
	opened := chromedp.WaitNewTarget(ctx, func(info *target.Info) bool { return strings.HasPrefix(info.URL, u) })
	eval[bool](t, ctx, `(window.popup = window.open(`+jsString(u)+`)) !== null`)
	select {
	case id := <-opened:
		// chromedp may log, harmlessly, "received DOM.documentUpdated when
		// there's no top-level frame": an event of the new window that comes
		// before its frame tree.
		popupCtx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(id))
		t.Cleanup(cancel)
		return popupCtx
	case <-ctx.Done():
		t.Fatalf("no window opened for %s", u)
		return nil
	}
}

// TestEmbedded: a portal on an allowed origin frames the page, a check runs
// in the frame, and the portal receives its result; a portal on another
// origin cannot frame the page at all. Each portal is its own server on
// 127.0.0.1:0, another origin than the page's.
func TestEmbedded(t *testing.T) {
	t.Parallel()
	portalHandler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(portalPage))
	})
	portal, other := serve(t, portalHandler), serve(t, portalHandler)
	cfg := servedBuild(t)
	// The portal, and an origin that is not the portal's: what the page
	// posts to that one, the browser does not deliver to the portal.
	cfg.EmbedOrigins = []string{"https://portal.example", portal}
	h, err := defendcheck.NewHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("framed by an allowed origin", func(t *testing.T) { framedByAllowedOrigin(t, h, portal) })
	t.Run("framed by another origin", func(t *testing.T) { framedByAnotherOrigin(t, h, other) })
	t.Run("opened by an allowed origin", func(t *testing.T) { openedByAllowedOrigin(t, h, portal) })
}

// framedByAllowedOrigin: the portal at portal frames the page h serves, a
// check runs in the frame, and the portal receives its result.
func framedByAllowedOrigin(t *testing.T, h http.Handler, portal string) {
	checker := serve(t, h)
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(portal+"/?frame="+url.QueryEscape(checker+"/")))
	waitFor(t, ctx, `frameLoads > 0`, 100*time.Second)
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS("#checker")))
	if err != nil {
		t.Fatal(err)
	}
	frame := nodes[0]
	inFrame := func(expr string) chromedp.Action[result] {
		return chromedp.Poll[result](expr, chromedp.WithPollingInFrame(frame),
			chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(100*time.Second))
	}
	if _, err := chromedp.Run(ctx, inFrame(`document.documentElement.dataset.state === "ready" && {}`)); err != nil {
		t.Fatalf("the framed page is not ready: %v", err)
	}
	do(t, ctx,
		chromedp.SendKeys(chromedp.CSS("#customer-id"), "12345", chromedp.FromNode(frame)),
		chromedp.Click(chromedp.CSS("#check"), chromedp.FromNode(frame)))
	inPage, err := chromedp.Run(ctx, inFrame(`document.documentElement.dataset.state === "done" && window.defendcheck.result`))
	if err != nil {
		t.Fatalf("the check in the frame did not end: %v", err)
	}
	wantMessage(t, ctx, checker, "frame", inPage)
}

// framedByAnotherOrigin: a portal at other, an origin h does not allow,
// cannot frame the page, and receives nothing.
func framedByAnotherOrigin(t *testing.T, h http.Handler, other string) {
	var log requestLog
	checker := serve(t, log.wrap(h))
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(other+"/?frame="+url.QueryEscape(checker+"/")))
	waitFor(t, ctx, `frameLoads > 0`, 100*time.Second)
	// The browser fetched the page and would not show it
	// (frame-ancestors): it asked for nothing the page refers to, and
	// the frame holds an error page in its stead.
	if paths := log.get(); !slices.Equal(paths, []string{"/"}) {
		t.Errorf("the framed page's server was asked for %q, want only /", paths)
	}
	res, err := chromedp.Call(ctx, page.GetFrameTree, cdp.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	tree := res.FrameTree
	if len(tree.ChildFrames) != 1 || tree.ChildFrames[0].Frame.UnreachableURL != checker+"/" {
		var frames []string
		for _, c := range tree.ChildFrames {
			frames = append(frames, c.Frame.URL+" (unreachable: "+c.Frame.UnreachableURL+")")
		}
		t.Errorf("the portal's frames are %q, want one that could not load %s", frames, checker+"/")
	}
	if n := eval[int](t, ctx, `messages.length`); n != 0 {
		t.Errorf("the portal received %d messages", n)
	}
}

// openedByAllowedOrigin: the portal at portal opens the suite's page, which
// allows no origin, and runs a check there; then the page h serves, and
// runs one: it receives the second result only.
func openedByAllowedOrigin(t *testing.T, h http.Handler, portal string) {
	checker := serve(t, h)
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(portal+"/"))
	unlisted := popup(t, ctx, pageURL)
	waitState(t, unlisted, "ready")
	check(t, unlisted, targetSim, "402", "")
	listed := popup(t, ctx, checker+"/")
	waitState(t, listed, "ready")
	wantMessage(t, ctx, checker, "popup", check(t, listed, targetSim, "402", ""))
}
