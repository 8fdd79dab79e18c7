package native_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lsports/defendcheck/transport"
	"github.com/lsports/defendcheck/transport/native"
)

// TestFetchRedactsTheProxyCredentials: a proxy that echoes the
// Proxy-Authorization it was sent, decoded too, and the password, gets
// none of them into the answer.
func TestFetchRedactsTheProxyCredentials(t *testing.T) {
	const user, pass = "proxyuser", "s3cret-pw"
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Proxy-Authorization")
		w.WriteHeader(http.StatusProxyAuthRequired)
		_, _ = io.WriteString(w, "denied: "+auth+" is "+user+":"+pass+"; the password "+pass)
	}))
	defer proxy.Close()
	proxyURL, err := url.Parse(proxy.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxyURL.User = url.UserPassword(user, pass)
	client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxyURL)}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := native.Fetcher{Client: client}.Fetch(ctx, transport.Request{Method: "GET", URL: "http://target.invalid/socket.io/", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != http.StatusProxyAuthRequired || !strings.HasPrefix(res.Body, "denied: Basic ") {
		t.Fatalf("got %d %q, want the proxy's 407", res.Status, res.Body)
	}
	for _, secret := range []string{pass, "cHJveHl1c2VyOnMzY3JldC1wdw", user + ":"} {
		if strings.Contains(res.Body, secret) {
			t.Errorf("the body keeps %q: %q", secret, res.Body)
		}
	}
}
