package defendcheck

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/lsports/defendcheck/diagnosis"
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
	// SupportURL, if set, is where the page's "Contact LSports support"
	// links to, and the report's Support line (diagnosis.ParseSupportURL).
	SupportURL string
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

// check validates cfg's targets and files and returns its embedding
// origins as embedOrigins gives them.
func (cfg Config) check() (origins []string, err error) {
	if len(cfg.Targets) == 0 {
		return nil, errors.New("no target: give at least one Socket.IO endpoint")
	}
	if len(cfg.WASM) == 0 || len(cfg.WasmExec) == 0 {
		return nil, errors.New("the checker's WebAssembly and wasm_exec.js are required")
	}
	for _, t := range cfg.Targets {
		if err := validTarget(t); err != nil {
			return nil, err
		}
	}
	if cfg.SupportURL != "" {
		if _, err := diagnosis.ParseSupportURL(cfg.SupportURL); err != nil {
			return nil, err
		}
	}
	return embedOrigins(cfg.EmbedOrigins)
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
