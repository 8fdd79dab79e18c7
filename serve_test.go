package defendcheck_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/bits"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/lsports/defendcheck"
	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/httpserve"
)

var (
	fakeWASM = append([]byte("\x00asm\x01\x00\x00\x00"), bytes.Repeat([]byte("checker"), 1000)...)
	fakeExec = []byte("// wasm_exec.js stand-in\n")
	targets  = []diagnosis.Target{
		{Origin: "https://rms.lsports.eu", Path: "/rms-socket/socket.io"},
		{Origin: "http://127.0.0.1:9090", Path: "/rms-socket/socket.io"},
	}
)

// start serves a handler for cfg (the test targets and fake assets when
// those are empty) and returns it with its base URL.
func start(t *testing.T, cfg defendcheck.Config) (*defendcheck.Handler, string) {
	t.Helper()
	if cfg.Targets == nil {
		cfg.Targets = targets
	}
	if cfg.WASM == nil {
		cfg.WASM, cfg.WasmExec = fakeWASM, fakeExec
	}
	h, err := defendcheck.NewHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := httpserve.Listen("127.0.0.1:0", h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	if !strings.HasPrefix(srv.URL(), "http://127.0.0.1:") {
		t.Fatalf("URL() = %q", srv.URL())
	}
	return h, srv.URL()
}

func get(t *testing.T, url, acceptEncoding string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept-Encoding", acceptEncoding) // also stops net/http from decoding gzip itself
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

func TestPage(t *testing.T) {
	_, base := start(t, defendcheck.Config{})
	res, body := get(t, base+"/", "identity")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET / = %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	wantHeaders := map[string]string{
		"Referrer-Policy":        "no-referrer",
		"X-Content-Type-Options": "nosniff",
		"Cache-Control":          "no-cache",
	}
	for k, v := range wantHeaders {
		if got := res.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{
		"script-src 'self' 'wasm-unsafe-eval';",
		"connect-src 'self' https://rms.lsports.eu wss://rms.lsports.eu http://127.0.0.1:9090 ws://127.0.0.1:9090;",
		"default-src 'none'", "form-action 'none'", "frame-ancestors 'none'",
	} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP lacks %q: %s", want, csp)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows unsafe-inline: %s", csp)
	}
	page := string(body)
	for _, id := range []string{"customer-id", "token", "check", "steps", "verdict", "report", "copy", "download"} {
		if !strings.Contains(page, `id="`+id+`"`) {
			t.Errorf("page lacks element #%s", id)
		}
	}
	if !strings.Contains(page, `data-state="loading"`) {
		t.Error(`page does not start in data-state="loading"`)
	}
	if !strings.Contains(page, `"targets":[{"origin":"https://rms.lsports.eu","path":"/rms-socket/socket.io"}`) {
		t.Errorf("page config does not list the targets:\n%s", page)
	}
	if !strings.Contains(page, `"embedOrigins":[]`) || strings.Contains(page, "http-equiv") {
		t.Errorf("page config does not list no embedding origin, or the served page has a meta CSP:\n%s", page)
	}
	if regexp.MustCompile(`<script>[^<]|\son[a-z]+=`).MatchString(page) {
		t.Error("page has inline script or an inline event handler")
	}
	// The page is fetched on every visit: brotli 11 from the start.
	if res, br := get(t, base+"/", "br"); res.Header.Get("Content-Encoding") != "br" || !bytes.Equal(br, best11(t, body)) {
		t.Errorf("the page is not served at brotli 11 (Content-Encoding %q, %d bytes)", res.Header.Get("Content-Encoding"), len(br))
	}
}

func TestAssetsAreHashedImmutableAndPrecompressed(t *testing.T) {
	_, base := start(t, defendcheck.Config{})
	_, body := get(t, base+"/", "identity")
	page := string(body)
	assets := map[string]struct {
		pattern     string
		contentType string
		raw         []byte
	}{
		"wasm": {`main\.[0-9a-f]{12}\.wasm`, "application/wasm", fakeWASM},
		"exec": {`wasm_exec\.[0-9a-f]{12}\.js`, "text/javascript; charset=utf-8", fakeExec},
		"app":  {`app\.[0-9a-f]{12}\.js`, "text/javascript; charset=utf-8", nil},
		"css":  {`style\.[0-9a-f]{12}\.css`, "text/css; charset=utf-8", nil},
	}
	for name, a := range assets {
		path := regexp.MustCompile(a.pattern).FindString(page)
		if path == "" {
			t.Errorf("%s: page does not reference %s", name, a.pattern)
			continue
		}
		plain, plainBody := get(t, base+"/"+path, "identity")
		if plain.StatusCode != 200 || plain.Header.Get("Content-Type") != a.contentType {
			t.Errorf("%s: %d %q", path, plain.StatusCode, plain.Header.Get("Content-Type"))
		}
		if got := plain.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q", path, got)
		}
		if a.raw != nil && !bytes.Equal(plainBody, a.raw) {
			t.Errorf("%s: body differs from the configured bytes", path)
		}
		br, brBody := get(t, base+"/"+path, "gzip, deflate, br")
		if br.Header.Get("Content-Encoding") != "br" || br.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("%s: Content-Encoding %q Vary %q with br accepted", path, br.Header.Get("Content-Encoding"), br.Header.Get("Vary"))
		}
		if dec, err := io.ReadAll(brotli.NewReader(bytes.NewReader(brBody))); err != nil || !bytes.Equal(dec, plainBody) {
			t.Errorf("%s: brotli body does not decode to the asset (%v)", path, err)
		}
		gz, gzBody := get(t, base+"/"+path, "gzip")
		if gz.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: Content-Encoding %q with gzip accepted", path, gz.Header.Get("Content-Encoding"))
		}
		zr, err := gzip.NewReader(bytes.NewReader(gzBody))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if dec, err := io.ReadAll(zr); err != nil || !bytes.Equal(dec, plainBody) {
			t.Errorf("%s: gzip body does not decode to the asset (%v)", path, err)
		}
		if notBr, _ := get(t, base+"/"+path, "br;q=0, gzip"); notBr.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: br;q=0 still got %q", path, notBr.Header.Get("Content-Encoding"))
		}
	}
}

