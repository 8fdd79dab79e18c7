// Command defendcheck checks connections to LSports DEFEND RMS-Socket.
//
//	defendcheck [serve] [flags]   serve the checker page (the default)
//	defendcheck check [flags]     check the connection from this machine
//	defendcheck watch [flags]     hold the connection, with Prometheus metrics
//	defendcheck export [flags]    write the page for a static host
//
// serve builds the checker's WebAssembly and serves the checker page.
// Without -target it also starts the simulated RMS-Socket on its own
// loopback port and makes it the default target. The page is served at
// once; brotli-11 copies of its assets follow in the background and are
// kept for the next start (-cache-dir). check runs the page's check
// natively (check.go), watch holds its connection with metrics
// (watch.go, package watch), export writes the page into a directory
// (export.go).
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
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/lsports/defendcheck"
	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/httpserve"
	"github.com/lsports/defendcheck/rmssim"
	"github.com/lsports/defendcheck/wasmbuild"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// usage lists the commands; each command's -h lists its flags.
const usage = `Usage:
  defendcheck [serve] [flags]    serve the checker page (the default command)
  defendcheck check -target URL -customer-id ID [flags]
                                 check the connection from this machine
  defendcheck watch -target URL -customer-id ID [flags]
                                 hold the connection, with Prometheus metrics
  defendcheck export -o DIR -target URL [flags]
                                 write the checker page for a static host

Run "defendcheck COMMAND -h" for the command's flags.
`

// Exit statuses. serve and export exit exitError on any error, as the flag
// package does; check exits as monitoring plugins do, and so does a
// command line that names no command: it may be a monitor's typo, and
// exitUnknown is "could not run", never "the service is down".
const (
	exitOK      = 0
	exitWarning = 1
	exitError   = 2
	exitUnknown = 3
)

// run runs the command named by args[0], or serve when args[0] is a flag
// or there is none, and returns the exit status. getenv reads the
// environment (os.Getenv; tests give their own).
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	name, rest := "serve", args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, rest = args[0], args[1:]
	}
	switch name {
	case "serve":
		return exitStatus(serve(ctx, rest, stdout, stderr), stderr)
	case "export":
		return exitStatus(exporter{build: wasmbuild.Build, export: defendcheck.Export}.run(ctx, rest, stdout, stderr), stderr)
	case "check":
		return newChecker(getenv).run(ctx, rest, stdout, stderr)
	case "watch":
		return newChecker(getenv).watch(ctx, rest, stderr)
	}
	fmt.Fprintf(stderr, "%s\ndefendcheck: unknown command %q\n", usage, name)
	return exitUnknown
}

// exitStatus prints err, unless it is nil or a request for help, and
// returns serve's and export's exit status for it.
func exitStatus(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintln(stderr, "defendcheck:", err)
	return exitError
}

// newFlagSet returns a flag set for a command whose usage is head followed
// by the flags.
func newFlagSet(name, head string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), head)
		fs.PrintDefaults()
	}
	return fs
}

// flagsOnly prints fs's usage and returns an error when fs has arguments
// left after its flags: no command takes any, and the flag package stops
// at the first argument that is not a flag, so the flags after it would be
// ignored.
func flagsOnly(fs *flag.FlagSet) error {
	if fs.NArg() == 0 {
		return nil
	}
	fs.Usage()
	return fmt.Errorf("unexpected argument %q: %s takes flags only", fs.Arg(0), fs.Name())
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

// origins is the repeatable -embed-origin flag.
type origins []string

func (o *origins) String() string { return strings.Join(*o, " ") }

// Set takes an origin such as https://portal.example.com, as
// diagnosis.ParseOrigin reads it.
func (o *origins) Set(s string) error {
	origin, err := diagnosis.ParseOrigin(s)
	if err != nil {
		return err
	}
	*o = append(*o, origin)
	return nil
}

// pageFlags are the flags serve and export share: what the page may
// check, who may embed it, and where its brotli-11 copies are kept.
type pageFlags struct {
	targets    targets
	origins    origins
	cacheDir   string
	supportURL string
}

// register defines the flags on fs; targetHelp says what no -target does.
func (p *pageFlags) register(fs *flag.FlagSet, targetHelp string) {
	fs.Var(&p.targets, "target", "Socket.IO `endpoint` the page may check, e.g. https://rms.lsports.eu"+rmssim.Path+" (repeatable, the first is the page's default; "+targetHelp+")")
	fs.Var(&p.origins, "embed-origin", "`origin` allowed to frame the page and receive its result, e.g. https://portal.example.com (repeatable; default: none may frame it)")
	fs.Func("support-url", "`URL` that \"Contact LSports support\" links to, and the report names (default: none)", func(s string) error {
		u, err := diagnosis.ParseSupportURL(s)
		p.supportURL = u
		return err
	})
	fs.StringVar(&p.cacheDir, "cache-dir", defendcheck.DefaultCacheDir(), "`directory` keeping the brotli-11 copies of the page's assets between starts (empty: none, recompress at each start)")
}

// config is the page's configuration with the built checker.
func (p *pageFlags) config(built *wasmbuild.Result) defendcheck.Config {
	return defendcheck.Config{Targets: p.targets, WASM: built.WASM, WasmExec: built.WasmExec, CacheDir: p.cacheDir, EmbedOrigins: p.origins, SupportURL: p.supportURL}
}

// serveUsage heads serve's usage, which is also the command's: it lists
// the other commands.
const serveUsage = usage + `
serve builds the checker's WebAssembly and serves the checker page. Without
-target it starts the simulated RMS-Socket on its own loopback port and
makes it the target. Exit status 2 on any error.

Flags of serve:
`

// serve is the serve command: it serves the page until ctx ends.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", serveUsage, stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to serve the checker page on (port 0 picks one)")
	simAddr := fs.String("sim-addr", "127.0.0.1:0", "address of the built-in simulator, when no -target is given")
	perMinute := fs.Int("sim-conn-per-minute", 10, "the simulator's connections per minute per IP (0 = no limit)")
	var page pageFlags
	page.register(fs, "without one: the built-in simulator")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := flagsOnly(fs); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))

	// The page's port is taken before the build, so that a busy one is
	// reported at once; until the build is done it answers 503.
	pending := &building{}
	srv, err := httpserve.Listen(*addr, pending)
	if err != nil {
		return fmt.Errorf("cannot serve the page on -addr %s: %w (choose another address with -addr, e.g. -addr 127.0.0.1:0 for any free port)", *addr, err)
	}
	defer srv.Close()

	if len(page.targets) == 0 {
		sim := rmssim.New(rmssim.Options{ConnPerMinute: *perMinute, Logger: log.With("component", "rmssim")})
		defer sim.Close()
		simSrv, err := httpserve.Listen(*simAddr, sim)
		if err != nil {
			return fmt.Errorf("simulator: %w", err)
		}
		defer simSrv.Close()
		page.targets = targets{{Origin: simSrv.URL(), Path: rmssim.Path}}
		fmt.Fprintf(stdout, "simulated RMS-Socket: %s/ (its page lists the customer IDs that pick each outcome)\n", simSrv.URL())
	}

	fmt.Fprintln(stdout, "building the checker's WebAssembly…")
	built, err := wasmbuild.Build(ctx)
	if err != nil {
		return err
	}
	h, err := defendcheck.NewHandler(page.config(built))
	if err != nil {
		return err
	}
	pending.h.Store(h)
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
