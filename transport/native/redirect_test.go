package native_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lsports/defendcheck/transport"
	"github.com/lsports/defendcheck/transport/native"
)

// redirecting is a server that answers every request with a 307 to
// elsewhere, another origin that counts the requests that reach it.
func redirecting(t *testing.T) (from string, to string, reached *atomic.Int32) {
	t.Helper()
	reached = new(atomic.Int32)
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Add(1) }))
	t.Cleanup(other.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, other.URL, reached
}

// TestFetchFollowsNoRedirect: a 307 to another port is the answer, its
// body naming where it pointed, and nothing (no Authorization) goes there,
// whatever the client's own CheckRedirect.
func TestFetchFollowsNoRedirect(t *testing.T) {
	from, to, reached := redirecting(t)
	follows := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
	for _, f := range []native.Fetcher{{}, {Client: follows}} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		res, err := f.Fetch(ctx, transport.Request{Method: "GET", URL: from + "/socket.io/?EIO=4", Limit: 1000,
			Header: map[string]string{"Authorization": "Bearer eyJ.secret.sig"}})
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		want := `a redirect to "` + to + `/socket.io/?EIO=4", not followed`
		if res.Status != http.StatusTemporaryRedirect || !strings.HasPrefix(res.Body, want) {
			t.Errorf("got %d %q, want 307 and a body that starts %q", res.Status, res.Body, want)
		}
	}
	if n := reached.Load(); n != 0 {
		t.Errorf("%d requests followed the redirect to the other port", n)
	}
}

// TestDialFollowsNoRedirect: a WebSocket upgrade answered with a 307 fails
// as a close 1006 that names the status and where it pointed; nothing goes
// there.
func TestDialFollowsNoRedirect(t *testing.T) {
	from, to, reached := redirecting(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := native.Dialer{Proxy: noProxy}.Dial(ctx, "ws"+strings.TrimPrefix(from, "http")+"/socket.io/", func(string) {}, func(transport.CloseEvent) {})
	var ce *transport.CloseEvent
	if !errors.As(err, &ce) || ce.Code != 1006 {
		t.Fatalf("err %v, want a close 1006", err)
	}
	for _, w := range []string{"HTTP 307", `a redirect to "` + to + `/socket.io/", not followed`} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("err %q does not say %q", err, w)
		}
	}
	if n := reached.Load(); n != 0 {
		t.Errorf("%d requests followed the redirect to the other port", n)
	}
}
