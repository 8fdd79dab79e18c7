package diagnosis

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
