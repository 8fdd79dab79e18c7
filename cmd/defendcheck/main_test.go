package main

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/lsports/defendcheck/internal/logbuf"

	"github.com/lsports/defendcheck/diagnosis"
)

func TestTargetFlag(t *testing.T) {
	tests := []struct {
		in   string
		want diagnosis.Target
		ok   bool
	}{
		{"https://rms.lsports.eu", diagnosis.Target{Origin: "https://rms.lsports.eu", Path: "/rms-socket/socket.io"}, true},
		{"https://rms.lsports.cloud/rms-socket/socket.io/", diagnosis.Target{Origin: "https://rms.lsports.cloud", Path: "/rms-socket/socket.io"}, true},
		{"http://127.0.0.1:9090/custom", diagnosis.Target{Origin: "http://127.0.0.1:9090", Path: "/custom"}, true},
		{"wss://rms.lsports.eu", diagnosis.Target{}, false},
		{"rms.lsports.eu", diagnosis.Target{}, false},
		{"https://", diagnosis.Target{}, false},
	}
	for _, tt := range tests {
		var got targets
		err := got.Set(tt.in)
		if (err == nil) != tt.ok || (tt.ok && (len(got) != 1 || got[0] != tt.want)) {
			t.Errorf("Set(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestRunServesThePageWithTheSimulator is the README's first command: it
// builds the WebAssembly and serves the page with the simulator as target.
// The page is served before the brotli-11 copies are made, and stopping
// the command stops that work.
func TestRunServesThePageWithTheSimulator(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr logbuf.Buffer
	done := make(chan error, 1)
	started := time.Now()
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-cache-dir", t.TempDir()}, &stdout, &stderr)
	}()

	pageRE := regexp.MustCompile(`defendcheck: open (http://127\.0\.0\.1:\d+)/`)
	simRE := regexp.MustCompile(`simulated RMS-Socket: (http://127\.0\.0\.1:\d+)/`)
	deadline := time.Now().Add(4 * time.Minute)
	for pageRE.FindStringSubmatch(stdout.String()) == nil {
		select {
		case err := <-done:
			t.Fatalf("run ended early: %v\nstdout %s\nstderr %s", err, stdout.String(), stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no page URL printed:\n%s\n%s", stdout.String(), stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("page served %v after the start (the WebAssembly built and compressed)", time.Since(started).Round(time.Millisecond))
	page := pageRE.FindStringSubmatch(stdout.String())[1]
	sim := simRE.FindStringSubmatch(stdout.String())
	if sim == nil {
		t.Fatalf("the simulator's URL is not printed:\n%s", stdout.String())
	}
	if page == sim[1] {
		t.Fatal("page and simulator share an origin; they must be separate, as in production")
	}
	res, err := http.Get(page + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), `"origin":"`+sim[1]+`"`) {
		t.Errorf("the page's target is not the simulator %s:\n%.600s", sim[1], body)
	}
	if !strings.Contains(res.Header.Get("Content-Security-Policy"), "connect-src 'self' "+sim[1]+" ws://"+strings.TrimPrefix(sim[1], "http://")) {
		t.Errorf("CSP does not allow the simulator: %s", res.Header.Get("Content-Security-Policy"))
	}
	wasm := regexp.MustCompile(`main\.[0-9a-f]+\.wasm`).FindString(string(body))
	res, err = http.Get(page + "/" + wasm)
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 4)
	_, _ = io.ReadFull(res.Body, head)
	res.Body.Close()
	if string(head) != "\x00asm" {
		t.Errorf("%s is not WebAssembly: % x", wasm, head)
	}
	if !recompressing() {
		// Under -race brotli 11 of the WebAssembly takes minutes, so it
		// is still at work: run must stop it below.
		t.Error("no goroutine is making the brotli-11 copies while the page is served")
	}
	cancel()
	cancelled := time.Now()
	select {
	case err := <-done:
		t.Logf("run returned %v after cancel", time.Since(cancelled).Round(time.Millisecond))
		if err != nil {
			t.Errorf("run returned %v after cancel", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	if recompressing() {
		t.Error("the brotli-11 work goes on after run returned")
	}
}

// recompressing reports whether a goroutine is in Handler.Recompress.
func recompressing() bool {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Contains(string(buf[:n]), "defendcheck.(*Handler).Recompress")
		}
		buf = make([]byte, 2*len(buf))
	}
}

func TestRunRejectsBadTarget(t *testing.T) {
	var stderr logbuf.Buffer
	err := run(context.Background(), []string{"-target", "ftp://example"}, io.Discard, &stderr)
	if err == nil || !strings.Contains(stderr.String(), "want an http(s) URL") {
		t.Errorf("err %v, stderr %q", err, stderr.String())
	}
}
