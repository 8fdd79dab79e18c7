package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/lsports/defendcheck"
	"github.com/lsports/defendcheck/rmssim"
)

// benchMarks records, in both pages alike, when <html data-state> changes
// and when #check is clicked, in performance.now() time (ms since the
// navigation started).
const benchMarks = `
window.__marks = [];
new MutationObserver(() => {
  const s = document.documentElement && document.documentElement.dataset.state;
  if (s) window.__marks.push([s, performance.now()]);
}).observe(document, {attributes: true, subtree: true, attributeFilter: ["data-state"]});
document.addEventListener("click", (e) => {
  if (e.target && e.target.id === "check") window.__marks.push(["click", performance.now()]);
}, true);
`

// benchCases are the checks timed after each load, in this order.
var benchCases = []struct{ name, id string }{
	{"accepted", "12345"},
	{"rejected-402", "402"},
	{"close-4401", "4401"},
	{"polling-only", "1006"},
}

type series map[string][]float64 // metric name → one sample per run

// BenchmarkVersusPeer loads this project's page and a reference page on the
// official socket.io-client 4.8 in the same Chromium against the same
// simulator, interleaved run by run with the cache disabled, and reports
// medians, p90 and the ratio ours/peer. Run it once:
//
//	go test ./e2e -run '^$' -bench VersusPeer -benchtime 1x
//
// DEFENDCHECK_BENCH_RUNS sets the runs per page (default 15);
// DEFENDCHECK_BENCH_JSON the JSON file (default bench-results.json).
func BenchmarkVersusPeer(b *testing.B) {
	runs := 15
	if n, err := strconv.Atoi(os.Getenv("DEFENDCHECK_BENCH_RUNS")); err == nil && n > 0 {
		runs = n
	}
	peerURL := servePeer(b)
	pages := map[string]string{"ours": pageURL, "peer": peerURL}
	results := map[string]series{"ours": {}, "peer": {}}

	for run := 0; run < runs; run++ {
		order := []string{"ours", "peer"}
		if run%2 == 1 {
			order = []string{"peer", "ours"}
		}
		for _, name := range order {
			measureLoad(b, pages[name], false, results[name])
			measureLoad(b, pages[name], true, results[name])
		}
	}

	table := report(results)
	b.Log("\n" + table)
	fmt.Println(table)
	out := os.Getenv("DEFENDCHECK_BENCH_JSON")
	if out == "" {
		out = "bench-results.json"
	}
	host, _ := os.Hostname()
	data, _ := json.MarshalIndent(map[string]any{
		"date": time.Now().UTC().Format(time.RFC3339), "host": host, "runs": runs, "samples": results,
		"summary": summarize(results),
	}, "", "  ")
	if err := os.WriteFile(out, data, 0o644); err != nil {
		b.Fatal(err)
	}
	for _, m := range []string{"nav-to-ready-ms", "accepted-ms", "rejected-402-ms"} {
		b.ReportMetric(median(results["ours"][m]), "ours-"+m)
		b.ReportMetric(median(results["peer"][m]), "peer-"+m)
	}
}

// measureLoad opens url in a fresh tab with the cache disabled, records the
// bytes and time to ready, and, unthrottled, times each benchCase.
func measureLoad(b *testing.B, url string, throttled bool, s series) {
	b.Helper()
	ctx := tab(b)
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		b.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		b.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: benchMarks}); err != nil {
		b.Fatal(err)
	}
	prefix := ""
	if throttled {
		prefix = "slow-"
		// 10 Mbit/s both ways, 40 ms from request to response headers.
		if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*network.Conditions{{Latency: 40, DownloadThroughput: 1.25e6, UploadThroughput: 1.25e6}},
		}); err != nil {
			b.Fatal(err)
		}
	}
	do(b, ctx, chromedp.Navigate(url))
	waitState(b, ctx, "ready")
	s[prefix+"nav-to-ready-ms"] = append(s[prefix+"nav-to-ready-ms"], eval[float64](b, ctx, `window.__marks.find(m => m[0] === "ready")[1]`))
	s[prefix+"bytes"] = append(s[prefix+"bytes"], eval[float64](b, ctx,
		`performance.getEntriesByType("navigation").concat(performance.getEntriesByType("resource")).reduce((n, e) => n + e.transferSize, 0)`))
	if !throttled && strings.HasPrefix(url, pageURL) {
		// Of nav-to-ready, how much went to fetching and compiling the
		// WebAssembly; the rest is Go's start-up and the page's own.
		s["compiled-ms"] = append(s["compiled-ms"], eval[float64](b, ctx,
			`performance.getEntriesByName("defendcheck:compiled")[0].startTime`))
	}
	if throttled {
		return
	}
	for _, c := range benchCases {
		eval[string](b, ctx, `document.getElementById("customer-id").value = "`+c.id+`"`)
		do(b, ctx, chromedp.Click(chromedp.CSS("#check")))
		waitFor(b, ctx, `window.__marks.length > 0 && window.__marks[window.__marks.length-1][0] === "done"`, 60*time.Second)
		s[c.name+"-ms"] = append(s[c.name+"-ms"], eval[float64](b, ctx,
			`(() => { const m = window.__marks; const click = m.findLast(x => x[0] === "click"); return m[m.length-1][1] - click[1]; })()`))
	}
}

