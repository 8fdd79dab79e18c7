package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBlockedCheckerSaysSo: a security gateway that answers the page's
// .wasm with a 403 and its own page, or with a page served as 200, leaves
// a plain verdict, a report with what the wasm request got, what IT must
// allow, and a result of kind checker-blocked, with data-state done.
func TestBlockedCheckerSaysSo(t *testing.T) {
	for _, tc := range []struct {
		name, got string
		status    int
	}{{"403 page", "HTTP 403, text/html", 403}, {"web page as 200", "HTTP 200, text/html", 200}} {
		t.Run(tc.name, func(t *testing.T) {
			gateway := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, ".wasm") {
					w.Header().Set("Content-Type", "text/html; charset=utf-8")
					w.WriteHeader(tc.status)
					_, _ = w.Write([]byte("<html><title>Blocked by SecureGate</title>file type not allowed</html>"))
					return
				}
				pageHandler.ServeHTTP(w, r)
			})
			ctx := tab(t)
			do(t, ctx, chromedp.Navigate(serve(t, gateway)+"/?customerid=12345"))
			waitState(t, ctx, "done")
			res := published(t, ctx)
			if res.Kind != "checker-blocked" || res.Verdict != "error" || res.CustomerID != "12345" {
				t.Errorf("result %s %s for %q, want error checker-blocked for 12345", res.Verdict, res.Kind, res.CustomerID)
			}
			report := text(t, ctx, "blocked-report")
			for _, want := range []string{"Answer:        " + tc.got, "Blocked by SecureGate", ".wasm", "Timestamp:     20", "Customer ID:   12345"} {
				if !strings.Contains(report, want) || !strings.Contains(res.Report, want) {
					t.Errorf("the report lacks %q:\n%s", want, report)
				}
			}
			if it := text(t, ctx, "blocked-it"); !strings.Contains(it, "127.0.0.1:") || !strings.Contains(it, "application/wasm") {
				t.Errorf("the IT line %q does not name the host and application/wasm", it)
			}
			if got := eval[string](t, ctx, `document.activeElement.id`); got != "blocked-title" {
				t.Errorf("focus on #%s, want the verdict's heading", got)
			}
			if !eval[bool](t, ctx, `document.getElementById("check").disabled`) {
				t.Error("Check stays enabled, though nothing can check")
			}
			if eval[bool](t, ctx, `!document.getElementById("loading").hidden`) {
				t.Error("the loading message is still shown")
			}
			screenshot(t, ctx, "blocked-"+strings.ReplaceAll(tc.name, " ", "-"))
		})
	}
}
