// Package defendcheck serves the defendcheck page: the HTML, its assets and
// the checker's WebAssembly, with the security headers the page relies on.
// Build the WebAssembly with package wasmbuild; the page itself runs the
// check in the visitor's browser against one of the configured targets.
package defendcheck

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"math/bits"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/atomicfile"
	"github.com/lsports/defendcheck/web"
)

// Config is what the page serves.
type Config struct {
	// Targets are the endpoints a visitor may check; the first is the
	// default. Nothing a visitor sends can add to them.
	Targets []diagnosis.Target
	// WASM is the built checker (GOOS=js GOARCH=wasm ./wasm).
	WASM []byte
	// WasmExec is wasm_exec.js from the toolchain that built WASM.
	WasmExec []byte
	// CacheDir keeps the brotli-11 copies that Recompress makes, one file
	// per content, so that the next start serves them at once. Empty keeps
	// none: each start must recompress.
	CacheDir string
	// EmbedOrigins are the origins (such as https://portal.example.com)
	// allowed to frame the page and to receive its result by postMessage;
	// none keeps frame-ancestors 'none'.
	EmbedOrigins []string
}

// DefaultCacheDir is the usual Config.CacheDir: defendcheck/brotli in the
// user's cache directory, or "" where there is none.
func DefaultCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "defendcheck", "brotli")
}

// Compression levels. NewHandler returns, and the server listens, only once
// every asset has a gzip and a brotli copy, so those are made at levels that
// are fast: for the 20 MB WebAssembly of 2026-11-28, on one core here,
// brotli 5 0.7 s, brotli 9 2.3 s (4 % smaller), gzip 6 0.55 s, gzip 9 1.5 s
// (0.7 % smaller), all 7 to 20 times slower with -race. Brotli 11, 13 %
// smaller than brotli 9, takes 49 s, so the immutable assets get it from
// Recompress, in the background, or from CacheDir.
const (
	fastBrotli = 5
	bestBrotli = 11
	gzipLevel  = gzip.DefaultCompression
)

// bestWindow is the brotli window (log2 of its size) for n bytes at
// bestBrotli: the smallest that holds them all, up to brotli's 16 MB. For
// the 20 MB build a 16 MB window is 1 % smaller than the default 4 MB; a
// small asset gets a small window, as the encoder's memory grows with it.
func bestWindow(n int) int {
	return min(24, max(10, bits.Len(uint(n))))
}

// cacheSuffix ends the name of a cached brotli-11 copy:
// <sha256 of the uncompressed content>.br11.
const cacheSuffix = ".br11"

// Cached copies not used for cacheMaxAge are removed, and abandoned
// temporary files after tmpMaxAge.
const (
	cacheMaxAge = 30 * 24 * time.Hour
	tmpMaxAge   = time.Hour
)

// asset is one static file with its compressed copies. body and gz never
// change; br is replaced, whole, when a smaller copy is ready.
type asset struct {
	name        string
	sum         [sha256.Size]byte
	body, gz    []byte
	br          atomic.Pointer[[]byte]
	best        bool // br is brotli 11; guarded by Handler.recompressing
	contentType string
	immutable   bool
}

// Handler serves the page: its HTML and content-hashed assets, each with a
// gzip and a brotli copy chosen by Accept-Encoding.
type Handler struct {
	assets        map[string]*asset
	csp           string
	embedOrigins  []string // as in the CSP's frame-ancestors; none: 'none'
	cache         string
	recompressing sync.Mutex
}

// NewHandler returns the page's handler. It validates the targets and
// the embedding origins and compresses every asset with gzip and a fast
// brotli level, or takes an immutable asset's brotli-11 copy from
// cfg.CacheDir when that holds a sound one. Call Recompress, in the
// background, for the rest.
func NewHandler(cfg Config) (*Handler, error) {
	return newHandler(cfg, false)
}

