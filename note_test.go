package defendcheck_test

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// noteHeaders parses HEADERS.txt's header paragraphs: a line that names
// files, separated by ", ", or says "Every file", and ends with ":", then
// indented "Name: value" lines. It returns the header lines of every file
// and those of each named file.
func noteHeaders(t *testing.T, note string) (every []string, byFile map[string][]string) {
	t.Helper()
	byFile = map[string][]string{}
	var label string
	for _, line := range strings.Split(note, "\n") {
		switch {
		case line == "":
		case strings.HasPrefix(line, "  ") && label != "":
			h := strings.TrimSpace(line)
			if label == "Every file" {
				every = append(every, h)
				continue
			}
			for _, name := range strings.Split(label, ", ") {
				byFile[name] = append(byFile[name], h)
			}
		case strings.HasSuffix(line, ":"):
			label = strings.TrimSuffix(line, ":")
		default:
			label = ""
		}
	}
	if len(every) == 0 {
		t.Fatalf("HEADERS.txt has no \"Every file:\" paragraph:\n%s", note)
	}
	return every, byFile
}

// servedHeaders are the header lines of a response that the site's policy
// decides: all but Date, Content-Length and Content-Encoding, which belong
// to one response.
func servedHeaders(t *testing.T, url, acceptEncoding string) (lines []string, encoding string) {
	t.Helper()
	res, _ := get(t, url, acceptEncoding)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, res.StatusCode)
	}
	for name, values := range res.Header {
		if name == "Date" || name == "Content-Length" || name == "Content-Encoding" {
			continue
		}
		for _, v := range values {
			lines = append(lines, name+": "+v)
		}
	}
	return lines, res.Header.Get("Content-Encoding")
}

// TestExportNoteListsTheServedHeaders: for every file of an export,
// HEADERS.txt lists exactly the headers the handler sends with it, so that
// a header added to one and not the other fails here.
func TestExportNoteListsTheServedHeaders(t *testing.T) {
	for _, origins := range [][]string{nil, {"https://portal.example", "http://127.0.0.1:8080"}} {
		cfg := exportConfig(t)
		cfg.EmbedOrigins = origins
		dir := t.TempDir()
		export(t, dir, cfg)
		_, base := start(t, cfg)
		note := string(read(t, filepath.Join(dir, "HEADERS.txt")))
		every, byFile := noteHeaders(t, note)

		names := slices.Compact(slices.Sorted(slices.Values(references(read(t, filepath.Join(dir, "index.html"))))))
		names = append(names, "index.html")
		if got := slices.Sorted(maps.Keys(byFile)); !slices.Equal(got, slices.Sorted(slices.Values(names))) {
			t.Errorf("HEADERS.txt has headers for %q, want for the export's files %q", got, names)
		}
		for _, name := range names {
			url := base + "/" + name
			if name == "index.html" {
				url = base + "/"
			}
			want := slices.Sorted(slices.Values(slices.Concat(every, byFile[name])))
			for _, enc := range []string{"identity", "gzip", "br"} {
				got, encoding := servedHeaders(t, url, enc)
				if slices.Sort(got); !slices.Equal(got, want) {
					t.Errorf("%s (origins %q, Accept-Encoding %s): served\n  %s\nHEADERS.txt lists\n  %s",
						name, origins, enc, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
				}
				if encoding != "" && !strings.Contains(note, "Content-Encoding: "+encoding) {
					t.Errorf("%s is served with Content-Encoding %s, which HEADERS.txt does not name", name, encoding)
				}
			}
		}
	}
}
