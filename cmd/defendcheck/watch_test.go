package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lsports/defendcheck/internal/logbuf"
	"github.com/lsports/defendcheck/rmssim"
)

// TestWatchStopsAtBadInputBeforeConnecting: what check refuses, watch
// refuses at start, with a message and exit status 3, before any request.
func TestWatchStopsAtBadInputBeforeConnecting(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { requests.Add(1) }))
	defer srv.Close()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tgt := []string{"-target", srv.URL}
	noProxy := func(*http.Request) (*url.URL, error) { return nil, nil }
	for _, c := range []struct {
		name  string
		args  []string
		env   map[string]string
		proxy func(*http.Request) (*url.URL, error)
		want  string
	}{
		{"no target", []string{"-customer-id", "12345"}, nil, noProxy, "-target is required"},
		{"bad target", []string{"-target", "ftp://x", "-customer-id", "12345"}, nil, noProxy, `invalid value "ftp://x" for flag -target`},
		{"no customer ID", tgt, nil, noProxy, "-customer-id is required"},
		{"blank customer ID", append([]string{"-customer-id", "  "}, tgt...), nil, noProxy, "-customer-id is required"},
		{"non-digit customer ID", append([]string{"-customer-id", "12ab"}, tgt...), nil, noProxy, `-customer-id "12ab": a Customer ID is digits only`},
		{"unreadable token file", append([]string{"-customer-id", "12345", "-token-file", filepath.Join(t.TempDir(), "none")}, tgt...), nil, noProxy, "-token-file: open"},
		{"token with a line break", append([]string{"-customer-id", "12345"}, tgt...), map[string]string{tokenEnv: "abc\ndef"}, noProxy, "DEFENDCHECK_TOKEN: the access token has a space, line break"},
		{"token as a flag", append([]string{"-customer-id", "12345", "-token", "s3cr3t"}, tgt...), nil, noProxy, "flag provided but not defined: -token"},
		{"stray argument", append([]string{"-customer-id", "12345"}, append(tgt, "s3cr3t")...), nil, noProxy, "watch takes flags only; 1 argument(s)"},
		{"no silence", append([]string{"-customer-id", "12345", "-silence", "0s"}, tgt...), nil, noProxy, "-silence 0s: want a positive duration"},
		{"bad proxy", append([]string{"-customer-id", "12345"}, tgt...), nil, func(*http.Request) (*url.URL, error) { return nil, errors.New("http://u:s3cr3t@[::1") }, "not a usable proxy URL"},
		{"listen in use", append([]string{"-customer-id", "12345", "-listen", busy.Addr().String()}, tgt...), nil, noProxy, "defendcheck watch: -listen:"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ch := newChecker(func(k string) string { return c.env[k] })
			ch.proxy = c.proxy
			var stderr logbuf.Buffer
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			code := ch.watch(ctx, c.args, &stderr)
			if code != exitUnknown || !strings.Contains(stderr.String(), c.want) {
				t.Errorf("exit status %d, stderr:\n%s\nwant 3 and %q", code, stderr.String(), c.want)
			}
			if strings.Contains(stderr.String(), "s3cr3t") {
				t.Errorf("stderr quotes a secret:\n%s", stderr.String())
			}
		})
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("%d requests reached the target", n)
	}
}

// TestWatchCommandExitsAtSIGTERM runs the command as a process against
// the simulator: it prints its base URL, serves metrics without the
// token, and at SIGTERM closes its connection and exits 0 within 3 s.
func TestWatchCommandExitsAtSIGTERM(t *testing.T) {
	sim := rmssim.New(rmssim.Options{EventInterval: 200 * time.Millisecond})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	defer sim.Close()
	const token = "watch-test-token-value"
	cmd := exec.Command(os.Args[0], "watch", "-target", srv.URL, "-customer-id", "12345", "-listen", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "DEFENDCHECK_AS_COMMAND=1", tokenEnv+"="+token)
	stderrPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	var stderr logbuf.Buffer
	base, connected := make(chan string, 1), make(chan struct{})
	go follow(io.TeeReader(stderrPipe, &stderr), base, connected)
	var metricsURL string
	select {
	case metricsURL = <-base:
	case <-time.After(30 * time.Second):
		t.Fatalf("no base URL on stderr:\n%s", stderr.String())
	}
	select {
	case <-connected:
	case <-time.After(30 * time.Second):
		t.Fatalf("never connected:\n%s", stderr.String())
	}
	resp, err := http.Get(metricsURL + "metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if !strings.Contains(string(body), "defendcheck_connected{target=") || strings.Contains(string(body), token) {
		t.Errorf("metrics without defendcheck_connected, or with the token:\n%s", body)
	}
	began := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	took := time.Since(began)
	if err != nil || took > 3*time.Second {
		t.Errorf("after SIGTERM: %v in %s, want exit status 0 within 3 s", err, took)
	}
	if s := stderr.String(); strings.Contains(s, token) || !strings.Contains(s, "msg=closed") {
		t.Errorf("stderr quotes the token or lacks the close:\n%s", s)
	}
}

var baseRE = regexp.MustCompile(`^defendcheck watch: serving (http://127\.0\.0\.1:\d+/) `)

// follow reads the command's stderr: its base URL, then its first connect.
func follow(r io.Reader, base chan<- string, connected chan<- struct{}) {
	sc := bufio.NewScanner(r)
	said := false
	for sc.Scan() {
		if m := baseRE.FindStringSubmatch(sc.Text()); m != nil {
			base <- m[1]
		}
		if !said && strings.Contains(sc.Text(), "msg=connected") {
			said = true
			close(connected)
		}
	}
}
