package wasmbuild

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"
)

// forbidden are the packages that a browser never runs: servers, HTTP/3,
// TLS, msgpack, HTTP clients; and what the patch series took out after
// those: the network stack, signals, slog, the log package (0014), regexp
// and every crypto package (crypto/rand drags in the FIPS module); and the
// watcher's Prometheus client. An entry ending in "/" stands for
// every package under it; any other, for itself alone. The trimmed browser
// build must link none of them.
var forbidden = []string{
	"net", "net/http", "net/http/",
	"crypto", "crypto/",
	"os/signal", "log", "log/slog", "regexp", "regexp/",
	"github.com/quic-go/",
	"github.com/vmihailenco/",
	"resty.dev/",
	"github.com/gorilla/",
	"github.com/gookit/",
	"github.com/zishang520/socket.io/servers/",
	"github.com/prometheus/",
}

func isForbidden(pkg string) bool {
	for _, f := range forbidden {
		if pkg == f || strings.HasSuffix(f, "/") && strings.HasPrefix(pkg, f) {
			return true
		}
	}
	return false
}

// TestBrowserBuildLinksNoServerCode lists the trimmed browser build's
// packages and fails naming each forbidden one and what imports it.
func TestBrowserBuildLinksNoServerCode(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	modfile, err := Modfile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out, err := goCmd(ctx, jsEnv, "list", "-modfile="+modfile, "-deps",
		"-f", "{{.ImportPath}}:{{range .Imports}} {{.}}{{end}}", Package)
	if err != nil {
		t.Fatal(err)
	}
	importers := map[string][]string{}
	var pkgs []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		pkg, imports, _ := strings.Cut(line, ":")
		pkgs = append(pkgs, pkg)
		for _, imp := range strings.Fields(imports) {
			importers[imp] = append(importers[imp], pkg)
		}
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found only %d packages: %q", len(pkgs), pkgs)
	}
	var bad []string
	for _, pkg := range pkgs {
		if isForbidden(pkg) {
			by := importers[pkg]
			sort.Strings(by)
			bad = append(bad, pkg+" (imported by "+strings.Join(by, ", ")+")")
		}
	}
	if len(bad) > 0 {
		t.Errorf("the browser build links %d forbidden packages:\n%s", len(bad), strings.Join(bad, "\n"))
	}
	t.Logf("the browser build has %d packages", len(pkgs))
}

func TestIsForbidden(t *testing.T) {
	for pkg, want := range map[string]bool{
		"net/http":                   true,
		"net/http/httptrace":         true,
		"net":                        true,
		"net/url":                    false,
		"net/netip":                  false,
		"crypto/sha256":              true,
		"crypto/x509/pkix":           true,
		"cryptography/x":             false,
		"regexp/syntax":              true,
		"github.com/quic-go/quic-go": true,
		"github.com/zishang520/socket.io/servers/socket/v3": true,
		"github.com/zishang520/socket.io/clients/socket/v3": false,
		"github.com/prometheus/client_golang/prometheus":    true,
	} {
		if got := isForbidden(pkg); got != want {
			t.Errorf("isForbidden(%q) = %v, want %v", pkg, got, want)
		}
	}
}
