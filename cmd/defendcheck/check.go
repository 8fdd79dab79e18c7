package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/lsports/defendcheck/check"
	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/httpserve"
	"github.com/lsports/defendcheck/rmssim"
	"github.com/lsports/defendcheck/transport/native"
)

// tokenEnv names the environment variable holding the access token.
const tokenEnv = "DEFENDCHECK_TOKEN"

// Bounds of the check command's flags.
const (
	// maxHold is the longest -hold.
	maxHold = 15 * time.Minute
	// checkTimeout is -timeout's default, on top of -hold: one check ends
	// within two minutes (three attempts of at most 37 s, 3 s of
	// backoff), and its reachability probe takes at most 10 s more.
	checkTimeout = 3 * time.Minute
	// maxTokenBytes is the most a token file is read of: a JWT is a few
	// kilobytes, and -token-file /dev/zero must not run the machine out
	// of memory.
	maxTokenBytes = 64 << 10
)

const checkUsage = `Usage: defendcheck check -target URL -customer-id ID [flags]

Checks the connection to RMS-Socket from this machine, with the steps and
verdicts of the checker page, and prints the support report (with -json,
the page's result object). The access token, if any, is read from
-token-file or else from the environment variable DEFENDCHECK_TOKEN, never
from a flag's value (process lists show those); it is never printed. The
proxy, if any, comes from HTTPS_PROXY, HTTP_PROXY and NO_PROXY.

Exit status: 0 ok, 1 warning, 2 error, 3 could not run (bad flags, an
unreadable token file, stopped by -timeout or a signal).

Flags:
`

// errMissingTarget is the error for a check with neither -target nor -sim.
var errMissingTarget = errors.New(`-target is required: the RMS-Socket endpoint to check, such as
    -target https://rms.lsports.eu/rms-socket/socket.io
    -target https://rms.lsports.cloud/rms-socket/socket.io
  or -sim for the built-in simulator`)

// checker is the check command. Its proxy is http.ProxyFromEnvironment
// and its check check.Run with the default bounds and retry delays; tests
// give their own.
type checker struct {
	getenv      func(string) string
	proxy       func(*http.Request) (*url.URL, error)
	bounds      check.Bounds    // zero: check.DefaultBounds
	retryDelays []time.Duration // nil: diagnosis.RetryDelays
	check       func(context.Context, check.Config) (*diagnosis.Result, error)
}

func newChecker(getenv func(string) string) checker {
	return checker{getenv: getenv, proxy: http.ProxyFromEnvironment, check: check.Run}
}

// checkFlags are the check command's flags, read and checked.
type checkFlags struct {
	target     diagnosis.Target
	customerID string
	json       bool
	hold       time.Duration
	timeout    time.Duration
	token      string
	sim        bool
}

// run runs one check and returns its exit status.
func (c checker) run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f, err := c.parse(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case err != nil:
		fmt.Fprintln(stderr, "defendcheck check:", err)
		return exitUnknown
	}
	if f.sim {
		target, stop, err := simulator(stderr)
		if err != nil {
			fmt.Fprintln(stderr, "defendcheck check: simulator:", err)
			return exitUnknown
		}
		defer stop()
		f.target = target
		fmt.Fprintf(stderr, "defendcheck check: checking the built-in simulator at %s\n", f.target)
	}
	proxy, err := c.sayProxy(f.target, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "defendcheck check:", err)
		return exitUnknown
	}

	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	client := http.DefaultTransport.(*http.Transport).Clone()
	client.Proxy = c.proxy
	defer client.CloseIdleConnections()
	res, err := c.check(ctx, check.Config{
		Target:      f.target,
		CustomerID:  f.customerID,
		Token:       f.token,
		Fetcher:     native.Fetcher{Client: &http.Client{Transport: client}},
		Dialer:      native.Dialer{Proxy: c.proxy},
		Probe:       native.Prober{Proxy: c.proxy}.Probe,
		Bounds:      c.bounds,
		RetryDelays: c.retryDelays,
		Browser:     fmt.Sprintf("defendcheck check (%s %s/%s)", runtime.Version(), runtime.GOOS, runtime.GOARCH),
		Hold:        f.hold,
		Proxy:       proxy,
	})
	if err == nil {
		err = write(stdout, res, f.json)
	}
	switch {
	case err != nil:
		fmt.Fprintln(stderr, "defendcheck check:", err)
		return exitUnknown
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		fmt.Fprintf(stderr, "defendcheck check: stopped by -timeout %s before the check ended; the report shows how far it got\n", f.timeout)
		return exitUnknown
	case ctx.Err() != nil:
		fmt.Fprintln(stderr, "defendcheck check: interrupted before the check ended; the report shows how far it got")
		return exitUnknown
	case res.Verdict == diagnosis.OK:
		return exitOK
	case res.Verdict == diagnosis.Warning:
		return exitWarning
	}
	return exitError
}

// simulator serves the simulated RMS-Socket on a loopback port, logging
// each connection attempt to stderr, until stop.
func simulator(stderr io.Writer) (t diagnosis.Target, stop func(), err error) {
	sim := rmssim.New(rmssim.Options{
		ConnPerMinute: diagnosis.ServiceConnPerMinute,
		Logger:        slog.New(slog.NewTextHandler(stderr, nil)).With("component", "rmssim"),
	})
	srv, err := httpserve.Listen("127.0.0.1:0", sim)
	if err != nil {
		_ = sim.Close()
		return t, nil, err
	}
	return diagnosis.Target{Origin: srv.URL(), Path: rmssim.Path}, func() {
		_ = srv.Close()
		_ = sim.Close()
	}, nil
}

