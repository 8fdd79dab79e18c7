package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lsports/defendcheck"
	"github.com/lsports/defendcheck/diagnosis"
)

// servedBuild returns the configuration of the suite's page (its targets,
// in the same order, so that targetSim and the others hold, and its
// WebAssembly and wasm_exec.js, read back from pageHandler) with a cache
// of the test's own. That cache holds the handler's fast brotli copies in
// place of the brotli-11 ones (the cache checks what a copy decodes to,
// not its level): made under -race, brotli 11 of the WebAssembly would
// take minutes. The root package's tests hold the levels.
func servedBuild(t *testing.T) defendcheck.Config {
	t.Helper()
	page := servedFile(t, "/", "identity")
	m := regexp.MustCompile(`<script type="application/json" id="config">(.*?)</script>`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("the page has no config:\n%s", page)
	}
	var config struct {
		Targets []diagnosis.Target `json:"targets"`
	}
	if err := json.Unmarshal(m[1], &config); err != nil {
		t.Fatal(err)
	}
	cfg := defendcheck.Config{Targets: config.Targets, CacheDir: t.TempDir()}
	for _, ref := range regexp.MustCompile(`\s(?:href|src)="([^"]+)"`).FindAllSubmatch(page, -1) {
		name := string(ref[1])
		body := servedFile(t, "/"+name, "identity")
		sum := sha256.Sum256(body)
		if err := os.WriteFile(filepath.Join(cfg.CacheDir, hex.EncodeToString(sum[:])+".br11"), servedFile(t, "/"+name, "br"), 0o644); err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasSuffix(name, ".wasm"):
			cfg.WASM = body
		case strings.HasPrefix(name, "wasm_exec."):
			cfg.WasmExec = body
		}
	}
	if cfg.WASM == nil || cfg.WasmExec == nil {
		t.Fatalf("the page names no WebAssembly or no wasm_exec.js:\n%s", page)
	}
	return cfg
}

// servedFile is pageHandler's body for path with Accept-Encoding enc.
func servedFile(t *testing.T, path, enc string) []byte {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept-Encoding", enc)
	rec := httptest.NewRecorder()
	pageHandler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d", path, rec.Code)
	}
	return rec.Body.Bytes()
}

// requestLog serves h, recording the path of every request.
type requestLog struct {
	mu    sync.Mutex
	paths []string
}

func (l *requestLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.paths = append(l.paths, r.URL.Path)
		l.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (l *requestLog) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.paths...)
}

// openAt loads url and waits until the page is ready, failing as soon as
// the loader says the checker could not load.
func openAt(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	do(t, ctx, chromedp.Navigate(url))
	waitFor(t, ctx, `document.documentElement.dataset.state === "ready" || !document.getElementById("blocked").hidden ||
		/could not/.test(document.getElementById("loading").textContent)`, 100*time.Second)
	if msg := text(t, ctx, "loading"); strings.Contains(msg, "could not") {
		t.Fatal(msg)
	}
	if eval[bool](t, ctx, `!document.getElementById("blocked").hidden`) {
		t.Fatal(text(t, ctx, "blocked-report"))
	}
}

// TestExportFromAPlainFileServer: the export served by Go's
// http.FileServer (on 127.0.0.1:0), which maps extensions to types and does nothing else,
// runs a check, accepted and refused; so it does where the host serves the
// WebAssembly with the wrong type.
func TestExportFromAPlainFileServer(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "site")
	if err := defendcheck.Export(t.Context(), dir, servedBuild(t)); err != nil {
		t.Fatal(err)
	}
	files := http.FileServer(http.Dir(dir))

	t.Run("as it is", func(t *testing.T) {
		ctx := tab(t)
		openAt(t, ctx, serve(t, files)+"/?customerid=12345")
		// The meta tag's policy is in force, with no CSP header: an inline
		// script does not run (it would run at once).
		if eval[bool](t, ctx, `(() => {
			const s = document.createElement("script");
			s.textContent = "window.inlineRan = true";
			document.head.append(s);
			return window.inlineRan === true;
		})()`) {
			t.Error("an inline script ran: the meta tag's CSP is not in force")
		}
		if res := check(t, ctx, targetSim, "", ""); res.Kind != "ok" || res.Verdict != "ok" || res.CustomerID != "12345" {
			t.Errorf("12345 (prefilled): %s %s %q, want ok ok\n%s", res.Verdict, res.Kind, res.CustomerID, res.Report)
		}
		if res := check(t, ctx, targetSim, "402", ""); res.Kind != "account-inactive" || res.StatusCode == nil || *res.StatusCode != 402 {
			t.Errorf("402: %s, status %v, want account-inactive 402\n%s", res.Kind, res.StatusCode, res.Report)
		}
		// A static host has no server to say where it saw the page from.
		res := published(t, ctx)
		if res.SeenFrom == nil || *res.SeenFrom != "" || !strings.Contains(res.Report, "Seen from:     not known: this page's server did not say") ||
			!strings.Contains(text(t, ctx, "verdict-seen-from"), "not known") {
			t.Errorf("a static copy: seenFrom %v, want \"\", said in the report and the page\n%s", res.SeenFrom, res.Report)
		}
	})

	t.Run("wasm as application/octet-stream", func(t *testing.T) {
		var wrongType atomic.Int32
		base := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, ".wasm") {
				w.Header().Set("Content-Type", "application/octet-stream") // FileServer keeps a type set before it
				wrongType.Add(1)
			}
			files.ServeHTTP(w, r)
		}))
		ctx := tab(t)
		openAt(t, ctx, base+"/")
		if wrongType.Load() == 0 {
			t.Fatal("the WebAssembly was not fetched from the server that gives it the wrong type")
		}
		if res := check(t, ctx, targetSim, "402", ""); res.Kind != "account-inactive" {
			t.Errorf("402: %s, want account-inactive\n%s", res.Kind, res.Report)
		}
	})
}
