package defendcheck_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/lsports/defendcheck"
	"github.com/lsports/defendcheck/diagnosis"
)

var (
	fakeWASM = append([]byte("\x00asm\x01\x00\x00\x00"), bytes.Repeat([]byte("checker"), 1000)...)
	fakeExec = []byte("// wasm_exec.js stand-in\n")
	targets  = []diagnosis.Target{
		{Origin: "https://rms.lsports.eu", Path: "/rms-socket/socket.io"},
		{Origin: "http://127.0.0.1:9090", Path: "/rms-socket/socket.io"},
	}
)

func start(t *testing.T) string {
	t.Helper()
	h, err := defendcheck.NewHandler(defendcheck.Config{Targets: targets, WASM: fakeWASM, WasmExec: fakeExec})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := defendcheck.Listen("127.0.0.1:0", h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	if !strings.HasPrefix(srv.URL(), "http://127.0.0.1:") {
		t.Fatalf("URL() = %q", srv.URL())
	}
	return srv.URL()
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
	base := start(t)
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
	if !strings.Contains(page, `{"targets":[{"origin":"https://rms.lsports.eu","path":"/rms-socket/socket.io"}`) {
		t.Errorf("page config does not list the targets:\n%s", page)
	}
	if regexp.MustCompile(`<script>[^<]|\son[a-z]+=`).MatchString(page) {
		t.Error("page has inline script or an inline event handler")
	}
}

func TestAssetsAreHashedImmutableAndPrecompressed(t *testing.T) {
	base := start(t)
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
	base := start(t)
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

func TestConfigIsValidated(t *testing.T) {
	good := diagnosis.Target{Origin: "https://rms.lsports.eu", Path: "/rms-socket/socket.io"}
	tests := []struct {
		name string
		cfg  defendcheck.Config
		want string
	}{
		{"no target", defendcheck.Config{WASM: fakeWASM, WasmExec: fakeExec}, "no target"},
		{"no wasm", defendcheck.Config{Targets: []diagnosis.Target{good}}, "WebAssembly"},
		{"ws scheme", defendcheck.Config{Targets: []diagnosis.Target{{Origin: "wss://rms.lsports.eu", Path: "/x"}}, WASM: fakeWASM, WasmExec: fakeExec}, "http(s) origin"},
		{"origin with path", defendcheck.Config{Targets: []diagnosis.Target{{Origin: "https://rms.lsports.eu/x", Path: "/x"}}, WASM: fakeWASM, WasmExec: fakeExec}, "http(s) origin"},
		{"relative path", defendcheck.Config{Targets: []diagnosis.Target{{Origin: "https://rms.lsports.eu", Path: "x"}}, WASM: fakeWASM, WasmExec: fakeExec}, "must start with /"},
		{"credentials", defendcheck.Config{Targets: []diagnosis.Target{{Origin: "https://u:p@rms.lsports.eu", Path: "/x"}}, WASM: fakeWASM, WasmExec: fakeExec}, "http(s) origin"},
	}
	for _, tt := range tests {
		if _, err := defendcheck.NewHandler(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want one mentioning %q", tt.name, err, tt.want)
		}
	}
}
