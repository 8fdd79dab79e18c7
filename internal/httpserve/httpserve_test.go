package httpserve_test

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lsports/defendcheck/internal/httpserve"
)

func TestListenServesUntilClose(t *testing.T) {
	srv, err := httpserve.Listen("127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "served "+r.URL.Path)
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(srv.URL(), "http://127.0.0.1:") || strings.HasSuffix(srv.URL(), ":0") {
		t.Fatalf("URL() = %q, want http://127.0.0.1:PORT with the port it took", srv.URL())
	}
	res, err := http.Get(srv.URL() + "/x")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(body) != "served /x" {
		t.Errorf("GET /x = %d %q, want 200 \"served /x\"", res.StatusCode, body)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if c, err := net.DialTimeout("tcp", strings.TrimPrefix(srv.URL(), "http://"), 5*time.Second); err == nil {
		c.Close()
		t.Error("the port still accepts connections after Close")
	}
}

// TestCloseEndsARequestThatDoesNotFinish: Close gives an open request a
// second, then closes its connection, so that a stuck handler cannot hold
// a shutdown.
func TestCloseEndsARequestThatDoesNotFinish(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	srv, err := httpserve.Listen("127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
	}))
	if err != nil {
		t.Fatal(err)
	}
	failed := make(chan error, 1)
	go func() {
		res, err := http.Get(srv.URL() + "/")
		if err == nil {
			res.Body.Close()
		}
		failed <- err
	}()
	<-started
	closed := make(chan error, 1)
	go func() { closed <- srv.Close() }()
	select {
	case <-closed:
	case <-time.After(time.Minute):
		t.Fatal("Close did not return within a minute with a request open")
	}
	if err := <-failed; err == nil {
		t.Error("the open request got a response, want its connection closed")
	}
}

func TestListenRefusesABadAddress(t *testing.T) {
	for _, addr := range []string{"not an address", "127.0.0.1:99999"} {
		if srv, err := httpserve.Listen(addr, http.NotFoundHandler()); err == nil {
			srv.Close()
			t.Errorf("Listen(%q) succeeded", addr)
		}
	}
}
