package diagnosis

import (
	"strconv"
	"strings"
)

// Answerer is what answered a request of the check in RMS-Socket's place:
// a gateway in front of RMS-Socket at the target's host (such as nginx or
// a CDN: LSports's to fix), or a proxy of this computer's network (its IT
// team's), as far as its answer names it.
type Answerer struct {
	Name   string `json:"name"`   // the product its answer names: "nginx", "Squid"; "" when none is known
	Proxy  bool   `json:"proxy"`  // a proxy of this computer's network, not a gateway at the target
	Status int    `json:"status"` // the HTTP status it answered with; 0 for a page of its own with 200
}

// product is a kind of server that answers in RMS-Socket's place, and the
// words (lower-cased) that its own answers carry: its error pages'
// signatures, and headers only it sends with them (X-Squid-Error). Not
// Server or Via: those come with every answer passed through it,
// RMS-Socket's own too.
type product struct {
	name    string
	proxy   bool
	markers []string
}

// products are the servers NameAnswer knows: forward proxies and web
// filters first, since a proxy's page may quote the gateway it could not
// reach, then the gateways and web servers found in front of services.
var products = []product{
	{"Squid", true, []string{"squid/", "x-squid-error", "(squid)", "squid-cache.org"}},
	{"Zscaler", true, []string{"zscaler"}},
	{"Blue Coat", true, []string{"bluecoat", "blue coat"}},
	{"Fortinet FortiGate", true, []string{"fortigate", "fortiguard"}},
	{"Palo Alto Networks", true, []string{"palo alto networks"}},
	{"Sophos", true, []string{"sophos"}},
	{"Forcepoint", true, []string{"forcepoint", "websense"}},
	{"Skyhigh Web Gateway", true, []string{"mcafee web gateway", "skyhigh"}},
	{"Cloudflare", false, []string{"cloudflare"}},
	{"OpenResty", false, []string{"openresty"}},
	{"nginx", false, []string{"<center>nginx", "nginx/", "welcome to nginx"}},
	{"HAProxy", false, []string{"haproxy", "no server is available to handle this request"}},
	{"Envoy", false, []string{"envoy", "upstream connect error or disconnect/reset before headers"}},
	{"AWS Elastic Load Balancing", false, []string{"awselb"}},
	{"Varnish", false, []string{"varnish"}},
	{"Apache", false, []string{"<address>apache"}},
}

// maxNamedBytes is how much of an answer NameAnswer reads: error pages
// sign themselves near their start or end, and the start is enough here.
const maxNamedBytes = 8 << 10

// NameAnswer names what answered status (0 for a page of its own with
// 200) with body, from the body and from headers ("Name: value" lines of
// those a generated answer carries, as far as the transport could read
// them: "" in a browser, which hides them from a page of another origin).
// With nothing known named, the Answerer has only the status.
func NameAnswer(status int, body, headers string) Answerer {
	if len(body) > maxNamedBytes {
		body = body[:maxNamedBytes]
	}
	text := strings.ToLower(headers + "\n" + body)
	for _, p := range products {
		for _, m := range p.markers {
			if strings.Contains(text, m) {
				return Answerer{Name: p.name, Proxy: p.proxy, Status: status}
			}
		}
	}
	return Answerer{Status: status}
}

// Known reports whether a is named, or is this computer's proxy.
func (a *Answerer) Known() bool { return a != nil && (a.Name != "" || a.Proxy) }

// Who names a for a reader, in a sentence's middle: "your network's proxy
// (Squid)", "your network's proxy", "the gateway in front of RMS-Socket
// (nginx)".
func (a *Answerer) Who() string {
	who := "the gateway in front of RMS-Socket"
	if a.Proxy {
		who = "your network's proxy"
	}
	if a.Name != "" {
		who += " (" + a.Name + ")"
	}
	return who
}

// Said is what a answered, in words: "HTTP 502 (Bad Gateway)", or "a page
// of its own" for a 200.
func (a *Answerer) Said() string {
	if a.Status == 0 || a.Status == 200 {
		return "a page of its own"
	}
	s := "HTTP " + strconv.Itoa(a.Status)
	if t := statusTexts[a.Status]; t != "" {
		s += " (" + t + ")"
	}
	return s
}

// statusTexts are the reason phrases of the statuses a gateway or proxy
// answers in RMS-Socket's place (net/http has them all, but this package
// does not import it).
var statusTexts = map[int]string{
	400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
	405: "Method Not Allowed", 407: "Proxy Authentication Required", 408: "Request Timeout",
	413: "Content Too Large", 429: "Too Many Requests", 500: "Internal Server Error",
	502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
}
