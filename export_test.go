package defendcheck_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"html"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/lsports/defendcheck"
)

// TestExportRefusesABadEmbedOrigin: Export refuses an origin that
// diagnosis.ParseOrigin refuses, naming it, and writes nothing.
func TestExportRefusesABadEmbedOrigin(t *testing.T) {
	for _, tt := range badOrigins {
		cfg := defendcheck.Config{Targets: targets, WASM: fakeWASM, WasmExec: fakeExec,
			EmbedOrigins: []string{"https://portal.example", tt.origin}}
		dir := filepath.Join(t.TempDir(), "site")
		err := defendcheck.Export(context.Background(), dir, cfg)
		if err == nil || !strings.Contains(err.Error(), `"`+tt.origin+`"`) {
			t.Errorf("Export with %q: err = %v, want one naming it", tt.origin, err)
		}
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Export with %q made its directory (%v)", tt.origin, err)
		}
	}
}

// exportConfig is what the export tests export: textWASM, so that brotli
// 11 takes milliseconds, and a cache of their own.
func exportConfig(t *testing.T) defendcheck.Config {
	return defendcheck.Config{Targets: targets, WASM: textWASM, WasmExec: fakeExec, CacheDir: t.TempDir(),
		EmbedOrigins: []string{"https://portal.example"}}
}

func export(t *testing.T, dir string, cfg defendcheck.Config) {
	t.Helper()
	if err := defendcheck.Export(context.Background(), dir, cfg); err != nil {
		t.Fatalf("Export: %v", err)
	}
}