func TestUnknownPathsAndMethods(t *testing.T) {
	_, base := start(t, defendcheck.Config{})
	for _, p := range []string{"/main.wasm", "/index.html", "/../go.mod", "/web/app.js", "/?customerid=1/../x"} {
		res, _ := get(t, base+p, "identity")
		want := 404
		if strings.HasPrefix(p, "/?") {
			want = 200 // a query is the support portal's prefill, still the page
		}
		if res.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", p, res.StatusCode, want)
		}
	}
	res, err := http.Post(base+"/", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST / = %d Allow %q", res.StatusCode, res.Header.Get("Allow"))
	}
}

// TestConfigIsValidated: the handler takes targets only as
// diagnosis.ParseTarget gives them, so nothing else reaches the CSP or the
// page's config.
func TestConfigIsValidated(t *testing.T) {
	good := diagnosis.Target{Origin: "https://rms.lsports.eu", Path: "/rms-socket/socket.io"}
	withTarget := func(origin, path string) defendcheck.Config {
		return defendcheck.Config{Targets: []diagnosis.Target{good, {Origin: origin, Path: path}}, WASM: fakeWASM, WasmExec: fakeExec}
	}
	tests := []struct {
		name string
		cfg  defendcheck.Config
		want string
	}{
		{"no target", defendcheck.Config{WASM: fakeWASM, WasmExec: fakeExec}, "no target"},
		{"no wasm", defendcheck.Config{Targets: []diagnosis.Target{good}}, "WebAssembly"},
		{"ws scheme", withTarget("wss://rms.lsports.eu", "/x"), `scheme "wss": want http or https`},
		{"credentials", withTarget("https://u:p@rms.lsports.eu", "/x"), "user info"},
		{"CSP injection in the origin", withTarget("https://a.example;script-src", "/x"), `';' is not allowed in a host name`},
		{"CSP injection in the path", withTarget("https://a.example", "/x;script-src"), `path "/x;script-src": ';' is not allowed`},
		{"quote in the path", withTarget("https://a.example", `/x"y`), `'"' is not allowed`},
		{"IPv6, which no CSP source can name", withTarget("http://[::1]:9090", "/x"), "an IPv6 address cannot be allowed"},
		{"origin with path", withTarget("https://rms.lsports.eu/x", "/x"), `want origin "https://rms.lsports.eu", path "/x/x"`},
		{"relative path", withTarget("https://rms.lsports.eu", "x"), `path "x" does not start with /`},
		{"no path", withTarget("https://rms.lsports.eu", ""), `path "" does not start with /`},
		{"trailing slash", withTarget("https://rms.lsports.eu", "/"), `want origin "https://rms.lsports.eu", path "/rms-socket/socket.io"`},
		{"not canonical", withTarget("HTTPS://RMS.lsports.eu:443", "/x/"), `want origin "https://rms.lsports.eu", path "/x"`},
	}
	for _, tt := range tests {
		if _, err := defendcheck.NewHandler(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want one mentioning %q", tt.name, err, tt.want)
		}
	}
}