// sayProxy says on stderr which proxy, if any, the check goes through, as
// the transports and the probe choose it, and returns it without its user
// info ("" for none).
func (c checker) sayProxy(t diagnosis.Target, stderr io.Writer) (string, error) {
	proxy, err := native.ProxyFor(c.proxy, t)
	if err != nil || proxy == nil {
		return "", err
	}
	shown := native.ShownProxy(proxy)
	fmt.Fprintf(stderr, "defendcheck check: connecting through the proxy %s (from HTTPS_PROXY, HTTP_PROXY and NO_PROXY)\n", shown)
	return shown, nil
}

// parse reads and checks the command line and the token; on an error it
// has printed the usage.
func (c checker) parse(args []string, stderr io.Writer) (checkFlags, error) {
	var f checkFlags
	fs := newFlagSet("check", checkUsage, stderr)
	var tgts targets
	fs.Var(&tgts, "target", "Socket.IO `endpoint` to check, e.g. https://rms.lsports.eu"+rmssim.Path)
	fs.StringVar(&f.customerID, "customer-id", "", "the numeric Customer `ID` to connect as")
	fs.BoolVar(&f.json, "json", false, "print the result object (the page's window.defendcheck.result) as JSON instead of the report")
	fs.DurationVar(&f.hold, "hold", 0, "keep a connection that works open this much longer, counting events; a close during it is the verdict (at most 15m)")
	fs.DurationVar(&f.timeout, "timeout", 0, "bound on the whole run (default 3m plus -hold)")
	tokenFile := fs.String("token-file", "", "`file` holding the access token, one line (default: the environment variable "+tokenEnv+")")
	fs.BoolVar(&f.sim, "sim", false, "check the built-in simulated RMS-Socket instead of a -target")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if err := c.complete(&f, fs, tgts, *tokenFile); err != nil {
		fs.Usage()
		return f, err
	}
	return f, nil
}

// complete checks what fs read and completes f: its target, its timeout
// and its token.
func (c checker) complete(f *checkFlags, fs *flag.FlagSet, tgts targets, tokenFile string) error {
	switch {
	case fs.NArg() > 0:
		// Not quoted: it may be a token meant for DEFENDCHECK_TOKEN.
		return fmt.Errorf("check takes flags only; %d argument(s) follow them (the first that is not a flag ends the flags)", fs.NArg())
	case f.sim && len(tgts) > 0:
		return errors.New("-sim and -target exclude each other")
	case !f.sim && len(tgts) == 0:
		return errMissingTarget
	case len(tgts) > 1:
		return fmt.Errorf("%d -target flags: a check has one", len(tgts))
	case strings.TrimSpace(f.customerID) == "":
		return errors.New("-customer-id is required: the numeric Customer ID to connect as")
	case f.hold < 0 || f.hold > maxHold:
		return fmt.Errorf("-hold %s: want 0 to %s", f.hold, maxHold)
	case f.timeout < 0:
		return fmt.Errorf("-timeout %s: want a positive duration", f.timeout)
	}
	if len(tgts) == 1 {
		f.target = tgts[0]
	}
	if f.timeout == 0 {
		f.timeout = checkTimeout + f.hold
	}
	var err error
	f.token, err = c.token(tokenFile)
	return err
}

// token is the access token: the first line of file when one is given,
// else the value of DEFENDCHECK_TOKEN ("" for none). Its errors never
// quote it.
func (c checker) token(file string) (string, error) {
	if file == "" {
		return oneLine(trimNewline(c.getenv(tokenEnv)), tokenEnv)
	}
	// O_NONBLOCK: opening a FIFO nobody writes to returns at once, and
	// only a regular file is read, so no read waits on a writer.
	r, err := os.OpenFile(file, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return "", fmt.Errorf("-token-file: %w", err)
	}
	defer r.Close()
	info, err := r.Stat()
	switch {
	case err != nil:
		return "", fmt.Errorf("-token-file: %w", err)
	case !info.Mode().IsRegular():
		return "", fmt.Errorf("-token-file %s: not a regular file (a directory, a pipe or a device), so not read", file)
	case info.Size() > maxTokenBytes:
		return "", fmt.Errorf("-token-file %s: longer than %d bytes, so not a token", file, maxTokenBytes)
	}
	b, err := io.ReadAll(io.LimitReader(r, maxTokenBytes+1))
	switch {
	case err != nil:
		return "", fmt.Errorf("-token-file: %w", err)
	case len(b) > maxTokenBytes:
		return "", fmt.Errorf("-token-file %s: longer than %d bytes, so not a token", file, maxTokenBytes)
	case trimNewline(string(b)) == "":
		return "", fmt.Errorf("-token-file %s is empty", file)
	}
	return oneLine(trimNewline(string(b)), "-token-file "+file)
}

// trimNewline removes one trailing newline, as echo and editors add.
func trimNewline(s string) string {
	return strings.TrimSuffix(strings.TrimSuffix(s, "\n"), "\r")
}

// oneLine refuses a token that cannot go into an Authorization header as
// it is (see diagnosis.CheckToken), such as one with a second line.
func oneLine(token, from string) (string, error) {
	if err := diagnosis.CheckToken(token); err != nil {
		return "", fmt.Errorf("%s: %w", from, err)
	}
	return token, nil
}

// write prints the support report, or the result as JSON.
func write(w io.Writer, res *diagnosis.Result, asJSON bool) error {
	if !asJSON {
		_, err := io.WriteString(w, res.Report)
		return err
	}
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
