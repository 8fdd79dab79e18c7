package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestCheckFollowsNoRedirect: a target that answers with a 307 to another
// port does not get the token sent there; the report names the redirect
// and where it pointed.
func TestCheckFollowsNoRedirect(t *testing.T) {
	var reached atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Add(1) }))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	c := testChecker(map[string]string{tokenEnv: "eyJhbGciOi.never-sent-there.sig"})
	start := time.Now()
	out := c.try(t, context.Background(), "-target", srv.URL+"/socket.io", "-customer-id", "12345")
	t.Logf("ended in %s, exit status %d", time.Since(start), out.code)
	if n := reached.Load(); n != 0 {
		t.Errorf("%d requests followed the redirect to the other port", n)
	}
	for _, want := range []string{"HTTP 307", `a redirect to "` + other.URL + `/socket.io/`, "not followed"} {
		if !strings.Contains(out.stdout, want) {
			t.Errorf("the report does not say %q\n%s", want, out)
		}
	}
	if strings.Contains(out.stdout+out.stderr, "never-sent-there") {
		t.Errorf("the output holds the token\n%s", out)
	}
}
