package rmssim

import (
	"html/template"
	"net/http"
)

var landing = template.Must(template.New("landing").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Simulated RMS-Socket</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #1b1f24; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #d0d7de; vertical-align: top; }
code { background: #f3f4f6; padding: 0 .25rem; border-radius: 3px; }
</style>
</head>
<body>
<h1>Simulated RMS-Socket</h1>
<p>A real Socket.IO v4 server that behaves like LSports DEFEND RMS-Socket.
Connect to this origin with path <code>{{.Path}}</code>, namespace <code>/</code>,
and send the customer ID in the <code>customerid</code> header of the handshake.
After connecting, emit <code>join</code> to receive events.</p>
<p>The customer ID chooses what happens:</p>
<table>
<thead><tr><th scope="col">customer ID</th><th scope="col">what the simulator does</th><th scope="col">message or close reason</th></tr></thead>
<tbody>
{{range .Outcomes}}<tr><td><code>{{.CustomerID}}</code></td><td>{{.Description}}</td><td>{{.Message}}</td></tr>
{{end}}<tr><td>connected, no <code>join</code></td><td>stays connected and silent, as the real service does</td><td></td></tr>
</tbody>
</table>
<p>Connection attempts are rate limited per client IP when the simulator runs with a limit
(<code>-conn-per-minute</code>); past it, connect_error <code>Rate limit exceeded</code> with 429.</p>
</body>
</html>
`))

func serveLanding(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = landing.Execute(w, struct {
		Path     string
		Outcomes []Outcome
	}{Path, Outcomes})
}
