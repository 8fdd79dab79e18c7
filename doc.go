// Package defendcheck serves the defendcheck page: the HTML, its assets and
// the checker's WebAssembly, with the security headers the page relies on,
// or exports it for a static host. Build the WebAssembly with package
// wasmbuild; the page itself runs the check in the visitor's browser
// against one of the configured targets.
//
// The files by job: config.go (what the page serves and its checks),
// page.go (the page and its CSP), site.go (the one site value: every file
// with its headers, built once, which Handler and Export both use),
// compress.go and cache.go (gzip and brotli copies, the brotli-11 cache),
// serve.go (the Handler: serving by Accept-Encoding), export.go and note.go (the
// static export and its HEADERS.txt). The server's lifecycle is
// internal/httpserve's.
package defendcheck
