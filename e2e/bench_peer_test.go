package e2e

import (
	"bytes"
	"html/template"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/lsports/defendcheck/rmssim"
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
	script, err := os.ReadFile(filepath.Join("testdata", "peer", "peer.js"))
	if err != nil {
		b.Fatal(err)
	}
	files := map[string]struct {
		body        []byte
		contentType string
	}{
		"/":                 {index.Bytes(), "text/html; charset=utf-8"},
		"/peer.js":          {script, "text/javascript; charset=utf-8"},
		"/socket.io.min.js": {bundle, "text/javascript; charset=utf-8"},
	}
	compressed := map[string][]byte{}
	for name, f := range files {
		var buf bytes.Buffer
		w := brotli.NewWriterLevel(&buf, 9)
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
