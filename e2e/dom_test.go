package e2e

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lsports/defendcheck/internal/httpserve"
)

// renamedPage serves the checker page with one element id renamed in its
// HTML, as a careless edit of web/index.html would.
func renamedPage(t *testing.T, id string) string {
	t.Helper()
	u, err := url.Parse(pageURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(u)
		r.Out.Header.Del("Accept-Encoding") // plain HTML to edit
	}}
	proxy.ModifyResponse = func(res *http.Response) error {
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			return nil
		}
		body, err := io.ReadAll(res.Body)
		if err != nil {
			return err
		}
		body = bytes.Replace(body, []byte(`id="`+id+`"`), []byte(`id="`+id+`-renamed"`), 1)
		res.Body = io.NopCloser(bytes.NewReader(body))
		res.ContentLength = int64(len(body))
		res.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	srv, err := httpserve.Listen("127.0.0.1:0", proxy)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv.URL() + "/"
}

// TestRenamedElementStopsTheCheckerLoudly: a page without one of the ids the
// checker uses says so at start, naming it, instead of failing silently on
// the first check.
func TestRenamedElementStopsTheCheckerLoudly(t *testing.T) {
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(renamedPage(t, "verdict-owner")))
	waitFor(t, ctx, `document.getElementById("loading").textContent.startsWith("The checker could not start")`, 60*time.Second)
	if got := text(t, ctx, "loading"); !strings.Contains(got, "#verdict-owner") {
		t.Errorf("#loading says %q, want it to name #verdict-owner", got)
	}
	if s := eval[string](t, ctx, `document.documentElement.dataset.state`); s != "loading" {
		t.Errorf("state %q on a broken page, want loading (never ready)", s)
	}
}
