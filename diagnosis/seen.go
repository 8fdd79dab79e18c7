package diagnosis

import (
	"net/netip"
	"time"
)

// SeenFromHeader is the header with which the page's server (the serve
// command) tells the page, on its clock request, the address it saw the
// request come from: what a per-IP limit or an allow-list on the way to
// RMS-Socket sees of this network, as far as that server can tell.
const SeenFromHeader = "X-Defendcheck-Seen-From"

// PageServer is what a request to the page's own server read: this
// computer's clock against the server's, and the address the server saw.
type PageServer struct {
	Skew      time.Duration
	SkewKnown bool
	// SeenFrom is the address the server said it saw, as SeenFrom reads
	// its header; "" when it said none (a static host says none).
	SeenFrom string
}

// SeenFrom reads a SeenFromHeader value: an IP address, nothing else
// (whatever else a header holds is not shown); "" for none.
func SeenFrom(header string) string {
	addr, err := netip.ParseAddr(header)
	if err != nil {
		return ""
	}
	return addr.Unmap().String()
}

// SeenFromText is what a reader is told of Result.SeenFrom: the address,
// or why it is not known; "" when the check did not ask (the native
// command has no page server).
func SeenFromText(r *Result) string {
	switch {
	case r.SeenFrom == nil:
		return ""
	case *r.SeenFrom == "":
		return "not known: this page's server did not say (a static copy of the page has no server that could)"
	}
	return *r.SeenFrom + " (the address this page's server saw this computer connect from)"
}
