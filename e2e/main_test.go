// Package e2e drives the checker page in headless Chromium against real
// servers on loopback: the simulated RMS-Socket and the misbehaving
// targets of package scenario, each on its own origin, as RMS-Socket is in
// production.
package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lsports/defendcheck"
	"github.com/lsports/defendcheck/internal/httpserve"
	"github.com/lsports/defendcheck/internal/logbuf"
	"github.com/lsports/defendcheck/internal/scenario"
	"github.com/lsports/defendcheck/rmssim"
	"github.com/lsports/defendcheck/wasmbuild"
)

// The page's targets, by their index in its endpoint list: the servers of
// package scenario, in its order.
const (
	targetSim      = int(scenario.Sim)         // the simulator, no rate limit
	targetStripper = int(scenario.Stripper)    // a proxy to the simulator that drops the customerid header
	targetHTTP429  = int(scenario.HTTP429)     // a rate limiter that answers every request with HTTP 429
	targetRefused  = int(scenario.Refused)     // a port nobody listens on
	targetSilent   = int(scenario.Silent)      // accepts connections, never answers
	targetHTML     = int(scenario.HTMLRefuser) // a Socket.IO server whose refusal message is HTML
	targetGateway  = int(scenario.Gateway502)  // nginx in front of a service that is down: 502
)

// Shared by every test: one build, one browser, one page with all targets.
var (
	browserCtx  context.Context
	pageURL     string
	pageHandler *defendcheck.Handler
	simURL      string
	simLog      = &logbuf.Buffer{}
	built       *wasmbuild.Result // the checker, for tests that serve a page of their own
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	chromium, err := findChromium()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	built, err = wasmbuild.Build(ctx)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building the checker:", err)
		return 1
	}

	servers, err := scenario.Start(rmssim.Options{EventInterval: 500 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(simLog, nil))})
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: starting the targets:", err)
		return 1
	}
	defer servers.Close()
	simURL = servers.Target(scenario.Sim).Origin
	// The brotli-11 cache is shared with the command's, so that a benchmark
	// after `go run ./cmd/defendcheck` serves what it serves at once.
	pageHandler, err = defendcheck.NewHandler(defendcheck.Config{
		Targets: servers.Targets(), WASM: built.WASM, WasmExec: built.WasmExec, CacheDir: defendcheck.DefaultCacheDir(),
		SupportURL: supportURL,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	page, err := httpserve.Listen("127.0.0.1:0", pageHandler)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer page.Close()
	pageURL = page.URL() + "/"

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(1280, 900),
	)...)
	defer cancelAlloc()
	var cancelBrowser context.CancelFunc
	browserCtx, cancelBrowser = chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	if err := chromedp.Do(browserCtx); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: starting Chromium:", err)
		return 1
	}
	return m.Run()
}

// findChromium returns the browser to drive: $CHROMIUM, else the first of
// the usual names on PATH. Not finding one is a failure, never a skip.
func findChromium() (string, error) {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no Chromium found: install Debian's chromium package (.ci/run does) or set CHROMIUM")
}
