package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lsports/defendcheck/internal/eventually"
	"github.com/lsports/defendcheck/internal/logbuf"
)

// TestMain lets a test run this binary as the command itself: with
// DEFENDCHECK_AS_COMMAND=1 it is main, with the arguments it was given.
func TestMain(m *testing.M) {
	if os.Getenv("DEFENDCHECK_AS_COMMAND") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// noEnv is an empty environment.
func noEnv(string) string { return "" }

func TestTargetFlagIsRepeatable(t *testing.T) {
	var got targets
	for _, s := range []string{"https://rms.lsports.eu", "http://127.0.0.1:9090/custom/"} {
		if err := got.Set(s); err != nil {
			t.Fatal(err)
		}
	}
	want := targets{
		{Origin: "https://rms.lsports.eu", Path: "/rms-socket/socket.io"},
		{Origin: "http://127.0.0.1:9090", Path: "/custom"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
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
	done := make(chan int, 1)
	started := time.Now()
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-cache-dir", t.TempDir()}, &stdout, &stderr, noEnv)
	}()

	page, sim := printedURLs(t, &stdout, &stderr, done)
	t.Logf("page served %v after the start (the WebAssembly built and compressed)", time.Since(started).Round(time.Millisecond))
	servesThePage(t, page, sim)
	if !recompressing() {
		// Under -race brotli 11 of the WebAssembly takes minutes, so it
		// is still at work: run must stop it below.
		t.Error("no goroutine is making the brotli-11 copies while the page is served")
	}
	cancel()
	cancelled := time.Now()
	select {
	case code := <-done:
		t.Logf("run returned %v after cancel", time.Since(cancelled).Round(time.Millisecond))
		if code != 0 {
			t.Errorf("run returned exit status %d after cancel\n%s", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	if recompressing() {
		t.Error("the brotli-11 work goes on after run returned")
	}
}

// printedURLs waits, for at most 4 minutes (the build under -race on a
// busy machine), until run has printed the page's URL, and returns it and
// the simulator's. The page's URL is the last line, on its own; the
// simulator's comes before it, on another origin.
func printedURLs(t *testing.T, stdout, stderr *logbuf.Buffer, done <-chan int) (page, sim string) {
	t.Helper()
	pageRE := regexp.MustCompile(`(?m)^    (http://127\.0\.0\.1:\d+)/$`)
	simRE := regexp.MustCompile(`simulated RMS-Socket: (http://127\.0\.0\.1:\d+)/`)
	ended := -1
	printed := eventually.True(4*time.Minute, 50*time.Millisecond, func() bool {
		select {
		case ended = <-done:
			return true
		default:
			return pageRE.MatchString(stdout.String())
		}
	})
	switch {
	case ended >= 0:
		t.Fatalf("run ended early with exit status %d\nstdout %s\nstderr %s", ended, stdout.String(), stderr.String())
	case !printed:
		t.Fatalf("no page URL printed:\n%s\n%s", stdout.String(), stderr.String())
	}
	out := stdout.String()
	page = pageRE.FindStringSubmatch(out)[1]
	simURL := simRE.FindStringSubmatch(out)
	if simURL == nil {
		t.Fatalf("the simulator's URL is not printed:\n%s", out)
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); strings.TrimSpace(lines[len(lines)-1]) != page+"/" {
		t.Errorf("the last line is %q, want the page's URL %s/ alone:\n%s", lines[len(lines)-1], page, out)
	}
	if strings.Index(out, simURL[0]) > strings.Index(out, page+"/") {
		t.Errorf("the simulator's URL is printed after the page's:\n%s", out)
	}
	if page == simURL[1] {
		t.Fatal("page and simulator share an origin; they must be separate, as in production")
	}
	return page, simURL[1]
}

// servesThePage: the page at page has the simulator at sim as its target,
// allows it in its CSP, and serves its WebAssembly.
func servesThePage(t *testing.T, page, sim string) {
	t.Helper()
	res, err := http.Get(page + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), `"origin":"`+sim+`"`) {
		t.Errorf("the page's target is not the simulator %s:\n%.600s", sim, body)
	}
	if !strings.Contains(res.Header.Get("Content-Security-Policy"), "connect-src 'self' "+sim+" ws://"+strings.TrimPrefix(sim, "http://")) {
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
}

// TestRunReportsABusyPortBeforeTheBuild: an -addr whose port is taken
// stops the command at once, naming -addr, without building anything.
func TestRunReportsABusyPortBeforeTheBuild(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var stdout, stderr logbuf.Buffer
	start := time.Now()
	code := run(context.Background(), []string{"-addr", ln.Addr().String(), "-cache-dir", t.TempDir()}, &stdout, &stderr, noEnv)
	want := "defendcheck: cannot serve the page on -addr " + ln.Addr().String()
	if code != 2 || !strings.Contains(stderr.String(), want) || !strings.Contains(stderr.String(), "choose another address with -addr") {
		t.Fatalf("exit status %d, stderr %q; want 2 and %q with the -addr hint", code, stderr.String(), want)
	}
	if strings.Contains(stdout.String(), "building") {
		t.Errorf("the WebAssembly was built before the busy port was reported:\n%s", stdout.String())
	}
	t.Logf("reported after %v", time.Since(start).Round(time.Millisecond))
}

// TestPageAnswers503WhileBuilding: the port is taken before the build, and
// a visitor who comes early is told to reload, not given an empty page.
func TestPageAnswers503WhileBuilding(t *testing.T) {
	rec := httptest.NewRecorder()
	(&building{}).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "still building") {
		t.Errorf("got %d, Retry-After %q, body %q; want 503 saying it is still building", rec.Code, rec.Header().Get("Retry-After"), rec.Body.String())
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

// hostileTarget would put a directive of its own into the page's CSP.
const hostileTarget = "https://a.example;script-src"

// TestRunRefusesAHostileTarget: a target the one parser refuses stops the
// command at its start, before the WebAssembly is built, with a message
// that names the bad part.
func TestRunRefusesAHostileTarget(t *testing.T) {
	for _, tt := range []struct{ target, want string }{
		{hostileTarget, `host "a.example;script-src": ';' is not allowed in a host name`},
		{"https://rms.lsports.eu/x y", `path "/x y": ' ' is not allowed`},
		{"ftp://example", `scheme "ftp": want http or https`},
	} {
		var stdout, stderr logbuf.Buffer
		code := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-target", "https://rms.lsports.eu", "-target", tt.target}, &stdout, &stderr, noEnv)
		if code != 2 || !strings.Contains(stderr.String(), "defendcheck: invalid value") || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("-target %q: exit status %d, stderr %q; want 2 and %q", tt.target, code, stderr.String(), tt.want)
		}
		if stdout.String() != "" {
			t.Errorf("-target %q: the command went on after the refusal: %q", tt.target, stdout.String())
		}
	}
}

// TestCommandExitsWith2OnAHostileTarget runs this test binary as the
// command: it must print the refusal and exit with status 2.
func TestCommandExitsWith2OnAHostileTarget(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-target", hostileTarget)
	cmd.Env = append(os.Environ(), "DEFENDCHECK_AS_COMMAND=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("exit: %v, want status 2\nstderr %s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	want := `defendcheck: invalid value "https://a.example;script-src" for flag -target: target "https://a.example;script-src": host "a.example;script-src": ';' is not allowed in a host name`
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, want) {
		t.Errorf("last line of stderr:\n%s\nwant it to start with:\n%s", last, want)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout %q: the command went on after the refusal", stdout.String())
	}
}