// pageConfig is the JSON of the page's <script id="config">.
type pageConfig struct {
	EmbedOrigins []string `json:"embedOrigins"`
}

func configOf(t *testing.T, page []byte) pageConfig {
	t.Helper()
	m := regexp.MustCompile(`<script type="application/json" id="config">(.*?)</script>`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("the page has no config:\n%s", page)
	}
	var c pageConfig
	if err := json.Unmarshal(m[1], &c); err != nil {
		t.Fatalf("the page's config %s: %v", m[1], err)
	}
	return c
}

// TestFrameAncestors: the CSP's frame-ancestors lists exactly the allowed
// origins, in canonical form, and the page's config gives app.js the same
// list to post results to.
func TestFrameAncestors(t *testing.T) {
	tests := []struct {
		name      string
		origins   []string
		ancestors string
		config    []string
	}{
		{"none", nil, "'none'", []string{}},
		{"one", []string{"https://portal.example"}, "https://portal.example", []string{"https://portal.example"}},
		{"two, one repeated in another spelling",
			[]string{"HTTPS://Portal.Example:443/", "http://127.0.0.1:8080", "https://portal.example"},
			"https://portal.example http://127.0.0.1:8080",
			[]string{"https://portal.example", "http://127.0.0.1:8080"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, base := start(t, defendcheck.Config{EmbedOrigins: tt.origins})
			res, page := get(t, base+"/", "identity")
			csp := res.Header.Get("Content-Security-Policy")
			if !strings.HasSuffix(csp, "; frame-ancestors "+tt.ancestors) || strings.Count(csp, "frame-ancestors") != 1 {
				t.Errorf("CSP %q, want it to end with frame-ancestors %s", csp, tt.ancestors)
			}
			if got := configOf(t, page).EmbedOrigins; !slices.Equal(got, tt.config) || got == nil {
				t.Errorf("config embedOrigins = %#v, want %#v", got, tt.config)
			}
		})
	}
}

var badOrigins = []struct{ origin, why string }{
	{"https://portal.example/support", "a path"},
	{"*", "want an http(s) URL"},
	{"portal.example", "want an http(s) URL"},
	{"ftp://portal.example", `scheme "ftp"`},
	{"https://portal.example;script-src", "';' is not allowed"},
	{"https://user@portal.example", "user info"},
	{"https://portal.example?x", "a query"},
}

// TestBadEmbedOriginIsRefused: the handler refuses an origin that
// diagnosis.ParseOrigin refuses, naming it and saying why.
func TestBadEmbedOriginIsRefused(t *testing.T) {
	for _, tt := range badOrigins {
		_, err := defendcheck.NewHandler(defendcheck.Config{Targets: targets, WASM: fakeWASM, WasmExec: fakeExec,
			EmbedOrigins: []string{"https://portal.example", tt.origin}})
		if err == nil || !strings.Contains(err.Error(), `"`+tt.origin+`"`) || !strings.Contains(err.Error(), tt.why) {
			t.Errorf("NewHandler with %q: err = %v, want one naming it and saying %q", tt.origin, err, tt.why)
		}
	}
}

// textWASM stands in for a real build in the compression tests: like code,
// it compresses well, and brotli 11 makes it clearly smaller than the fast
// level the handler starts with. Small enough for brotli 11 to take
// milliseconds.
var textWASM = append([]byte("\x00asm\x01\x00\x00\x00"), words(8<<10)...)

