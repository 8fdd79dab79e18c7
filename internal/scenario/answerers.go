package scenario

import (
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
)

// Error pages as the servers that answer in RMS-Socket's place send them:
// nginx 1.22 when the service behind it is down, and Squid 5.7 denying a
// destination.
const (
	Nginx502Page  = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n"
	SquidDenyPage = `<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01//EN"><html><head><title>ERROR: The requested URL could not be retrieved</title></head><body id=ERR_ACCESS_DENIED>
<div id="titles"><h1>ERROR</h1><h2>The requested URL could not be retrieved</h2></div>
<p>Access control configuration prevents your request from being allowed at this time.</p>
<div id="footer"><p>Generated Thu, 03 Dec 2026 10:00:00 GMT by proxy.corp.example (squid/5.7)</p></div></body></html>`
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
		_, _ = io.WriteString(w, SquidDenyPage)
	})
}

// forward sends a proxy's request (its URL absolute) on to its host.
func forward(w http.ResponseWriter, r *http.Request) {
	to := &url.URL{Scheme: "http", Host: r.URL.Host}
	(&httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(to) }}).ServeHTTP(w, r)
}
