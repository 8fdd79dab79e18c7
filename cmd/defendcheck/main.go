// Command defendcheck builds the checker's WebAssembly and serves the
// checker page. Without -target it also starts the simulated RMS-Socket
// on its own loopback port and makes it the default target. The page is
// served at once; brotli-11 copies of its assets follow in the background
// and are kept for the next start (-cache-dir).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/lsports/defendcheck"
	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/rmssim"
	"github.com/lsports/defendcheck/wasmbuild"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "defendcheck:", err)
		}
		os.Exit(2)
	}
}

// targets is the repeatable -target flag.
type targets []diagnosis.Target

func (t *targets) String() string { return fmt.Sprint(*t) }

// Set takes an endpoint URL such as https://rms.lsports.eu/rms-socket/socket.io,
// as diagnosis.ParseTarget reads it: a URL without a path gets RMS-Socket's.
func (t *targets) Set(s string) error {
	tgt, err := diagnosis.ParseTarget(s)
	if err != nil {
		return err
	}
	*t = append(*t, tgt)
	return nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("defendcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to serve the checker page on (port 0 picks one)")
	simAddr := fs.String("sim-addr", "127.0.0.1:0", "address of the built-in simulator, when no -target is given")
	perMinute := fs.Int("sim-conn-per-minute", 10, "the simulator's connections per minute per IP (0 = no limit)")
	cacheDir := fs.String("cache-dir", defendcheck.DefaultCacheDir(), "`directory` keeping the brotli-11 copies of the page's assets between starts (empty: none, recompress at each start)")
	var tgts targets
	fs.Var(&tgts, "target", "Socket.IO endpoint the page may check, e.g. https://rms.lsports.eu"+rmssim.Path+" (repeatable; default: the built-in simulator)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))

	// The page's port is taken before the build, so that a busy one is
	// reported at once; until the build is done it answers 503.
	page := &building{}
	srv, err := defendcheck.Listen(*addr, page)
	if err != nil {
		return fmt.Errorf("cannot serve the page on -addr %s: %w (choose another address with -addr, e.g. -addr 127.0.0.1:0 for any free port)", *addr, err)
	}
	defer srv.Close()

	if len(tgts) == 0 {
		sim := rmssim.New(rmssim.Options{ConnPerMinute: *perMinute, Logger: log.With("component", "rmssim")})
		defer sim.Close()
		simSrv, err := defendcheck.Listen(*simAddr, sim)
		if err != nil {
			return fmt.Errorf("simulator: %w", err)
		}
		defer simSrv.Close()
		tgts = targets{{Origin: simSrv.URL(), Path: rmssim.Path}}
		fmt.Fprintf(stdout, "simulated RMS-Socket: %s/ (its page lists the customer IDs that pick each outcome)\n", simSrv.URL())
	}

	fmt.Fprintln(stdout, "building the checker's WebAssembly…")
	built, err := wasmbuild.Build(ctx)
	if err != nil {
		return err
	}
	h, err := defendcheck.NewHandler(defendcheck.Config{Targets: tgts, WASM: built.WASM, WasmExec: built.WasmExec, CacheDir: *cacheDir})
	if err != nil {
		return err
	}
	page.h.Store(h)
	fmt.Fprintf(stdout, "\nOpen the checker page in your browser (Ctrl-C to stop):\n\n    %s/\n", srv.URL())

	// The page is served at once; the smallest brotli copies follow, and
	// stop with the server.
	recompressed := make(chan struct{})
	defer func() { <-recompressed }()
	go func() {
		defer close(recompressed)
		start := time.Now()
		switch err := h.Recompress(ctx); {
		case ctx.Err() != nil:
			// Stopped with the server; the next start picks up the work.
		case err != nil:
			log.Warn("brotli-11 copies served but not cached", "err", err)
		default:
			log.Info("every asset served at brotli 11", "took", time.Since(start).Round(time.Millisecond))
		}
	}()
	<-ctx.Done()
	return nil
}

// building serves the page once its handler is stored, and 503 until then.
type building struct {
	h atomic.Pointer[defendcheck.Handler]
}

func (b *building) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := b.h.Load(); h != nil {
		h.ServeHTTP(w, r)
		return
	}
	w.Header().Set("Retry-After", "5")
	http.Error(w, "defendcheck is still building the checker; reload in a few seconds", http.StatusServiceUnavailable)
}
