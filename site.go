package defendcheck

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/web"
)

// header is one response header of the site's policy.
type header struct{ name, value string }

// The Cache-Control of the page, which changes with the configuration, and
// of the content-hashed assets, which never change.
const (
	pageCaching  = "no-cache"
	assetCaching = "public, max-age=31536000, immutable"
)

// asset is one file of the site with its headers and compressed copies.
// body and gz never change; br is replaced, whole, when a smaller copy is
// ready.
type asset struct {
	name      string
	sum       [sha256.Size]byte
	body, gz  []byte
	br        atomic.Pointer[[]byte]
	best      bool     // br is brotli 11; guarded by site.recompressing
	headers   []header // its own, sent after the site's common ones
	immutable bool
}

// site is the page for one Config, built once: every file with its
// headers, the CSP, and the compressed copies. The handler serves it and
// Export writes it, HEADERS.txt included, so that a header policy lives in
// one place.
type site struct {
	assets map[string]*asset // by URL path; "/" is the page
	// common are the headers of every response, an error's too.
	common []header
	// policy is the CSP without frame-ancestors, for the exported page's
	// <meta> tag.
	policy       string
	embedOrigins []string // as in the CSP's frame-ancestors; none: 'none'
	page         pageData // what "/" is rendered from
	cache        brotliCache

	recompressing sync.Mutex
}

// newSite validates cfg and builds its site: it renders the page, names
// the assets by their content and compresses every file with gzip and a
// fast brotli level, or takes an immutable asset's brotli-11 copy from
// cfg.CacheDir when that holds a sound one.
func newSite(cfg Config) (*site, error) {
	origins, err := cfg.check()
	if err != nil {
		return nil, err
	}
	s := &site{
		assets:       map[string]*asset{},
		policy:       metaPolicy(cfg.Targets),
		embedOrigins: origins,
		cache:        brotliCache(cfg.CacheDir),
	}
	s.common = []header{
		{"Content-Security-Policy", headerPolicy(s.policy, origins)},
		{"Referrer-Policy", "no-referrer"},
		{"X-Content-Type-Options", "nosniff"},
	}
	css, _ := web.Files.ReadFile("style.css")
	app, _ := web.Files.ReadFile("app.js")
	s.page = pageData{
		CSS:      s.add("style.css", css, "text/css; charset=utf-8"),
		App:      s.add("app.js", app, "text/javascript; charset=utf-8"),
		WasmExec: s.add("wasm_exec.js", cfg.WasmExec, "text/javascript; charset=utf-8"),
		WASM:     s.add("main.wasm", cfg.WASM, "application/wasm"),
		WASMSize: len(cfg.WASM),
		Config: map[string]any{"targets": cfg.Targets, "embedOrigins": origins,
			"maxHoldS": int(diagnosis.MaxHold / time.Second), "supportUrl": cfg.SupportURL},
	}
	index, err := renderPage(s.page)
	if err != nil {
		return nil, err
	}
	s.assets["/"] = pageAsset(index)
	s.compress()
	return s, nil
}

// add registers an immutable asset under a content-hashed name and returns
// the name.
func (s *site) add(name string, body []byte, contentType string) string {
	sum := sha256.Sum256(body)
	ext := path.Ext(name)
	hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
	s.assets["/"+hashed] = &asset{name: hashed, sum: sum, body: body, immutable: true,
		headers: assetHeaders(assetCaching, contentType)}
	return hashed
}

// pageAsset is the page index, served at "/" or exported as index.html.
func pageAsset(index []byte) *asset {
	return &asset{name: "index.html", body: index, headers: assetHeaders(pageCaching, "text/html; charset=utf-8")}
}

// assetHeaders are a file's own headers. Every file has a gzip and a
// brotli copy, chosen by Accept-Encoding.
func assetHeaders(caching, contentType string) []header {
	return []header{
		{"Cache-Control", caching},
		{"Content-Type", contentType},
		{"Vary", "Accept-Encoding"},
	}
}

// exportedPage is the page as Export writes it: the served one with its
// policy in a <meta> tag as well, for a static host that sends no CSP
// header, compressed as the served one is.
func (s *site) exportedPage() (*asset, error) {
	page := s.page
	page.MetaCSP = s.policy
	index, err := renderPage(page)
	if err != nil {
		return nil, err
	}
	a := pageAsset(index)
	s.compressAsset(a)
	return a, nil
}

// headersOf is every header the site sends with a: the common ones, then
// its own.
func (s *site) headersOf(a *asset) []header {
	return append(append([]header(nil), s.common...), a.headers...)
}

// setHeaders sets hs on hdr.
func setHeaders(hdr http.Header, hs []header) {
	for _, h := range hs {
		hdr.Set(h.name, h.value)
	}
}
