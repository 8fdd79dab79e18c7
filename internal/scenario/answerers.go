package scenario

import (
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"

	"github.com/lsports/defendcheck/internal/pages"
)

// SquidDenies is a forward proxy that denies every request and every
// CONNECT tunnel as Squid does (403, its page and X-Squid-Error), except
// requests for the hosts in pass, which it sends on to them (a browser's
// page, when the browser's every request goes through it).
func SquidDenies(pass ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, host := range pass {
			if r.Method != http.MethodConnect && r.URL.Host == host {
				forward(w, r)
				return
			}
		}
		w.Header().Set("Server", "squid/5.7")
		w.Header().Set("X-Squid-Error", "ERR_ACCESS_DENIED 0")
		w.Header().Set("Content-Type", "text/html;charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, pages.SquidDeny)
	})
}

// forward sends a proxy's request (its URL absolute) on to its host.
func forward(w http.ResponseWriter, r *http.Request) {
	to := &url.URL{Scheme: "http", Host: r.URL.Host}
	(&httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(to) }}).ServeHTTP(w, r)
}
