package main

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lsports/defendcheck"
	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/logbuf"
	"github.com/lsports/defendcheck/wasmbuild"
)

// fakeExport records what the export command builds and exports.
type fakeExport struct {
	built bool
	dir   string
	cfg   *defendcheck.Config
	err   error // what export returns
}

func (f *fakeExport) exporter() exporter {
	return exporter{
		build: func(context.Context) (*wasmbuild.Result, error) {
			f.built = true
			return &wasmbuild.Result{WASM: []byte("\x00asm"), WasmExec: []byte("// wasm_exec.js")}, nil
		},
		export: func(_ context.Context, dir string, cfg defendcheck.Config) error {
			f.dir, f.cfg = dir, &cfg
			return f.err
		},
	}
}

// TestExportChecksFlagsBeforeTheBuild: a bad command line is refused with
// its reason and the usage, and nothing is built.
func TestExportChecksFlagsBeforeTheBuild(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no -o", []string{"-target", "https://rms.lsports.eu"}, "export: -o is required"},
		{"no -target", []string{"-o", dir}, "export: -target is required: an exported page has no simulator, e.g. -target https://rms.lsports.eu/rms-socket/socket.io"},
		{"bad -target", []string{"-o", dir, "-target", "https://rms.lsports.eu?x=1"}, `a query ("?x=1") is not allowed`},
		{"bad -embed-origin", []string{"-o", dir, "-target", "https://rms.lsports.eu", "-embed-origin", "https://portal.example.com/support"}, `origin "https://portal.example.com/support": a path ("/support") is not allowed`},
		{"stray argument", []string{"-o", dir, "-target", "https://rms.lsports.eu", "extra"}, `unexpected argument "extra": export takes flags only`},
		{"bad -support-url", []string{"-o", dir, "-target", "https://rms.lsports.eu", "-support-url", "javascript:alert(1)"}, `support URL "javascript:alert(1)": want an http or https URL`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var f fakeExport
			var stdout, stderr logbuf.Buffer
			err := f.exporter().run(context.Background(), tt.args, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error()+stderr.String(), tt.want) {
				t.Errorf("err %v, stderr %q; want %q", err, stderr.String(), tt.want)
			}
			if !strings.Contains(stderr.String(), "Usage: defendcheck export -o DIR -target URL") {
				t.Errorf("no usage on stderr: %q", stderr.String())
			}
			if f.built || f.cfg != nil || stdout.String() != "" {
				t.Errorf("built %v, exported %v, stdout %q: the command went on", f.built, f.cfg != nil, stdout.String())
			}
		})
	}
}

// TestExportExportsWithTheFlags: the page is exported into -o with the
// targets and embedding origins as parsed, and the built checker.
func TestExportExportsWithTheFlags(t *testing.T) {
	dir, cache := filepath.Join(t.TempDir(), "site"), t.TempDir()
	var f fakeExport
	var stdout, stderr logbuf.Buffer
	err := f.exporter().run(context.Background(), []string{
		"-o", dir, "-cache-dir", cache,
		"-target", "https://rms.lsports.eu", "-target", "HTTPS://rms.lsports.cloud:443/rms-socket/socket.io/",
		"-embed-origin", "https://portal.example.com/", "-embed-origin", "https://Support.Example.com:8443",
	}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	want := defendcheck.Config{
		Targets: []diagnosis.Target{
			{Origin: "https://rms.lsports.eu", Path: "/rms-socket/socket.io"},
			{Origin: "https://rms.lsports.cloud", Path: "/rms-socket/socket.io"},
		},
		WASM: []byte("\x00asm"), WasmExec: []byte("// wasm_exec.js"), CacheDir: cache,
		EmbedOrigins: []string{"https://portal.example.com", "https://support.example.com:8443"},
	}
	if f.dir != dir || f.cfg == nil || !reflect.DeepEqual(*f.cfg, want) {
		t.Errorf("exported to %q with %+v\nwant %q with %+v", f.dir, f.cfg, dir, want)
	}
	if !strings.HasSuffix(stdout.String(), "wrote the checker page to "+dir+"\n") {
		t.Errorf("stdout %q does not say where the page is", stdout.String())
	}

	f.err = errors.New("disk full")
	if err := f.exporter().run(context.Background(), []string{"-o", dir, "-target", "https://rms.lsports.eu"}, &stdout, &stderr); !errors.Is(err, f.err) {
		t.Errorf("err %v, want the export's %v", err, f.err)
	}
}

// TestCommandLinesRefusedBeforeTheBuild: serve and export refuse a stray
// argument or a bad -embed-origin with exit status 2 and the reason last,
// before anything is built; an unknown command is refused with the list of
// commands and exit status 3.
func TestCommandLinesRefusedBeforeTheBuild(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"serve", "-addr", "127.0.0.1:0", "extra"}, 2, `defendcheck: unexpected argument "extra": serve takes flags only`},
		{[]string{"-addr", "127.0.0.1:0", "extra"}, 2, `defendcheck: unexpected argument "extra": serve takes flags only`},
		{[]string{"-addr", "127.0.0.1:0", "-embed-origin", "https://portal.example.com;frame-src"}, 2, `defendcheck: invalid value "https://portal.example.com;frame-src" for flag -embed-origin: origin "https://portal.example.com;frame-src": host "portal.example.com;frame-src": ';' is not allowed`},
		{[]string{"export", "-o", t.TempDir(), "-target", "https://rms.lsports.eu", "extra"}, 2, `defendcheck: unexpected argument "extra": export takes flags only`},
		{[]string{"export", "-target", "https://rms.lsports.eu"}, 2, "defendcheck: export: -o is required"},
		{[]string{"exprot", "-o", t.TempDir()}, 3, `defendcheck: unknown command "exprot"`},
	} {
		var stdout, stderr logbuf.Buffer
		code := run(context.Background(), tt.args, &stdout, &stderr, noEnv)
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		if code != tt.code || !strings.HasPrefix(lines[len(lines)-1], tt.want) {
			t.Errorf("%q: exit status %d, last line of stderr %q; want %d, %q", tt.args, code, lines[len(lines)-1], tt.code, tt.want)
		}
		if !strings.Contains(stderr.String(), "Usage:") || stdout.String() != "" {
			t.Errorf("%q: no usage on stderr, or the command went on: stdout %q", tt.args, stdout.String())
		}
	}
}

// TestHelp: -h prints each command's usage and is not an error; the
// default command's lists every command.
func TestHelp(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"-h"}, []string{"defendcheck [serve] [flags]", "defendcheck check -target URL -customer-id ID [flags]", "defendcheck export -o DIR -target URL [flags]", "Flags of serve:", "-embed-origin origin"}},
		{[]string{"serve", "-h"}, []string{"Flags of serve:", "-sim-conn-per-minute"}},
		{[]string{"export", "-h"}, []string{"Usage: defendcheck export -o DIR -target URL", "-o directory", "-embed-origin origin", "-target endpoint"}},
		{[]string{"check", "-h"}, []string{"Usage: defendcheck check -target URL -customer-id ID [flags]", "-token-file file", tokenEnv, "Exit status: 0 ok, 1 warning, 2 error, 3 could not run"}},
	} {
		var stdout, stderr logbuf.Buffer
		code := run(context.Background(), tt.args, &stdout, &stderr, noEnv)
		for _, w := range tt.want {
			if code != 0 || !strings.Contains(stderr.String(), w) {
				t.Errorf("%q: exit status %d, want 0 and %q in the usage:\n%s", tt.args, code, w, stderr.String())
			}
		}
	}
}