// newHandler is NewHandler, for Export too: with metaCSP the page carries
// its policy in a <meta> tag as well, all of it but frame-ancestors, which
// a meta tag cannot carry.
func newHandler(cfg Config, metaCSP bool) (*Handler, error) {
	if len(cfg.Targets) == 0 {
		return nil, errors.New("no target: give at least one Socket.IO endpoint")
	}
	if len(cfg.WASM) == 0 || len(cfg.WasmExec) == 0 {
		return nil, errors.New("the checker's WebAssembly and wasm_exec.js are required")
	}
	connect := []string{"'self'"}
	for _, t := range cfg.Targets {
		if err := validTarget(t); err != nil {
			return nil, err
		}
		connect = append(connect, t.Origin, t.WebSocketOrigin())
	}
	origins, err := embedOrigins(cfg.EmbedOrigins)
	if err != nil {
		return nil, err
	}
	ancestors := "'none'"
	if len(origins) > 0 {
		ancestors = strings.Join(origins, " ")
	}

	h := &Handler{assets: map[string]*asset{}, cache: cfg.CacheDir, embedOrigins: origins}
	policy := "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; " +
		"connect-src " + strings.Join(connect, " ") + "; base-uri 'none'; form-action 'none'"
	h.csp = policy + "; frame-ancestors " + ancestors

	css, _ := web.Files.ReadFile("style.css")
	app, _ := web.Files.ReadFile("app.js")
	page := pageData{
		CSS:      h.add("style.css", css, "text/css; charset=utf-8"),
		App:      h.add("app.js", app, "text/javascript; charset=utf-8"),
		WasmExec: h.add("wasm_exec.js", cfg.WasmExec, "text/javascript; charset=utf-8"),
		WASM:     h.add("main.wasm", cfg.WASM, "application/wasm"),
		WASMSize: len(cfg.WASM),
		Config:   map[string]any{"targets": cfg.Targets, "embedOrigins": origins},
	}
	if metaCSP {
		page.MetaCSP = policy
	}
	index, err := renderPage(page)
	if err != nil {
		return nil, err
	}
	h.assets["/"] = &asset{name: "index.html", body: index, contentType: "text/html; charset=utf-8"}

	h.compress()
	return h, nil
}

// pageData is what web/index.html is rendered from.
type pageData struct {
	// The assets' content-hashed names, relative to the page.
	CSS, App, WasmExec, WASM string
	WASMSize                 int
	// Config goes into <script id="config"> as JSON: "targets", read by
	// the WebAssembly and by the endpoint list, and "embedOrigins", read by
	// app.js.
	Config map[string]any
	// MetaCSP, when not empty, is written into a <meta
	// http-equiv="Content-Security-Policy"> tag, for a static host that
	// sends no such header.
	MetaCSP string
}

// renderPage renders web/index.html: the one way the page is made, served
// or exported.
func renderPage(page pageData) ([]byte, error) {
	tmpl, err := template.ParseFS(web.Files, "index.html")
	if err != nil {
		return nil, err
	}
	var index bytes.Buffer
	if err := tmpl.Execute(&index, page); err != nil {
		return nil, err
	}
	return index.Bytes(), nil
}

// embedOrigins returns the origins allowed to embed the page as
// diagnosis.ParseOrigin gives them, in their order without repeats, or
// the error naming the first it refuses. It is never nil, so that the
// page's config lists [] for none.
func embedOrigins(list []string) ([]string, error) {
	origins := []string{}
	for _, s := range list {
		o, err := diagnosis.ParseOrigin(s)
		if err != nil {
			return nil, fmt.Errorf("embedding: %w", err)
		}
		if !slices.Contains(origins, o) {
			origins = append(origins, o)
		}
	}
	return origins, nil
}

// add registers an immutable asset under a content-hashed name and returns
// the name.
func (h *Handler) add(name string, body []byte, contentType string) string {
	sum := sha256.Sum256(body)
	ext := path.Ext(name)
	hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
	h.assets["/"+hashed] = &asset{name: hashed, sum: sum, body: body, contentType: contentType, immutable: true}
	return hashed
}

