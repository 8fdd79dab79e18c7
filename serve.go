// Package defendcheck serves the defendcheck page: the HTML, its assets and
// the checker's WebAssembly, with the security headers the page relies on.
// Build the WebAssembly with package wasmbuild; the page itself runs the
// check in the visitor's browser against one of the configured targets.
package defendcheck

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/lsports/defendcheck/diagnosis"
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
}

// asset is one static file, compressed once when the handler is built.
type asset struct {
	body, gz, br []byte
	contentType  string
	immutable    bool
}

type handler struct {
	assets map[string]*asset
	csp    string
}

// NewHandler returns the page's handler. It validates the targets and
// compresses every asset (gzip and brotli) once, up front.
func NewHandler(cfg Config) (http.Handler, error) {
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
		u, _ := url.Parse(t.Origin)
		ws := "ws"
		if u.Scheme == "https" {
			ws = "wss"
		}
		connect = append(connect, u.Scheme+"://"+u.Host, ws+"://"+u.Host)
	}

	h := &handler{assets: map[string]*asset{}}
	h.csp = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; " +
		"connect-src " + strings.Join(connect, " ") + "; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

	css, _ := web.Files.ReadFile("style.css")
	app, _ := web.Files.ReadFile("app.js")
	page := struct {
		CSS, App, WasmExec, WASM string
		WASMSize                 int
		Config                   any
	}{
		CSS:      h.add("style.css", css, "text/css; charset=utf-8"),
		App:      h.add("app.js", app, "text/javascript; charset=utf-8"),
		WasmExec: h.add("wasm_exec.js", cfg.WasmExec, "text/javascript; charset=utf-8"),
		WASM:     h.add("main.wasm", cfg.WASM, "application/wasm"),
		WASMSize: len(cfg.WASM),
		Config:   map[string]any{"targets": cfg.Targets},
	}
	tmpl, err := template.ParseFS(web.Files, "index.html")
	if err != nil {
		return nil, err
	}
	var index bytes.Buffer
	if err := tmpl.Execute(&index, page); err != nil {
		return nil, err
	}
	h.assets["/"] = newAsset(index.Bytes(), "text/html; charset=utf-8", false)
	return h, nil
}

// add stores an immutable asset under a content-hashed name and returns it.
func (h *handler) add(name string, body []byte, contentType string) string {
	sum := sha256.Sum256(body)
	ext := path.Ext(name)
	hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
	h.assets["/"+hashed] = newAsset(body, contentType, true)
	return hashed
}

func newAsset(body []byte, contentType string, immutable bool) *asset {
	var gz, br bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	_, _ = zw.Write(body)
	_ = zw.Close()
	bw := brotli.NewWriterLevel(&br, 9)
	_, _ = bw.Write(body)
	_ = bw.Close()
	return &asset{body: body, gz: gz.Bytes(), br: br.Bytes(), contentType: contentType, immutable: immutable}
}

func validTarget(t diagnosis.Target) error {
	u, err := url.Parse(t.Origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return fmt.Errorf("target %q: want an http(s) origin such as https://rms.lsports.eu", t.Origin)
	}
	if !strings.HasPrefix(t.Path, "/") {
		return fmt.Errorf("target %q: path %q must start with /", t.Origin, t.Path)
	}
	return nil
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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
		body = a.br
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

// Server is a running HTTP server on a loopback or given address.
type Server struct {
	srv *http.Server
	ln  net.Listener
}

// Listen serves h on addr ("127.0.0.1:0" picks a free port) until Close.
func Listen(addr string, h http.Handler) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{ln: ln, srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// URL is the server's base URL, e.g. http://127.0.0.1:8080.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Close stops the server, giving open requests a second to finish.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		return s.srv.Close()
	}
	return nil
}
