// Command rmssim serves the simulated RMS-Socket: a real Socket.IO v4
// server whose behaviour is chosen by the customer ID (see its page at /).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/lsports/defendcheck/internal/httpserve"
	"github.com/lsports/defendcheck/rmssim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "rmssim:", err)
		}
		os.Exit(2)
	}
}

// origins is the repeatable -allow-origin flag.
type origins []string

func (o *origins) String() string { return strings.Join(*o, ",") }

func (o *origins) Set(s string) error {
	*o = append(*o, s)
	return nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rmssim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:9090", "address to listen on (port 0 picks one)")
	perMinute := fs.Int("conn-per-minute", 10, "connection attempts allowed per client IP per minute (0 = no limit)")
	interval := fs.Duration("event-interval", rmssim.DefaultEventInterval, "time between events after the first")
	var allowed origins
	fs.Var(&allowed, "allow-origin", "browser origin allowed by CORS (repeatable; default: any loopback origin)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *perMinute < 0 || *interval <= 0 {
		return errors.New("-conn-per-minute must be 0 or more and -event-interval positive")
	}
	sim := rmssim.New(rmssim.Options{
		ConnPerMinute:  *perMinute,
		EventInterval:  *interval,
		AllowedOrigins: allowed,
		Logger:         slog.New(slog.NewTextHandler(stderr, nil)),
	})
	defer sim.Close()
	srv, err := httpserve.Listen(*addr, sim)
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Fprintf(stdout, "rmssim: simulated RMS-Socket on %s/ (Socket.IO path %s; Ctrl-C to stop)\n", srv.URL(), rmssim.Path)
	<-ctx.Done()
	return nil
}
