// Package web holds the checker page's static files: the HTML template,
// its stylesheet and the WebAssembly loader. site.go embeds them.
package web

import "embed"

// Files are index.html, style.css and app.js.
//
//go:embed index.html style.css app.js
var Files embed.FS
