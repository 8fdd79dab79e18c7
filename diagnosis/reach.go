package diagnosis

import (
	"strings"
	"time"
)

// Reachability says whether anything answered at the target, as far as the
// place the check ran from can tell. A browser hides why a request failed
// (CORS, DNS, refused and TLS all read "Failed to fetch"); a second request
// it lets through without reading (fetch with mode "no-cors") tells a
// server that answered without CORS permission from nothing answering. A
// native check can tell more, and uses the last four values.
type Reachability string

// The reachabilities. Result.Reachability is nil when no request was made,
// or when none was answered and the check had no probe.
const (
	ReachOK           Reachability = "ok"            // an answer was read, or (a probe) a connection made
	ReachCORSBlocked  Reachability = "cors-blocked"  // something answered, but not for this page
	ReachNetwork      Reachability = "network"       // nothing answered (browser: the cause is hidden)
	ReachMixedContent Reachability = "mixed-content" // an https page may not call an http target
	ReachOffline      Reachability = "offline"       // the browser says it has no network
	ReachDNS          Reachability = "dns"           // native: the host name does not resolve
	ReachRefused      Reachability = "refused"       // native: the port refused the connection
	ReachTLS          Reachability = "tls"           // native: the TLS handshake failed
	ReachTimeout      Reachability = "timeout"       // native: no answer in time
)

// Probe is what a reachability probe found: the reachability, its detail
// in the probe's own words (an error text, cleaned), and the proxy the
// request went through ("" for none or unknown).
type Probe struct {
	Reachability Reachability
	Detail       string
	Proxy        string
	// AnsweredBy is the proxy, when it answered the probe and refused
	// to go on to the target (nil otherwise).
	AnsweredBy *Answerer
}

// Text is what the reachability means, in plain words.
func (r Reachability) Text() string {
	switch r {
	case ReachOK:
		return "reachable: something at that host and port accepted a connection or answered"
	case ReachCORSBlocked:
		return "something answered, but did not allow this page to read the answer (CORS): a proxy's or web filter's block page, a wrong address, or RMS-Socket not allowing this page's origin"
	case ReachNetwork:
		return "nothing answered: the host name does not resolve, the connection is refused, dropped or timed out, or a TLS-inspecting proxy broke it (a browser cannot tell which)"
	case ReachMixedContent:
		return "this page was opened over https and the target is http: the browser blocks such requests before they leave"
	case ReachOffline:
		return "the browser reports that this computer is offline"
	case ReachDNS:
		return "the host name does not resolve (DNS)"
	case ReachRefused:
		return "the connection was refused: nothing listens on that port, or a firewall rejects it"
	case ReachTLS:
		return "the TLS handshake failed: an untrusted certificate, often a TLS-inspecting proxy's, or a wrong port"
	case ReachTimeout:
		return "no answer in time: a firewall that drops the traffic, or a proxy that holds it"
	}
	return string(r)
}

// ReachText is what the result's reachability means, in plain words,
// with who answered where the check knows it: a proxy's or a gateway's
// answer is not "something at that host and port"; "" when there is no
// reachability.
func ReachText(r *Result) string {
	switch {
	case r.Reachability == nil:
		return ""
	case r.AnsweredBy.Known() && r.AnsweredBy.Proxy:
		return "answered by " + r.AnsweredBy.Who() + ", which did not pass the request on: the target itself was not reached"
	case r.AnsweredBy.Known() && *r.Reachability == ReachOK:
		return "answered by " + r.AnsweredBy.Who() + ", at the target's host"
	case *r.Reachability == ReachOK && r.Proxy != "":
		return "reachable through the proxy " + r.Proxy + ": an answer came back through it, or it accepted the connection (the probe's detail says how far it got)"
	}
	return r.Reachability.Text()
}

// BrowserBlocked is the browser's own reason not to send a request to t,
// from a page whose location.protocol is pageProtocol: it is offline, or
// the page is https and the target http and not this computer (mixed
// content, blocked before it leaves). ok is false when nothing blocks it.
func BrowserBlocked(online bool, pageProtocol string, t Target) (p Probe, ok bool) {
	if !online {
		return Probe{Reachability: ReachOffline, Detail: "navigator.onLine is false"}, true
	}
	if pageProtocol == "https:" && t.Scheme() == "http" && !loopback(t.Host()) {
		return Probe{Reachability: ReachMixedContent, Detail: "this page is https, the target " + t.Origin + " is http"}, true
	}
	return Probe{}, false
}

// loopback reports whether host is this computer, which browsers let an
// https page call over http.
func loopback(host string) bool {
	return host == "localhost" || strings.HasSuffix(host, ".localhost") || strings.HasPrefix(host, "127.")
}

// NoCORSProbe judges the page's probe: a fetch with mode "no-cors" sends
// no custom header (so no CORS preflight) and is never read, so it
// succeeds when a server answered, whatever it allows the page to read,
// and fails when nothing did. err is the fetch's (nil: answered); with
// timedOut, it got no answer within waited.
func NoCORSProbe(err error, timedOut bool, waited time.Duration) Probe {
	switch {
	case timedOut:
		return Probe{Reachability: ReachNetwork, Detail: "a no-cors request got no answer within " + waited.Round(time.Second).String()}
	case err != nil:
		return Probe{Reachability: ReachNetwork, Detail: "a no-cors request failed too: " + err.Error()}
	}
	return Probe{Reachability: ReachCORSBlocked, Detail: "a no-cors request (not readable by this page) was answered"}
}
