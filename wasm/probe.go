//go:build js && wasm

package main

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/lsports/defendcheck/diagnosis"
)

// probe is check.Config.Probe in the browser: after a request failed with
// no readable answer, it finds out whether anything answered at all. A
// fetch with mode "no-cors" sends no custom header (so no CORS preflight)
// and is never read: it succeeds when a server answered, whatever it
// allows this page to read, and fails when nothing answered. Before that,
// the browser's own reasons: offline, or an https page calling an http
// target (blocked as mixed content before it leaves).
func probe(ctx context.Context, t diagnosis.Target) diagnosis.Probe {
	nav, err := safejs.Global().Get("navigator")
	if err == nil {
		if online, err := nav.Get("onLine"); err == nil {
			if b, err := online.Bool(); err == nil && !b {
				return diagnosis.Probe{Reachability: diagnosis.ReachOffline, Detail: "navigator.onLine is false"}
			}
		}
	}
	if pageProtocol() == "https:" && t.Scheme() == "http" && !loopback(t.Host()) {
		return diagnosis.Probe{Reachability: diagnosis.ReachMixedContent, Detail: "this page is https, the target " + t.Origin + " is http"}
	}
	start := time.Now()
	_, stop, err := fetch(ctx, t.String()+"/?EIO=4&transport=polling", map[string]any{"mode": "no-cors"})
	stop()
	if err != nil {
		detail := "a no-cors request failed too: " + err.Error()
		if ctx.Err() != nil {
			detail = "a no-cors request got no answer within " + time.Since(start).Round(time.Second).String()
		}
		return diagnosis.Probe{Reachability: diagnosis.ReachNetwork, Detail: detail}
	}
	return diagnosis.Probe{Reachability: diagnosis.ReachCORSBlocked, Detail: "a no-cors request (not readable by this page) was answered"}
}

// loopback reports whether host is this computer, which browsers let an
// https page call over http.
func loopback(host string) bool {
	return host == "localhost" || strings.HasSuffix(host, ".localhost") || strings.HasPrefix(host, "127.")
}

func pageProtocol() string {
	loc, err := safejs.Global().Get("location")
	if err != nil {
		return ""
	}
	p, _ := getString(loc, "protocol")
	return p
}

// clockSkew is check.Config.Clock in the browser: a HEAD request to the
// page's own address (same origin, so it works on any static host too)
// and its Date header, against this computer's clock.
func clockSkew(ctx context.Context) (time.Duration, bool) {
	loc, err := safejs.Global().Get("location")
	if err != nil {
		return 0, false
	}
	href, _ := getString(loc, "href")
	sent := time.Now()
	res, stop, err := fetch(ctx, href, map[string]any{"method": "HEAD"})
	stop()
	received := time.Now()
	if err != nil {
		return 0, false
	}
	headers, err := res.Get("headers")
	if err != nil {
		return 0, false
	}
	v, err := headers.Call("get", "Date")
	if err != nil || v.IsNull() {
		return 0, false
	}
	s, _ := v.String()
	date, err := diagnosis.ParseHTTPDate(s)
	if err != nil {
		return 0, false
	}
	var age int
	if v, err := headers.Call("get", "Age"); err == nil && !v.IsNull() {
		s, _ := v.String()
		if age, err = strconv.Atoi(s); err != nil {
			return 0, false
		}
	}
	return diagnosis.ClockSkew(sent, received, date, time.Duration(age)*time.Second)
}
