package defendcheck

import (
	"bytes"
	"html/template"
	"strings"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/web"
)

// pageData is what web/index.html is rendered from.
type pageData struct {
	// The assets' content-hashed names, relative to the page.
	CSS, App, WasmExec, WASM string
	WASMSize                 int
	// Config goes into <script id="config"> as JSON: "targets", read by
	// the WebAssembly and by the endpoint list, and "embedOrigins" and
	// "maxHoldS" (the longest ?hold=, diagnosis.MaxHold), read by app.js.
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

// metaPolicy is the page's Content-Security-Policy but frame-ancestors,
// which a <meta> tag cannot carry: the page may connect to itself and to
// the targets only, over HTTP and WebSocket.
func metaPolicy(targets []diagnosis.Target) string {
	connect := []string{"'self'"}
	for _, t := range targets {
		connect = append(connect, t.Origin, t.WebSocketOrigin())
	}
	return "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; " +
		"connect-src " + strings.Join(connect, " ") + "; base-uri 'none'; form-action 'none'"
}

// headerPolicy is the Content-Security-Policy header: metaPolicy with
// frame-ancestors, which lists the embedding origins, or 'none'.
func headerPolicy(meta string, embedOrigins []string) string {
	ancestors := "'none'"
	if len(embedOrigins) > 0 {
		ancestors = strings.Join(embedOrigins, " ")
	}
	return meta + "; frame-ancestors " + ancestors
}
