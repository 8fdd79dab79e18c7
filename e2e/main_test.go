// Package e2e drives the checker page in headless Chromium against real
// servers on loopback: the simulated RMS-Socket and a few misbehaving
// targets, each on its own origin, as RMS-Socket is in production.
package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/zishang520/socket.io/servers/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"

	"github.com/lsports/defendcheck"
	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/logbuf"
	"github.com/lsports/defendcheck/rmssim"
	"github.com/lsports/defendcheck/wasmbuild"
)

// The page's targets, by their index in its endpoint list.
const (
	targetSim      = iota // the simulator, no rate limit
	targetStripper        // a proxy to the simulator that drops the customerid header
	targetHTTP429         // a rate limiter that answers every request with HTTP 429
	targetRefused         // a port nobody listens on
	targetSilent          // accepts connections, never answers
	targetHTML            // a Socket.IO server whose refusal message is HTML
)

// Shared by every test: one build, one browser, one page with all targets.
var (
	browserCtx  context.Context
	pageURL     string
	pageHandler *defendcheck.Handler
	simURL      string
	simLog      = &logbuf.Buffer{}
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
	built, err := wasmbuild.Build(ctx)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building the checker:", err)
		return 1
	}

	var cleanups []func()
	defer func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}()
	listen := func(h http.Handler) string {
		srv, err := defendcheck.Listen("127.0.0.1:0", h)
		if err != nil {
			panic(err)
		}
		cleanups = append(cleanups, func() { _ = srv.Close() })
		return srv.URL()
	}

	sim := rmssim.New(rmssim.Options{EventInterval: 500 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(simLog, nil))})
	cleanups = append(cleanups, func() { _ = sim.Close() })
	simURL = listen(sim)
	silent, stopSilent := silentListener()
	cleanups = append(cleanups, stopSilent)
	origins := []string{
		targetSim:      simURL,
		targetStripper: listen(stripper(simURL)),
		targetHTTP429:  listen(http.HandlerFunc(tooManyRequests)),
		targetRefused:  "http://" + refusedAddr(),
		targetSilent:   "http://" + silent,
		targetHTML:     listen(htmlRefuser()),
	}
	var targets []diagnosis.Target
	for _, o := range origins {
		targets = append(targets, diagnosis.Target{Origin: o, Path: rmssim.Path})
	}
	// The brotli-11 cache is shared with the command's, so that a benchmark
	// after `go run ./cmd/defendcheck` serves what it serves at once.
	pageHandler, err = defendcheck.NewHandler(defendcheck.Config{
		Targets: targets, WASM: built.WASM, WasmExec: built.WasmExec, CacheDir: defendcheck.DefaultCacheDir(),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	pageURL = listen(pageHandler) + "/"

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(1280, 900),
	)...)
	cleanups = append(cleanups, cancelAlloc)
	var cancelBrowser context.CancelFunc
	browserCtx, cancelBrowser = chromedp.NewContext(allocCtx)
	cleanups = append(cleanups, cancelBrowser)
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

// stripper is a reverse proxy that removes the customerid header, as some
// corporate proxies remove headers they do not know.
func stripper(upstream string) http.Handler {
	u, _ := url.Parse(upstream)
	p := httputil.NewSingleHostReverseProxy(u)
	direct := p.Director
	p.Director = func(r *http.Request) {
		direct(r)
		r.Header.Del("customerid")
	}
	return p
}

// tooManyRequests is a rate limiter in front of the service: it lets the
// CORS preflight through and answers every request with 429.
func tooManyRequests(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if r.Method == http.MethodOptions {
		w.Header().Set("Access-Control-Allow-Headers", "customerid, authorization, content-type")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Error(w, "Too Many Requests", http.StatusTooManyRequests)
}

// refusedAddr is a loopback address with nothing listening.
func refusedAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// silentListener accepts connections and never answers.
func silentListener() (string, func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	conns := make(chan net.Conn, 64)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			select {
			case conns <- c:
			default:
				c.Close()
			}
		}
	}()
	return ln.Addr().String(), func() {
		ln.Close()
		close(conns)
		for c := range conns {
			c.Close()
		}
	}
}

// htmlRefuser is a real Socket.IO server that refuses with a status the
// docs do not list and a message that is HTML, to prove server strings are
// shown as text.
func htmlRefuser() http.Handler {
	opts := socket.DefaultServerOptions()
	opts.SetPath(rmssim.Path)
	opts.SetServeClient(false)
	opts.SetCors(&types.Cors{Origin: "*", AllowedHeaders: []string{"customerid", "authorization", "content-type"}})
	io := socket.NewServer(nil, opts)
	io.Use(func(_ *socket.Socket, next func(*socket.ExtendedError)) {
		next(socket.NewExtendedError(`<img src=x id=injected onerror="document.title='pwned'">`, map[string]any{"statusCode": 418}))
	})
	return io.ServeHandler(nil)
}