// words returns about n bytes of pseudo-random words, the same every run.
func words(n int) []byte {
	vocabulary := strings.Fields("socket customer verdict handshake namespace upgrade join event " +
		"polling websocket transport timeout reserve bet accept reject status close code runtime " +
		"func type struct return error nil context target origin header token report")
	r := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	for b.Len() < n {
		b.WriteString(vocabulary[r.IntN(len(vocabulary))])
		b.WriteByte(" \n.,"[r.IntN(4)])
		fmt.Fprint(&b, r.IntN(100))
	}
	return b.Bytes()
}

// best11 is what Recompress makes of body: brotli 11, with the smallest
// window that holds body.
func best11(t *testing.T, body []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := brotli.NewWriterOptions(&buf, brotli.WriterOptions{Quality: 11, LGWin: min(24, max(10, bits.Len(uint(len(body)))))})
	if _, err := w.Write(body); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// wasmURL is the content-hashed URL of the page's WebAssembly.
func wasmURL(t *testing.T, base string) string {
	t.Helper()
	_, page := get(t, base+"/", "identity")
	name := regexp.MustCompile(`main\.[0-9a-f]{12}\.wasm`).FindString(string(page))
	if name == "" {
		t.Fatalf("the page names no WebAssembly:\n%s", page)
	}
	return base + "/" + name
}

// getBrotli fetches url accepting brotli, checks that the response is
// brotli, whole, and decodes to want, and returns the compressed body.
func getBrotli(t *testing.T, url string, want []byte) []byte {
	t.Helper()
	body, err := fetchBrotli(url, want)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// fetchBrotli is getBrotli for any goroutine.
func fetchBrotli(url string, want []byte) ([]byte, error) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "br" || res.Header.Get("Vary") != "Accept-Encoding" {
		return nil, fmt.Errorf("GET %s: %d, Content-Encoding %q, Vary %q; want 200 br Accept-Encoding",
			url, res.StatusCode, res.Header.Get("Content-Encoding"), res.Header.Get("Vary"))
	}
	if res.ContentLength != int64(len(body)) {
		return nil, fmt.Errorf("GET %s: Content-Length %d for a %d-byte body", url, res.ContentLength, len(body))
	}
	if dec, err := io.ReadAll(brotli.NewReader(bytes.NewReader(body))); err != nil || !bytes.Equal(dec, want) {
		return nil, fmt.Errorf("GET %s: the brotli body does not decode to the asset (%v)", url, err)
	}
	return body, nil
}

// headLength is the Content-Length a HEAD request accepting brotli gets.
func headLength(t *testing.T, url string) int64 {
	t.Helper()
	req, _ := http.NewRequest(http.MethodHead, url, nil)
	req.Header.Set("Accept-Encoding", "br")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "br" {
		t.Fatalf("HEAD %s: %d, Content-Encoding %q", url, res.StatusCode, res.Header.Get("Content-Encoding"))
	}
	return res.ContentLength
}

// cacheFile is where a handler with CacheDir dir keeps the brotli-11 copy
// of body.
func cacheFile(dir string, body []byte) string {
	sum := sha256.Sum256(body)
	return filepath.Join(dir, hex.EncodeToString(sum[:])+".br11")
}

func TestRecompressSwitchesToBrotli11AndCachesIt(t *testing.T) {
	dir := t.TempDir()
	best := best11(t, textWASM)
	h, base := start(t, defendcheck.Config{WASM: textWASM, WasmExec: fakeExec, CacheDir: dir})
	url := wasmURL(t, base)

	first := getBrotli(t, url, textWASM)
	if len(first) <= len(best) {
		t.Fatalf("before Recompress the wasm is %d bytes of brotli, want a fast level's, larger than brotli 11's %d", len(first), len(best))
	}
	if got := headLength(t, url); got != int64(len(first)) {
		t.Errorf("HEAD: Content-Length %d, GET sent %d", got, len(first))
	}
	if _, err := os.Stat(cacheFile(dir, textWASM)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a cache entry exists before Recompress: %v", err)
	}

	if err := h.Recompress(context.Background()); err != nil {
		t.Fatalf("Recompress: %v", err)
	}
	if got := getBrotli(t, url, textWASM); !bytes.Equal(got, best) {
		t.Errorf("after Recompress the wasm is %d bytes of brotli, want brotli 11's %d", len(got), len(best))
	}
	if got := headLength(t, url); got != int64(len(best)) {
		t.Errorf("HEAD after Recompress: Content-Length %d, want %d", got, len(best))
	}
	res, gz := get(t, url, "gzip")
	if res.Header.Get("Content-Encoding") != "gzip" || res.ContentLength != int64(len(gz)) {
		t.Errorf("gzip after Recompress: Content-Encoding %q, Content-Length %d for %d bytes",
			res.Header.Get("Content-Encoding"), res.ContentLength, len(gz))
	}
	if cached, err := os.ReadFile(cacheFile(dir, textWASM)); err != nil || !bytes.Equal(cached, best) {
		t.Errorf("the cache does not hold the brotli-11 copy (%d bytes, %v)", len(cached), err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 4 { // main.wasm, wasm_exec.js, app.js, style.css
		t.Errorf("cache holds %q, want the 4 immutable assets' .br11 and nothing else", names)
	}
	if err := h.Recompress(context.Background()); err != nil {
		t.Errorf("a second Recompress: %v", err)
	}
}

func TestSecondStartServesBrotli11FromTheCache(t *testing.T) {
	dir := t.TempDir()
	best := best11(t, textWASM)
	h, _ := start(t, defendcheck.Config{WASM: textWASM, WasmExec: fakeExec, CacheDir: dir})
	if err := h.Recompress(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, base := start(t, defendcheck.Config{WASM: textWASM, WasmExec: fakeExec, CacheDir: dir})
	url := wasmURL(t, base)
	if got := getBrotli(t, url, textWASM); !bytes.Equal(got, best) {
		t.Errorf("the second handler's first response is %d bytes of brotli, want the cached brotli 11's %d", len(got), len(best))
	}
	if got := headLength(t, url); got != int64(len(best)) {
		t.Errorf("HEAD: Content-Length %d, want %d", got, len(best))
	}
}

func TestDamagedCacheEntryIsNotServed(t *testing.T) {
	// A cache with every asset, so that each case recompresses the wasm only.
	warm := t.TempDir()
	h, _ := start(t, defendcheck.Config{WASM: textWASM, WasmExec: fakeExec, CacheDir: warm})
	if err := h.Recompress(context.Background()); err != nil {
		t.Fatal(err)
	}
	best := best11(t, textWASM)
	other := best11(t, words(1000))
	tests := []struct {
		name  string
		entry []byte
	}{
		{"empty", nil},
		{"truncated", best[:len(best)/2]},
		{"one byte changed", func() []byte {
			b := bytes.Clone(best)
			b[len(b)/2] ^= 0x55
			return b
		}()},
		{"trailing bytes", append(bytes.Clone(best), "junk"...)},
		{"not brotli", textWASM},
		{"another content", other},
		{"another content of the same size", func() []byte {
			b := bytes.Clone(textWASM)
			b[len(b)/2] ^= 1
			return best11(t, b)
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS(warm)); err != nil {
				t.Fatal(err)
			}
			path := cacheFile(dir, textWASM)
			if err := os.WriteFile(path, tt.entry, 0o644); err != nil {
				t.Fatal(err)
			}
			h, base := start(t, defendcheck.Config{WASM: textWASM, WasmExec: fakeExec, CacheDir: dir})
			url := wasmURL(t, base)
			if got := getBrotli(t, url, textWASM); bytes.Equal(got, tt.entry) {
				t.Fatal("the damaged cache entry was served")
			}
			if err := h.Recompress(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := getBrotli(t, url, textWASM); !bytes.Equal(got, best) {
				t.Errorf("after Recompress: %d bytes of brotli, want brotli 11's %d", len(got), len(best))
			}
			if cached, err := os.ReadFile(path); err != nil || !bytes.Equal(cached, best) {
				t.Errorf("Recompress did not replace the damaged entry (%d bytes, %v)", len(cached), err)
			}
		})
	}
}

// TestResponsesWhileRecompressing runs requests during the switch (under
// -race, it also checks the switch's memory safety): each response is
// whole, one copy or the other, never a mix.
func TestResponsesWhileRecompressing(t *testing.T) {
	h, base := start(t, defendcheck.Config{WASM: textWASM, WasmExec: fakeExec})
	url := wasmURL(t, base)
	fast := getBrotli(t, url, textWASM)
	best := best11(t, textWASM)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seen = map[int]int{} // body length -> responses
	)
	done := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				// fetchBrotli checks Content-Length against the body and decodes it.
				body, err := fetchBrotli(url, textWASM)
				if err != nil {
					t.Error(err)
					return
				}
				if !bytes.Equal(body, fast) && !bytes.Equal(body, best) {
					t.Errorf("a %d-byte response is neither the fast copy (%d) nor brotli 11 (%d)", len(body), len(fast), len(best))
				}
				mu.Lock()
				seen[len(body)]++
				mu.Unlock()
			}
		})
	}
	err := h.Recompress(context.Background())
	close(done)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if got := getBrotli(t, url, textWASM); !bytes.Equal(got, best) {
		t.Errorf("after Recompress: %d bytes, want brotli 11's %d", len(got), len(best))
	}
	t.Logf("responses by body length during Recompress: %v", seen)
}