// files lists dir's file names.
func files(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// references lists the files a page refers to.
func references(page []byte) []string {
	var refs []string
	for _, m := range regexp.MustCompile(`\s(?:href|src|data-wasm)="([^"]+)"`).FindAllSubmatch(page, -1) {
		refs = append(refs, string(m[1]))
	}
	return refs
}

var metaCSP = regexp.MustCompile(`\n<meta http-equiv="Content-Security-Policy" content="([^"]*)">`)

// exported is an export and a server of the same Config, to compare.
type exported struct {
	cfg    defendcheck.Config
	dir    string
	base   string // the server's URL
	header string // the Content-Security-Policy it sends
	served []byte // the page it serves
	index  []byte // the exported index.html
}

func exportAndServe(t *testing.T) exported {
	t.Helper()
	ex := exported{cfg: exportConfig(t), dir: filepath.Join(t.TempDir(), "site")} // Export makes it
	export(t, ex.dir, ex.cfg)
	_, ex.base = start(t, ex.cfg)
	res, served := get(t, ex.base+"/", "identity")
	ex.header, ex.served = res.Header.Get("Content-Security-Policy"), served
	ex.index = read(t, filepath.Join(ex.dir, "index.html"))
	return ex
}

func TestExport(t *testing.T) {
	ex := exportAndServe(t)
	t.Run("page", ex.checkPage)
	t.Run("files", ex.checkFiles)
	t.Run("note", ex.checkNote)
}

// checkPage: the policy is in a meta tag, before anything it governs,
// without frame-ancestors; otherwise the page is the served one, byte for
// byte.
func (ex exported) checkPage(t *testing.T) {
	index := ex.index
	m := metaCSP.FindSubmatchIndex(index)
	if m == nil {
		t.Fatalf("index.html has no meta CSP:\n%s", index)
	}
	meta := html.UnescapeString(string(index[m[2]:m[3]]))
	if want := strings.TrimSuffix(ex.header, "; frame-ancestors https://portal.example"); meta != want || strings.Contains(meta, "frame-ancestors") {
		t.Errorf("meta CSP %q, want the served one without frame-ancestors: %q", meta, want)
	}
	if first := regexp.MustCompile(`<(link|script)`).FindIndex(index); first == nil || first[0] < m[0] {
		t.Error("the meta CSP comes after a stylesheet or script")
	}
	if without := slices.Concat(index[:m[0]], index[m[1]:]); !bytes.Equal(without, ex.served) {
		t.Errorf("index.html without its meta CSP differs from the served page:\n%s\n---\n%s", without, ex.served)
	}
	if got := configOf(t, index).EmbedOrigins; !slices.Equal(got, []string{"https://portal.example"}) {
		t.Errorf("index.html's config embedOrigins = %q", got)
	}
}

// checkFiles: every file the page refers to is there, as served, with a
// brotli-11 and a gzip copy; so is the page; the manifest lists them all.
func (ex exported) checkFiles(t *testing.T) {
	refs := references(ex.index)
	if len(refs) != 5 { // style, preload, wasm_exec, app, data-wasm
		t.Errorf("index.html refers to %q, want 5 references", refs)
	}
	var want []string
	for _, name := range append(refs, "index.html") {
		body := read(t, filepath.Join(ex.dir, name))
		if name != "index.html" {
			if _, asServed := get(t, ex.base+"/"+name, "identity"); !bytes.Equal(body, asServed) {
				t.Errorf("%s differs from the served %s", name, name)
			}
		}
		checkCopies(t, ex.dir, name, body)
		want = append(want, name, name+".br", name+".gz")
	}
	want = append(want, "HEADERS.txt")
	want = slices.Compact(slices.Sorted(slices.Values(want))) // the wasm is referred to twice
	manifest := strings.Split(strings.TrimSpace(string(read(t, filepath.Join(ex.dir, ".defendcheck-export")))), "\n")
	manifest = slices.DeleteFunc(manifest, func(l string) bool { return strings.HasPrefix(l, "#") })
	if slices.Sort(manifest); !slices.Equal(manifest, want) {
		t.Errorf(".defendcheck-export lists %q, want %q", manifest, want)
	}
	if got, want := files(t, ex.dir), slices.Sorted(slices.Values(append(want, ".defendcheck-export"))); !slices.Equal(got, want) {
		t.Errorf("the export holds %q, want %q", got, want)
	}
}

// checkCopies checks that dir holds name.br, brotli 11 (or the fast
// level's copy where that is no larger), and name.gz, each decoding to
// body.
func checkCopies(t *testing.T, dir, name string, body []byte) {
	t.Helper()
	br := read(t, filepath.Join(dir, name+".br"))
	if dec, err := io.ReadAll(brotli.NewReader(bytes.NewReader(br))); err != nil || !bytes.Equal(dec, body) {
		t.Errorf("%s.br does not decode to %s (%v)", name, name, err)
	}
	if best := best11(t, body); !bytes.Equal(br, best) && len(br) > len(best) {
		t.Errorf("%s.br is not brotli 11 (%d bytes, want %d)", name, len(br), len(best))
	}
	zr, err := gzip.NewReader(bytes.NewReader(read(t, filepath.Join(dir, name+".gz"))))
	if err != nil {
		t.Fatalf("%s.gz: %v", name, err)
	}
	if dec, err := io.ReadAll(zr); err != nil || !bytes.Equal(dec, body) {
		t.Errorf("%s.gz does not decode to %s (%v)", name, name, err)
	}
}

// checkNote: the note gives the host what the meta tag cannot carry, and
// the brotli-11 copies went into the cache.
func (ex exported) checkNote(t *testing.T) {
	note := string(read(t, filepath.Join(ex.dir, "HEADERS.txt")))
	for _, line := range append([]string{
		"Content-Security-Policy: " + ex.header,
		"X-Content-Type-Options: nosniff",
		"Cache-Control: no-cache",
		"Cache-Control: public, max-age=31536000, immutable",
		"Content-Type: application/wasm",
		"Content-Encoding: br",
		"Vary: Accept-Encoding",
		"lets only https://portal.example frame the page",
	}, references(ex.index)...) {
		if !strings.Contains(note, line) {
			t.Errorf("HEADERS.txt lacks %q:\n%s", line, note)
		}
	}
	if _, err := os.Stat(cacheFile(ex.cfg.CacheDir, textWASM)); err != nil {
		t.Errorf("the wasm's brotli-11 copy is not cached: %v", err)
	}
}

// TestExportTakesBrotliFromTheCache: a sound copy in the cache is used as
// it is, not made again.
func TestExportTakesBrotliFromTheCache(t *testing.T) {
	cfg := exportConfig(t)
	var fast bytes.Buffer
	w := brotli.NewWriterLevel(&fast, 1)
	_, _ = w.Write(textWASM)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cacheFile(cfg.CacheDir, textWASM), fast.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	export(t, dir, cfg)
	wasm := regexp.MustCompile(`main\.[0-9a-f]{12}\.wasm`).FindString(string(read(t, filepath.Join(dir, "index.html"))))
	if got := read(t, filepath.Join(dir, wasm+".br")); !bytes.Equal(got, fast.Bytes()) {
		t.Errorf("%s.br is %d bytes, not the cached %d", wasm, len(got), fast.Len())
	}
}

// TestExportReplacesAPreviousExport: the files of the previous export are
// replaced or removed; a file the host's operator added stays.
func TestExportReplacesAPreviousExport(t *testing.T) {
	dir := t.TempDir()
	first := exportConfig(t)
	export(t, dir, first)
	oldIndex := read(t, filepath.Join(dir, "index.html"))
	if err := os.WriteFile(filepath.Join(dir, "robots.txt"), []byte("User-agent: *\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	second := exportConfig(t)
	second.WASM = append(bytes.Clone(textWASM), "another build"...)
	second.EmbedOrigins = nil
	export(t, dir, second)
	index := read(t, filepath.Join(dir, "index.html"))
	wasm := regexp.MustCompile(`main\.[0-9a-f]{12}\.wasm`)
	oldWasm, newWasm := wasm.FindString(string(oldIndex)), wasm.FindString(string(index))
	if oldWasm == newWasm {
		t.Fatalf("both exports name %s", newWasm)
	}
	got := files(t, dir)
	for _, name := range []string{oldWasm, oldWasm + ".br", oldWasm + ".gz"} {
		if slices.Contains(got, name) {
			t.Errorf("%s of the previous export is still there", name)
		}
	}
	for _, name := range append(references(index), "robots.txt", newWasm+".br", newWasm+".gz") {
		if !slices.Contains(got, name) {
			t.Errorf("%s is missing after the second export", name)
		}
	}
	if string(read(t, filepath.Join(dir, "robots.txt"))) != "User-agent: *\n" {
		t.Error("robots.txt changed")
	}
	if c := configOf(t, index); len(c.EmbedOrigins) != 0 {
		t.Errorf("the second export's page still lists %q", c.EmbedOrigins)
	}
	if note := string(read(t, filepath.Join(dir, "HEADERS.txt"))); !strings.Contains(note, "frame-ancestors 'none'") {
		t.Errorf("HEADERS.txt does not say frame-ancestors 'none':\n%s", note)
	}
	if strings.Contains(string(read(t, filepath.Join(dir, ".defendcheck-export"))), oldWasm) {
		t.Error(".defendcheck-export still lists the previous wasm")
	}
}
