//go:build js && wasm

package browser

import (
	"context"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/lsports/defendcheck/internal/jsutil"

	"github.com/lsports/defendcheck/diagnosis"
)

// Probe is check.Config.Probe in the browser: after a request failed with
// no readable answer, it asks the browser whether it blocks the target
// itself and, if not, sends the no-cors request diagnosis.NoCORSProbe
// judges.
func Probe(ctx context.Context, t diagnosis.Target) diagnosis.Probe {
	online := true
	if nav, err := safejs.Global().Get("navigator"); err == nil {
		if v, err := nav.Get("onLine"); err == nil {
			if b, err := v.Bool(); err == nil {
				online = b
			}
		}
	}
	if p, blocked := diagnosis.BrowserBlocked(online, location("protocol"), t); blocked {
		return p
	}
	start := time.Now()
	_, stop, err := fetch(ctx, t.String()+"/?EIO=4&transport=polling", map[string]any{"mode": "no-cors"})
	stop()
	return diagnosis.NoCORSProbe(err, ctx.Err() != nil, time.Since(start))
}

// location is a property of the page's location: "protocol", "href".
func location(prop string) string {
	loc, err := safejs.Global().Get("location")
	if err != nil {
		return ""
	}
	s, _ := jsutil.String(loc, prop)
	return s
}

// Clock is check.Config.Clock in the browser: a HEAD request to the
// page's own address (same origin, so it works on any static host too):
// its Date and Age headers against this computer's clock, and the address
// the page's server saw (diagnosis.SeenFromHeader; a static host sends
// none).
func Clock(ctx context.Context) diagnosis.PageServer {
	sent := time.Now()
	res, stop, err := fetch(ctx, location("href"), map[string]any{"method": "HEAD"})
	stop()
	received := time.Now()
	if err != nil {
		return diagnosis.PageServer{}
	}
	headers, err := res.Get("headers")
	if err != nil {
		return diagnosis.PageServer{}
	}
	header := func(name string) string {
		v, err := headers.Call("get", name)
		if err != nil || v.IsNull() {
			return ""
		}
		s, _ := v.String()
		return s
	}
	skew, ok := diagnosis.ClockSkewFromHeaders(sent, received, header("Date"), header("Age"))
	return diagnosis.PageServer{Skew: skew, SkewKnown: ok, SeenFrom: diagnosis.SeenFrom(header(diagnosis.SeenFromHeader))}
}