func TestRecompressStopsWithItsContext(t *testing.T) {
	dir := t.TempDir()
	h, base := start(t, defendcheck.Config{WASM: textWASM, WasmExec: fakeExec, CacheDir: dir})
	url := wasmURL(t, base)
	fast := getBrotli(t, url, textWASM)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := h.Recompress(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Recompress with a cancelled context = %v, want context.Canceled", err)
	}
	if got := getBrotli(t, url, textWASM); !bytes.Equal(got, fast) {
		t.Errorf("after a stopped Recompress the response changed: %d bytes, was %d", len(got), len(fast))
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a stopped Recompress left %d files in the cache", len(entries))
	}
	// What was stopped is done by the next call.
	if err := h.Recompress(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := getBrotli(t, url, textWASM); !bytes.Equal(got, best11(t, textWASM)) {
		t.Errorf("after the next Recompress: %d bytes, not brotli 11", len(got))
	}
}

func TestRecompressPrunesTheCache(t *testing.T) {
	dir := t.TempDir()
	month := -31 * 24 * time.Hour
	files := []struct {
		name string
		body []byte
		age  time.Duration
		kept bool
	}{
		{filepath.Base(cacheFile(dir, textWASM)), best11(t, textWASM), month, true}, // in use: touched on load
		{strings.Repeat("a", 64) + ".br11", []byte("old build"), month, false},
		{strings.Repeat("b", 64) + ".br11", []byte("recent build"), -24 * time.Hour, true},
		{".tmp-123", []byte("left by a crash"), -2 * time.Hour, false},
		{".tmp-456", []byte("being written"), -time.Minute, true},
		{"notes.txt", []byte("not ours"), month, true},
	}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, f.body, 0o644); err != nil {
			t.Fatal(err)
		}
		when := time.Now().Add(f.age)
		if err := os.Chtimes(p, when, when); err != nil {
			t.Fatal(err)
		}
	}
	h, _ := start(t, defendcheck.Config{WASM: textWASM, WasmExec: fakeExec, CacheDir: dir})
	if err := h.Recompress(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		_, err := os.Stat(filepath.Join(dir, f.name))
		if kept := err == nil; kept != f.kept {
			t.Errorf("%s (%v old): kept %v, want %v", f.name, -f.age, kept, f.kept)
		}
	}
}

func TestRecompressReportsAnUnwritableCache(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	h, base := start(t, defendcheck.Config{WASM: textWASM, WasmExec: fakeExec, CacheDir: filepath.Join(file, "cache")})
	err := h.Recompress(context.Background())
	if err == nil || !strings.Contains(err.Error(), "caching the brotli-11 copy of main.") {
		t.Errorf("Recompress with a cache under a file = %v, want an error naming the wasm", err)
	}
	if got := getBrotli(t, wasmURL(t, base), textWASM); !bytes.Equal(got, best11(t, textWASM)) {
		t.Errorf("with the cache unwritable, the wasm is %d bytes of brotli, not brotli 11", len(got))
	}
}

func TestDefaultCacheDir(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	user, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := defendcheck.DefaultCacheDir(), filepath.Join(user, "defendcheck", "brotli"); got != want {
		t.Errorf("DefaultCacheDir() = %q, want %q", got, want)
	}
	// Where there is no cache directory (on Unix, no XDG_CACHE_HOME and no HOME), none.
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "")
	if got := defendcheck.DefaultCacheDir(); got != "" {
		t.Errorf("DefaultCacheDir() = %q with no cache directory, want \"\"", got)
	}
}
