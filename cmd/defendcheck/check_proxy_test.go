package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/scenario"
	"github.com/lsports/defendcheck/rmssim"
)

// forwardProxy is an HTTP proxy on loopback that sends every request and
// every CONNECT tunnel to upstream, whatever host was asked for, and
// records what it was asked.
type forwardProxy struct {
	upstream *url.URL
	mu       sync.Mutex
	seen     []string
}

func (p *forwardProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.seen = append(p.seen, r.Method+" "+r.RequestURI)
	p.mu.Unlock()
	if r.Method != http.MethodConnect {
		(&httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(p.upstream) }}).ServeHTTP(w, r)
		return
	}
	scenario.Tunnel(w, p.upstream.Host)
}

func (p *forwardProxy) requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.seen)
}

// TestCheckThroughTheProxy: the polling requests and the WebSocket both go
// through the proxy the environment names, which the command reports
// without its user info. The target's name is never looked up here: only
// the proxy knows it.
func TestCheckThroughTheProxy(t *testing.T) {
	sim := rmssim.New(rmssim.Options{EventInterval: scenario.EventInterval})
	simSrv := httptest.NewServer(sim)
	t.Cleanup(func() {
		_ = sim.Close()
		simSrv.Close()
	})
	upstream, _ := url.Parse(simSrv.URL)
	proxy := &forwardProxy{upstream: upstream}
	proxySrv := httptest.NewServer(proxy)
	defer proxySrv.Close()
	c := testChecker(nil)
	c.proxy = func(r *http.Request) (*url.URL, error) {
		return url.Parse("http://probe:s3cret@" + strings.TrimPrefix(proxySrv.URL, "http://"))
	}
	out := c.try(t, context.Background(), "-target", "http://rms.defendcheck.invalid", "-customer-id", "12345", "-json")
	res := result(t, out)
	if out.code != 0 || res.Kind != diagnosis.KindOK || res.Transport != "websocket" {
		t.Fatalf("want exit status 0, ok over websocket\n%s", out)
	}
	seen := strings.Join(proxy.requests(), "\n")
	for _, want := range []string{"GET http://rms.defendcheck.invalid/rms-socket/socket.io/?", "POST http://rms.defendcheck.invalid/rms-socket/socket.io/?", "CONNECT rms.defendcheck.invalid:80"} {
		if !strings.Contains(seen, want) {
			t.Errorf("the proxy was not asked %q; it saw:\n%s", want, seen)
		}
	}
	if want := "connecting through the proxy " + proxySrv.URL + " "; !strings.Contains(out.stderr, want) || strings.Contains(out.stderr, "s3cret") {
		t.Errorf("stderr does not name the proxy without its user info (%q)\n%s", want, out)
	}
	if res.Proxy != proxySrv.URL || !strings.Contains(res.Report, "Proxy:         "+proxySrv.URL+"\n") || strings.Contains(out.stdout, "s3cret") {
		t.Errorf("the result and report do not name the proxy without its user info: proxy %q\n%s", res.Proxy, res.Report)
	}
}

// TestCheckRefusesABadProxySetting: a proxy setting that is not a URL
// stops the command before it connects, without quoting the setting and
// the password it may hold.
func TestCheckRefusesABadProxySetting(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	c := testChecker(nil)
	c.proxy = func(*http.Request) (*url.URL, error) {
		return nil, errors.New(`invalid proxy address "http://probe:s3cret@proxy corp:3128"`)
	}
	out := c.try(t, context.Background(), "-target", srv.URL, "-customer-id", "12345")
	if out.code != 3 || !strings.Contains(out.stderr, "the proxy setting (HTTPS_PROXY, HTTP_PROXY) is not a usable proxy URL") || strings.Contains(out.stderr, "s3cret") {
		t.Errorf("want exit status 3 and the proxy setting refused without its password\n%s", out)
	}
	if hits.Load() != 0 {
		t.Error("the command connected with a bad proxy setting")
	}
}
