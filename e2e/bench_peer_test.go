package e2e

import (
	"bytes"
	"context"
	"html/template"
	"math/bits"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/lsports/defendcheck/rmssim"
	"github.com/lsports/defendcheck/wasmbuild"
)

// servePeer serves the reference page, its script and the socket.io-client
// browser bundle from npm, brotli-compressed once like ours, with the same
// caching as ours: the HTML no-cache, the scripts immutable.
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
	return serveStatic(b, map[string]staticFile{
		"/":                 {index.Bytes(), "text/html; charset=utf-8"},
		"/peer.js":          {readTestdata(b, "peer", "peer.js"), "text/javascript; charset=utf-8"},
		"/socket.io.min.js": {bundle, "text/javascript; charset=utf-8"},
	}, 9)
}

// serveFloor builds the floor page's Go program (internal/floor) with the
// checker's flags and serves it with the checker's wasm_exec.js, at brotli
// 11 as ours is served (about 10 s to compress here).
func serveFloor(b *testing.B) string {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	wasm, err := wasmbuild.BuildPackage(ctx, "github.com/lsports/defendcheck/internal/floor")
	if err != nil {
		b.Fatal(err)
	}
	return serveStatic(b, map[string]staticFile{
		"/":             {readTestdata(b, "floor", "index.html"), "text/html; charset=utf-8"},
		"/floor.js":     {readTestdata(b, "floor", "floor.js"), "text/javascript; charset=utf-8"},
		"/wasm_exec.js": {built.WasmExec, "text/javascript; charset=utf-8"},
		"/floor.wasm":   {wasm, "application/wasm"},
	}, 11)
}

func readTestdata(b *testing.B, dir, name string) []byte {
	b.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", dir, name))
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

type staticFile struct {
	body        []byte
	contentType string
}

// serveStatic serves files by path, brotli-compressed at level (at 11 with
// the window the page's own server picks: one that holds the file) to a
// browser that takes it; the HTML no-cache, the rest immutable.
func serveStatic(b *testing.B, files map[string]staticFile, level int) string {
	b.Helper()
	compressed := map[string][]byte{}
	for name, f := range files {
		var buf bytes.Buffer
		window := 0 // brotli's default
		if level == 11 {
			window = min(24, max(10, bits.Len(uint(len(f.body)))))
		}
		w := brotli.NewWriterOptions(&buf, brotli.WriterOptions{Quality: level, LGWin: window})
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
		if r.URL.Path == "/" {
			w.Header().Set("Cache-Control", "no-cache")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		}
		body := f.body
		if strings.Contains(r.Header.Get("Accept-Encoding"), "br") {
			w.Header().Set("Content-Encoding", "br")
			body = compressed[r.URL.Path]
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	})) + "/"
}
