// Package watch holds one RMS-Socket connection per target, as the
// customer's integration holds it (check.Run with a hold of check.HoldOn),
// connects again with backoff after every close, cut or refusal, and says
// what it sees in Prometheus metrics (see Handler) and in one log line per
// transition, in the words of the one view (diagnosis.NewView).
package watch

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/lsports/defendcheck/check"
	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/transport/native"
)

// DefaultSilence is how long a connection may go without an event before
// it counts as silent.
const DefaultSilence = 2 * time.Minute

// stopGrace is how long, once the watcher is stopped, an attempt that is
// still connecting may go on before it is cancelled; a held connection
// closes politely at once, within check's own grace of a second.
const stopGrace = time.Second

// Config is a watcher's input. The caller has checked it (see the watch
// command): a valid customer ID, targets, a readable token.
type Config struct {
	Targets    []diagnosis.Target
	CustomerID string
	// Token returns the access token ("" for none). It is called before
	// every connection attempt, so that a refresher can rotate the file
	// it reads; its errors must not quote the token.
	Token func() (string, error)
	// Silence is how long a connected target may go without an event
	// before defendcheck_silent is 1; zero means DefaultSilence.
	Silence time.Duration
	// Proxy chooses the proxy of a request, as http.Transport.Proxy does;
	// nil means http.ProxyFromEnvironment.
	Proxy  func(*http.Request) (*url.URL, error)
	Logger *slog.Logger // nil discards
}

// Watcher watches its targets until its Run's context ends.
type Watcher struct {
	cfg     Config
	metrics *metrics
	budget  *budget
	targets []*target
}

// New returns a watcher of cfg.Targets, its metrics registered (each
// target's connected, silent and event counts start at 0).
func New(cfg Config) *Watcher {
	if cfg.Silence <= 0 {
		cfg.Silence = DefaultSilence
	}
	if cfg.Proxy == nil {
		cfg.Proxy = http.ProxyFromEnvironment
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	w := &Watcher{cfg: cfg, metrics: newMetrics(), budget: newBudget()}
	for _, t := range cfg.Targets {
		w.targets = append(w.targets, newTarget(w, t))
	}
	return w
}

// Handler serves /metrics (the Prometheus text format, with the Go and
// process collectors) and /healthz (200 while the process runs).
func (w *Watcher) Handler() http.Handler { return w.metrics.handler() }

// Run holds a connection to every target until ctx ends, then closes each
// politely, cancels what is still connecting after stopGrace, and returns
// once nothing it opened is open.
func (w *Watcher) Run(ctx context.Context) {
	conn, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(stopGrace, cancel) })
	defer stop()
	var wg sync.WaitGroup
	for _, t := range w.targets {
		wg.Go(func() { t.run(ctx, conn) })
	}
	wg.Wait()
}

// newCheck is the check.Config of one attempt at t with token, through
// client: held until stop ends, never retried inside the check (the
// watcher backs off itself), its budget the watcher's (see budget).
func (w *Watcher) newCheck(t diagnosis.Target, token string, client *http.Client, stop context.Context) check.Config {
	return check.Config{
		Target:      t,
		CustomerID:  w.cfg.CustomerID,
		Token:       token,
		Fetcher:     native.Fetcher{Client: client},
		Dialer:      native.Dialer{Proxy: w.cfg.Proxy},
		RetryDelays: []time.Duration{},
		Hold:        check.HoldOn,
		StopHold:    stop.Done(),
	}
}

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