// servePeer serves the reference page, its script and the socket.io-client
// browser bundle from npm, brotli-compressed once like ours.
func servePeer(b *testing.B) string {
	b.Helper()
	bundle, err := os.ReadFile(filepath.Join("..", "rmssim", "testdata", "peer", "node_modules", "socket.io-client", "dist", "socket.io.min.js"))
	if err != nil {
		b.Fatalf("socket.io-client is not installed (npm ci --prefix rmssim/testdata/peer): %v", err)
	}
	tmpl := template.Must(template.ParseFiles(filepath.Join("testdata", "peer", "index.html")))
	var index bytes.Buffer
	if err := tmpl.Execute(&index, map[string]string{"Origin": simURL, "Path": rmssim.Path}); err != nil {
		b.Fatal(err)
	}
	script, err := os.ReadFile(filepath.Join("testdata", "peer", "peer.js"))
	if err != nil {
		b.Fatal(err)
	}
	files := map[string]struct {
		body        []byte
		contentType string
	}{
		"/":                 {index.Bytes(), "text/html; charset=utf-8"},
		"/peer.js":          {script, "text/javascript; charset=utf-8"},
		"/socket.io.min.js": {bundle, "text/javascript; charset=utf-8"},
	}
	compressed := map[string][]byte{}
	for name, f := range files {
		var buf bytes.Buffer
		w := brotli.NewWriterLevel(&buf, 9)
		_, _ = w.Write(f.body)
		_ = w.Close()
		compressed[name] = buf.Bytes()
	}
	return serve(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", f.contentType)
		w.Header().Set("Vary", "Accept-Encoding")
		body := f.body
		if strings.Contains(r.Header.Get("Accept-Encoding"), "br") {
			w.Header().Set("Content-Encoding", "br")
			body = compressed[r.URL.Path]
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	})) + "/"
}

func summarize(results map[string]series) map[string]map[string]float64 {
	out := map[string]map[string]float64{}
	for metric := range results["ours"] {
		o, p := results["ours"][metric], results["peer"][metric]
		if len(p) == 0 { // a figure only this page has
			out[metric] = map[string]float64{"ours_median": median(o), "ours_p90": percentile(o, 0.9)}
			continue
		}
		out[metric] = map[string]float64{
			"ours_median": median(o), "ours_p90": percentile(o, 0.9),
			"peer_median": median(p), "peer_p90": percentile(p, 0.9),
			"ratio_median": median(o) / median(p),
		}
	}
	return out
}

func report(results map[string]series) string {
	sum := summarize(results)
	metrics := make([]string, 0, len(sum))
	for m := range sum {
		metrics = append(metrics, m)
	}
	slices.Sort(metrics)
	var b strings.Builder
	fmt.Fprintf(&b, "| metric | ours median | ours p90 | peer median | peer p90 | ours/peer |\n|---|---|---|---|---|---|\n")
	for _, m := range metrics {
		s := sum[m]
		if _, ok := s["peer_median"]; !ok {
			fmt.Fprintf(&b, "| %s | %.0f | %.0f | - | - | - |\n", m, s["ours_median"], s["ours_p90"])
			continue
		}
		fmt.Fprintf(&b, "| %s | %.0f | %.0f | %.0f | %.0f | %.2f |\n", m, s["ours_median"], s["ours_p90"], s["peer_median"], s["peer_p90"], s["ratio_median"])
	}
	return b.String()
}

func median(v []float64) float64 { return percentile(v, 0.5) }

// percentile is the nearest-rank percentile of v.
func percentile(v []float64, p float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	i := int(p*float64(len(s))+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}

// serve binds h to 127.0.0.1:0 until the benchmark ends.
func serve(tb testing.TB, h http.Handler) string {
	tb.Helper()
	srv, err := defendcheck.Listen("127.0.0.1:0", h)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = srv.Close() })
	return srv.URL()
}
