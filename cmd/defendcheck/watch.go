package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/httpserve"
	"github.com/lsports/defendcheck/rmssim"
	"github.com/lsports/defendcheck/watch"
)

// defaultListen is where watch serves /metrics and /healthz unless told:
// a loopback address, so that only this machine (a Prometheus or an agent
// beside the integration) reads them.
const defaultListen = "127.0.0.1:9464"

const watchUsage = `Usage: defendcheck watch -target URL [-target URL ...] -customer-id ID [flags]

Holds one connection to each target as the integration does (the customerid
and Authorization headers, join after every connect, events counted), and
connects again with backoff after every close, cut or refusal, using at most
10 connection attempts a minute over all targets. Serves /metrics (Prometheus)
and /healthz on -listen, and logs one line per transition on stderr. The
access token, if any, is read from -token-file before every connection attempt
(so that a refresher can rotate it), or else from the environment variable
DEFENDCHECK_TOKEN, never from a flag's value; it is never printed. The proxy,
if any, comes from HTTPS_PROXY, HTTP_PROXY and NO_PROXY. SIGTERM or Ctrl-C
closes every connection and exits 0.

Exit status: 0 stopped by a signal, 3 could not start (bad flags, an
unreadable token file, a bad proxy setting, -listen in use).

Flags:
`

// watchFlags are the watch command's flags, read and checked.
type watchFlags struct {
	targets    targets
	customerID string
	tokenFile  string
	listen     string
	silence    time.Duration
}

// watch runs the watch command until ctx ends and returns its exit
// status. Everything is checked before any connection.
func (c checker) watch(ctx context.Context, args []string, stderr io.Writer) int {
	f, err := c.parseWatch(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case err != nil:
		fmt.Fprintln(stderr, "defendcheck watch:", err)
		return exitUnknown
	}
	for _, t := range f.targets {
		// sayProxy's rule, in the watch command's words.
		proxy, err := c.sayProxy(t, io.Discard)
		if err != nil {
			fmt.Fprintln(stderr, "defendcheck watch:", err)
			return exitUnknown
		}
		if proxy != "" {
			fmt.Fprintf(stderr, "defendcheck watch: connecting to %s through the proxy %s (from HTTPS_PROXY, HTTP_PROXY and NO_PROXY)\n", t, proxy)
		}
	}
	w := watch.New(watch.Config{
		Targets:    f.targets,
		CustomerID: f.customerID,
		Token:      func() (string, error) { return c.token(f.tokenFile) },
		Silence:    f.silence,
		Proxy:      c.proxy,
		Logger:     slog.New(slog.NewTextHandler(stderr, nil)),
	})
	srv, err := httpserve.Listen(f.listen, w.Handler())
	if err != nil {
		fmt.Fprintln(stderr, "defendcheck watch: -listen:", err)
		return exitUnknown
	}
	fmt.Fprintf(stderr, "defendcheck watch: serving %s/ (/metrics, /healthz)\n", srv.URL())
	w.Run(ctx)
	_ = srv.Close()
	return exitOK
}

// parseWatch reads and checks the command line and the token; on an
// error it has printed the usage.
func (c checker) parseWatch(args []string, stderr io.Writer) (watchFlags, error) {
	var f watchFlags
	fs := newFlagSet("watch", watchUsage, stderr)
	fs.Var(&f.targets, "target", "Socket.IO `endpoint` to watch, e.g. https://rms.lsports.eu"+rmssim.Path+" (repeatable)")
	fs.StringVar(&f.customerID, "customer-id", "", "the numeric Customer `ID` to connect as")
	fs.StringVar(&f.tokenFile, "token-file", "", "`file` holding the access token, one line, read before every connection attempt (default: the environment variable "+tokenEnv+")")
	fs.StringVar(&f.listen, "listen", defaultListen, "`address` to serve /metrics and /healthz on (port 0 picks a free port)")
	fs.DurationVar(&f.silence, "silence", watch.DefaultSilence, "a connection with no event for this `long` counts as silent")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if err := c.completeWatch(&f, fs); err != nil {
		fs.Usage()
		return f, err
	}
	return f, nil
}

// completeWatch checks what fs read, as check checks its own, and the
// token as the first attempt will read it.
func (c checker) completeWatch(f *watchFlags, fs *flag.FlagSet) error {
	id, idErr := diagnosis.ParseCustomerID(f.customerID)
	switch {
	case fs.NArg() > 0:
		// Not quoted: it may be a token meant for DEFENDCHECK_TOKEN.
		return fmt.Errorf("watch takes flags only; %d argument(s) follow them (the first that is not a flag ends the flags)", fs.NArg())
	case len(f.targets) == 0:
		return errors.New(`-target is required: the RMS-Socket endpoint to watch, such as
    -target https://rms.lsports.eu/rms-socket/socket.io
    -target https://rms.lsports.cloud/rms-socket/socket.io`)
	case idErr != nil:
		return errors.New("-customer-id is required: the numeric Customer ID to connect as")
	case !id.Valid:
		return fmt.Errorf("-customer-id %q: a Customer ID is digits only", strings.TrimSpace(f.customerID))
	case f.silence <= 0:
		return fmt.Errorf("-silence %s: want a positive duration", f.silence)
	}
	f.customerID = id.Value
	_, err := c.token(f.tokenFile)
	return err
}
