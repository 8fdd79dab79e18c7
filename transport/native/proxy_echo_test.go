package native_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lsports/defendcheck/diagnosis"
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

// TestProbeRedactsTheProxyCredentials: a proxy whose refusal of CONNECT
// echoes the credentials in its status line gets none into the detail.
func TestProbeRedactsTheProxyCredentials(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				req, err := http.ReadRequest(bufio.NewReader(c))
				if err != nil {
					return
				}
				fmt.Fprintf(c, "HTTP/1.1 407 denied %s (proxyuser:s3cret-pw)\r\nContent-Length: 0\r\n\r\n", req.Header.Get("Proxy-Authorization"))
			}()
		}
	}()
	proxyURL := &url.URL{Scheme: "http", Host: ln.Addr().String(), User: url.UserPassword("proxyuser", "s3cret-pw")}
	got := probe(t, native.Prober{Proxy: http.ProxyURL(proxyURL)}, "https://target.invalid")
	want(t, got, diagnosis.ReachRefused, "http://"+ln.Addr().String(), "it refused the tunnel", "407 denied Basic [redacted]")
	for _, secret := range []string{"s3cret-pw", "cHJveHl1c2VyOnMzY3JldC1wdw", "proxyuser:"} {
		if strings.Contains(got.Detail, secret) {
			t.Errorf("the detail keeps %q: %q", secret, got.Detail)
		}
	}
}

// TestDialRedactsTheProxyCredentials: a proxy that refuses a WebSocket's
// CONNECT with a status line echoing the credentials it was sent gets none
// of them into the dial's error.
func TestDialRedactsTheProxyCredentials(t *testing.T) {
	const user, pass = "proxyuser", "s3cret-pw"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		req, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil {
			return
		}
		fmt.Fprintf(c, "HTTP/1.1 403 denied %s (%s:%s)\r\nContent-Length: 0\r\n\r\n", req.Header.Get("Proxy-Authorization"), user, pass)
	}()
	proxyURL := &url.URL{Scheme: "http", Host: ln.Addr().String(), User: url.UserPassword(user, pass)}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = native.Dialer{Proxy: http.ProxyURL(proxyURL)}.Dial(ctx, "ws://target.invalid/socket.io/?EIO=4&transport=websocket",
		func(string) {}, func(transport.CloseEvent) {})
	if err == nil {
		t.Fatal("the dial through a refusing proxy succeeded")
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	for _, secret := range []string{pass, basic[len("Basic "):]} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("the dial's error keeps %q: %v", secret, err)
		}
	}
}