// compress makes every asset's first gzip and brotli copies, all at once
// so that they share the machine's cores. An immutable asset's brotli copy
// comes from the cache when it holds a sound one.
func (h *Handler) compress() {
	var wg sync.WaitGroup
	for _, a := range h.assets {
		wg.Go(func() { a.gz = gzipCompress(a.body) })
		wg.Go(func() {
			if a.immutable && h.cache != "" {
				if br := h.load(a); br != nil {
					a.br.Store(&br)
					a.best = true
					return
				}
			}
			level, window := fastBrotli, 0
			if !a.immutable {
				// The page: a few KB, fetched on every visit, rendered
				// for this configuration. Brotli 11 takes milliseconds.
				level, window = bestBrotli, bestWindow(len(a.body))
			}
			br, _ := brotliCompress(context.Background(), a.body, level, window)
			a.br.Store(&br)
		})
	}
	wg.Wait()
}

// Recompress gives every immutable asset that lacks one a brotli-11 copy,
// smallest asset first, and keeps each in the cache directory. Responses
// switch to an asset's smaller copy as soon as it is ready; each response
// is wholly one copy or the other. It returns when all are done, or ctx's
// error within a second or so of ctx ending; errors writing the cache are
// returned at the end and change nothing else. Run it in its own goroutine
// once the server listens; calls one after another do nothing more.
func (h *Handler) Recompress(ctx context.Context) error {
	cacheErr, err := h.recompress(ctx)
	if err != nil {
		return err
	}
	return cacheErr
}

// recompress is Recompress, with the errors writing the cache apart from
// the error that stopped it.
func (h *Handler) recompress(ctx context.Context) (cacheErr, err error) {
	h.recompressing.Lock()
	defer h.recompressing.Unlock()
	var todo []*asset
	for _, a := range h.assets {
		if a.immutable && !a.best {
			todo = append(todo, a)
		}
	}
	slices.SortFunc(todo, func(a, b *asset) int { return cmp.Compare(len(a.body), len(b.body)) })
	var cacheErrs []error
	for _, a := range todo {
		br, err := brotliCompress(ctx, a.body, bestBrotli, bestWindow(len(a.body)))
		if err != nil {
			return nil, err
		}
		if len(br) < len(*a.br.Load()) {
			a.br.Store(&br)
		}
		a.best = true
		if h.cache != "" {
			if err := h.store(a, br); err != nil {
				cacheErrs = append(cacheErrs, fmt.Errorf("caching the brotli-11 copy of %s: %w", a.name, err))
			}
		}
	}
	if h.cache != "" {
		h.prune(time.Now())
	}
	return errors.Join(cacheErrs...), nil
}

// cachePath is where the brotli-11 copy of a's content is kept.
func (h *Handler) cachePath(a *asset) string {
	return filepath.Join(h.cache, hex.EncodeToString(a.sum[:])+cacheSuffix)
}

// load returns the cached brotli-11 copy of a, or nil when there is none or
// it does not decode to a's content, which is checked on every load (for
// 20 MB about 0.1 s): a truncated or damaged file is never served, and
// Recompress replaces it. Using an entry marks it as recently used.
func (h *Handler) load(a *asset) []byte {
	p := h.cachePath(a)
	br, err := os.ReadFile(p)
	if err != nil || len(br) >= len(a.body)+len(a.body)/16+64 || !decodesTo(br, a.sum, len(a.body)) {
		return nil
	}
	now := time.Now()
	_ = os.Chtimes(p, now, now)
	return br
}

// decodesTo reports whether br is one brotli stream that decodes to size
// bytes with the SHA-256 sum, and nothing after it.
func decodesTo(br []byte, sum [sha256.Size]byte, size int) bool {
	d := sha256.New()
	n, err := io.Copy(d, io.LimitReader(brotli.NewReader(bytes.NewReader(br)), int64(size)+1))
	return err == nil && n == int64(size) && bytes.Equal(d.Sum(nil), sum[:])
}

