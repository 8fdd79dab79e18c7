package native

import (
	"errors"
	"net"
	"net/http"
	"net/url"

	"github.com/lsports/defendcheck/diagnosis"
)

// errProxySetting is ProxyFor's error. It never quotes the setting: that
// may hold the proxy's password.
var errProxySetting = errors.New("the proxy setting (HTTPS_PROXY, HTTP_PROXY) is not a usable proxy URL")

// ProxyFor is the one rule for the proxy of a target: the proxy that
// choose (nil: http.ProxyFromEnvironment, which reads HTTPS_PROXY,
// HTTP_PROXY and NO_PROXY) picks for t's URL, as the Fetcher's client and
// the Dialer ask it for each request; nil for none.
func ProxyFor(choose func(*http.Request) (*url.URL, error), t diagnosis.Target) (*url.URL, error) {
	if choose == nil {
		choose = http.ProxyFromEnvironment
	}
	u, err := url.Parse(t.String())
	if err != nil {
		return nil, err
	}
	proxy, err := choose(&http.Request{Method: http.MethodGet, URL: u, Header: http.Header{}})
	if err != nil {
		return nil, errProxySetting
	}
	return proxy, nil
}

// ShownProxy is proxy as it is reported: without its user info.
func ShownProxy(proxy *url.URL) string {
	shown := *proxy
	shown.User = nil
	return shown.String()
}

// proxyHostPort is the proxy's host and port: a proxy URL that names no port
// has its scheme's default, as net/http dials it (socks5 too).
func proxyHostPort(proxy *url.URL) string {
	port := proxy.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443", "socks5": "1080", "socks5h": "1080"}[proxy.Scheme]
	}
	return net.JoinHostPort(proxy.Hostname(), port)
}

// minProxyPassword is the shortest proxy password redacted on its own
// (user:password and its base64 always are): a shorter one is too likely
// an ordinary word of the text.
const minProxyPassword = 4

// redactProxy redacts from s the credentials of proxy, as a proxy may echo
// them: user:password in every form diagnosis.Redact knows (its base64 is
// what Proxy-Authorization: Basic sends), and the password.
func redactProxy(s string, proxy *url.URL) string {
	if proxy == nil || proxy.User == nil {
		return s
	}
	pass, _ := proxy.User.Password()
	s = diagnosis.Redact(s, proxy.User.Username()+":"+pass)
	if len(pass) >= minProxyPassword {
		s = diagnosis.Redact(s, pass)
	}
	return s
}

// requestProxy is the proxy client sends req through, nil for none or a
// transport that is not an *http.Transport.
func requestProxy(client http.Client, req *http.Request) *url.URL {
	tr, _ := client.Transport.(*http.Transport)
	if client.Transport == nil {
		tr = http.DefaultTransport.(*http.Transport)
	}
	if tr == nil || tr.Proxy == nil {
		return nil
	}
	proxy, _ := tr.Proxy(req)
	return proxy
}
