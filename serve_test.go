package defendcheck_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

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
	if !strings.Contains(page, `"maxHoldS":900`) {
		t.Errorf("page config does not give app.js the longest hold, 900 s:\n%s", page)
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
		{"support URL that is a script", defendcheck.Config{Targets: []diagnosis.Target{good}, WASM: fakeWASM, WasmExec: fakeExec, SupportURL: "javascript:alert(1)"},
			"want an http or https URL"},
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

// TestSeenFrom: the page's clock request, a HEAD of the page, says the
// address the server saw it come from, not to be stored; a GET of the
// page (shared by every visitor) and a HEAD of an asset say none.
func TestSeenFrom(t *testing.T) {
	_, base := start(t, defendcheck.Config{})
	head := func(path string) *http.Response {
		res, err := http.Head(base + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	res := head("/")
	if got := res.Header.Get(diagnosis.SeenFromHeader); got != "127.0.0.1" || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("HEAD /: %s %q, Cache-Control %q; want 127.0.0.1, no-store", diagnosis.SeenFromHeader, got, res.Header.Get("Cache-Control"))
	}
	if got, _ := get(t, base+"/", "identity"); got.Header.Get(diagnosis.SeenFromHeader) != "" {
		t.Errorf("GET / says %s %q: the page is shared, the address is not", diagnosis.SeenFromHeader, got.Header.Get(diagnosis.SeenFromHeader))
	}
	if got := head("/nothing-here").Header.Get(diagnosis.SeenFromHeader); got != "" {
		t.Errorf("HEAD of an unknown path says %s %q", diagnosis.SeenFromHeader, got)
	}
}
