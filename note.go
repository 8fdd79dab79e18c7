package defendcheck

import (
	"bytes"
	"strings"
	"text/template"
)

// noteTemplate is HEADERS.txt. The header lines come from the site, as the
// handler sends them; the prose says why.
var noteTemplate = template.Must(template.New(noteName).Parse(`Headers for the defendcheck page in this directory

This directory works as it is from any static host or CDN, even one that only
maps file extensions to MIME types. index.html carries the page's
Content-Security-Policy in a <meta> tag, except frame-ancestors, which a meta
tag cannot carry. Where your host lets you add response headers, add these,
which the defendcheck server itself sends; FILE.br and FILE.gz take the
headers of FILE (see the compressed copies below).
{{range .Blocks}}
{{.Label}}:
{{range .Lines}}
  {{.}}{{end}}
{{end}}
frame-ancestors {{if .Origins}}lets only {{.Origins}} frame the page{{else}}'none' stops any site from framing the page{{end}};
without the Content-Security-Policy header, any site can frame it.

index.html, which is also the directory's own URL, changes with each export.
The other files have the hash of their content in their name and never change.

With another Content-Type than application/wasm for *.wasm the page still
works, but compiles its code only once the whole file has arrived, instead of
while it downloads.

Compressed copies: beside every file FILE are FILE.br (brotli) and FILE.gz
(gzip), with the same content. A host that can choose by the request's
Accept-Encoding should answer a request for FILE with FILE.br and
Content-Encoding: br when it accepts br, else with FILE.gz and
Content-Encoding: gzip when it accepts gzip, else with FILE; always with the
headers of FILE. For example nginx: "gzip_static on;" and, with the
ngx_brotli module, "brotli_static on;"; Caddy: "file_server { precompressed
br gzip }". A host that cannot should leave the .br and .gz files out or
ignore them: a browser asks for FILE only.

RMS-Socket answers the page only if it allows this host's origin by CORS, with
the request headers customerid and authorization; where it does not, every
check ends as "unreachable".

This note and .defendcheck-export (the list of files, for the next export into
this directory) are not part of the page: the host does not need them.
`))

// noteBlock is a paragraph of HEADERS.txt's headers: the lines that the
// same files get, under those files' names, or "Every file".
type noteBlock struct {
	Label string
	Lines []string
}

// note renders HEADERS.txt for files, the page's first, from the headers
// the site sends with each.
func (s *site) note(files []*asset) []byte {
	var b bytes.Buffer
	// The data is strings and lists of them: it cannot fail.
	_ = noteTemplate.Execute(&b, struct {
		Blocks  []noteBlock
		Origins string
	}{s.noteBlocks(files), strings.Join(s.embedOrigins, " ")})
	return b.Bytes()
}

// noteBlocks groups the header lines of files by the files that get them,
// in the order the lines first come: a header every file gets is listed
// once, under "Every file".
func (s *site) noteBlocks(files []*asset) []noteBlock {
	var lines []string
	getters := map[string][]string{} // line -> the files that get it
	for _, a := range files {
		for _, h := range s.headersOf(a) {
			line := h.name + ": " + h.value
			if _, seen := getters[line]; !seen {
				lines = append(lines, line)
			}
			getters[line] = append(getters[line], a.name)
		}
	}
	var blocks []noteBlock
	byLabel := map[string]int{} // label -> index in blocks
	for _, line := range lines {
		label := strings.Join(getters[line], ", ")
		if len(getters[line]) == len(files) {
			label = "Every file"
		}
		i, ok := byLabel[label]
		if !ok {
			i = len(blocks)
			byLabel[label] = i
			blocks = append(blocks, noteBlock{Label: label})
		}
		blocks[i].Lines = append(blocks[i].Lines, line)
	}
	return blocks
}
