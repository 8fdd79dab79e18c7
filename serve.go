package defendcheck

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/lsports/defendcheck/diagnosis"
)

// Handler serves the page: its HTML and content-hashed assets, each with a
// gzip and a brotli copy chosen by Accept-Encoding.
type Handler struct {
	site *site
}

// NewHandler returns the page's handler. It validates the targets and
// the embedding origins and compresses every asset with gzip and a fast
// brotli level, or takes an immutable asset's brotli-11 copy from
// cfg.CacheDir when that holds a sound one. Call Recompress, in the
// background, for the rest.
func NewHandler(cfg Config) (*Handler, error) {
	s, err := newSite(cfg)
	if err != nil {
		return nil, err
	}
	return &Handler{site: s}, nil
}

// Recompress gives every immutable asset that lacks one a brotli-11 copy,
// smallest asset first, and keeps each in the cache directory. Responses
// switch to an asset's smaller copy as soon as it is ready; each response
// is wholly one copy or the other. It returns when all are done, or ctx's
// error within a second or so of ctx ending; errors writing the cache are
// returned at the end and change nothing else. Run it in its own goroutine
// once the server listens; calls one after another do nothing more.
func (h *Handler) Recompress(ctx context.Context) error {
	cacheErr, err := h.site.recompress(ctx)
	if err != nil {
		return err
	}
	return cacheErr
}

// ServeHTTP serves the page and its assets with the site's headers. A
// response's Content-Length and body come from one copy, read once, even
// while the brotli copy is being replaced.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	setHeaders(hdr, h.site.common)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hdr.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	a, ok := h.site.assets[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	setHeaders(hdr, a.headers)
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
		if r.URL.Path == "/" {
			seenFrom(hdr, r)
		}
		return
	}
	_, _ = w.Write(body)
}

// seenFrom tells the page, on its clock request (a HEAD of the page; see
// diagnosis.SeenFromHeader), the address this server saw the request come
// from. Only a HEAD carries it, never stored: the page it goes with is
// shared, the address is the visitor's.
func seenFrom(hdr http.Header, r *http.Request) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if addr := diagnosis.SeenFrom(host); err == nil && addr != "" {
		hdr.Set(diagnosis.SeenFromHeader, addr)
		hdr.Set("Cache-Control", "no-store")
	}
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
