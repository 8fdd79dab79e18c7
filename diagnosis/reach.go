package diagnosis

// Reachability says whether anything answered at the target, as far as the
// place the check ran from can tell. A browser hides why a request failed
// (CORS, DNS, refused and TLS all read "Failed to fetch"); a second request
// it lets through without reading (fetch with mode "no-cors") tells a
// server that answered without CORS permission from nothing answering. A
// native check can tell more, and uses the last four values.
type Reachability string

// The reachabilities. Result.Reachability is nil when no request was made.
const (
	ReachOK           Reachability = "ok"            // an answer was read
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