// store writes br to the cache under a temporary name and renames it, so
// that another start never reads half a file.
func (h *Handler) store(a *asset, br []byte) error {
	if err := os.MkdirAll(h.cache, 0o755); err != nil {
		return err
	}
	return atomicfile.Write(h.cachePath(a), br, 0o600, ".tmp-")
}

// prune removes cached copies not used for cacheMaxAge (copies of builds
// long gone) and temporary files left by a process that died writing one.
func (h *Handler) prune(now time.Time) {
	entries, err := os.ReadDir(h.cache)
	if err != nil {
		return
	}
	for _, e := range entries {
		maxAge := cacheMaxAge
		switch name := e.Name(); {
		case strings.HasPrefix(name, ".tmp-"):
			maxAge = tmpMaxAge
		case !strings.HasSuffix(name, cacheSuffix) || !e.Type().IsRegular():
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > maxAge {
			_ = os.Remove(filepath.Join(h.cache, e.Name()))
		}
	}
}

func gzipCompress(body []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzipLevel)
	_, _ = zw.Write(body)
	_ = zw.Close()
	return buf.Bytes()
}

// brotliCompress compresses body at level with a window of 2^window bytes
// (0: the default), or returns ctx's error if ctx ends first. It feeds the
// encoder a little at a time, so that a cancellation waits for at most one
// input block's work (256 KiB at level 11: 0.4 to 0.7 s here, 3 to 7 s
// with -race).
func brotliCompress(ctx context.Context, body []byte, level, window int) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(body)/4 + 64)
	w := brotli.NewWriterOptions(&buf, brotli.WriterOptions{Quality: level, LGWin: window})
	for rest := body; len(rest) > 0; {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n := min(len(rest), 64<<10)
		if _, err := w.Write(rest[:n]); err != nil {
			return nil, err
		}
		rest = rest[n:]
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// validTarget accepts a target only as diagnosis.ParseTarget gives it, so
// that what reaches the CSP and the page's config has passed the one
// parser: an http(s) origin and a URL-safe path, nothing else.
func validTarget(t diagnosis.Target) error {
	if !strings.HasPrefix(t.Path, "/") {
		return fmt.Errorf("target origin %q: path %q does not start with /", t.Origin, t.Path)
	}
	p, err := diagnosis.ParseTarget(t.String())
	if err != nil {
		return err
	}
	if p != t {
		return fmt.Errorf("target origin %q, path %q: want origin %q, path %q, as diagnosis.ParseTarget gives them", t.Origin, t.Path, p.Origin, p.Path)
	}
	return nil
}

// ServeHTTP serves the page and its assets. A response's Content-Length
// and body come from one copy, read once, even while the brotli copy is
// being replaced.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Content-Security-Policy", h.csp)
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("X-Content-Type-Options", "nosniff")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hdr.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	a, ok := h.assets[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	hdr.Set("Content-Type", a.contentType)
	hdr.Set("Vary", "Accept-Encoding")
	if a.immutable {
		hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hdr.Set("Cache-Control", "no-cache")
	}
	body := a.body
	switch enc := r.Header.Get("Accept-Encoding"); {
	case accepts(enc, "br"):
		hdr.Set("Content-Encoding", "br")
		body = *a.br.Load()
	case accepts(enc, "gzip"):
		hdr.Set("Content-Encoding", "gzip")
		body = a.gz
	}
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(body)
}

// accepts reports whether an Accept-Encoding value allows coding.
func accepts(header, coding string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), coding) {
			continue
		}
		q := strings.TrimSpace(params)
		return !(strings.HasPrefix(q, "q=0") && strings.Trim(strings.TrimPrefix(q, "q="), "0.") == "")
	}
	return false
}
