package watch_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/httpserve"
	"github.com/lsports/defendcheck/internal/logbuf"
	"github.com/lsports/defendcheck/rmssim"
	"github.com/lsports/defendcheck/watch"
)

// eventInterval is the simulator's time between events in these tests.
const eventInterval = 200 * time.Millisecond

// simAt serves the simulator on addr ("127.0.0.1:0" picks a port) in
// front of wrap (nil: none); stop makes it go away, its connections with it.
func simAt(t testing.TB, addr string, wrap func(http.Handler) http.Handler) (tgt diagnosis.Target, stop func()) {
	t.Helper()
	sim := rmssim.New(rmssim.Options{EventInterval: eventInterval})
	var h http.Handler = sim
	if wrap != nil {
		h = wrap(sim)
	}
	srv, err := httpserve.Listen(addr, h)
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			_ = sim.Close()
			_ = srv.Close()
		}
	}
	t.Cleanup(stop)
	return diagnosis.Target{Origin: srv.URL(), Path: rmssim.Path}, stop
}

// running is a watcher under test: its metrics served, its log kept.
type running struct {
	url  string
	logs *logbuf.Buffer
	stop func() time.Duration // stops it and says how long Run took to return
}

// start runs a watcher of cfg until the test ends or stop.
func start(t testing.TB, cfg watch.Config) *running {
	t.Helper()
	logs := &logbuf.Buffer{}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	if cfg.Token == nil {
		cfg.Token = func() (string, error) { return "", nil }
	}
	w := watch.New(cfg)
	srv := httptest.NewServer(w.Handler())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		w.Run(ctx)
		close(done)
	}()
	var took time.Duration
	stopped := false
	r := &running{url: srv.URL, logs: logs, stop: func() time.Duration {
		if !stopped {
			stopped = true
			began := time.Now()
			cancel()
			select {
			case <-done:
				took = time.Since(began)
			case <-time.After(30 * time.Second):
				t.Error("Run did not return within 30 s of its context's end")
			}
		}
		return took
	}}
	t.Cleanup(func() {
		r.stop()
		srv.Close()
	})
	return r
}

// scrape reads /metrics.
func (r *running) scrape(t testing.TB) string {
	t.Helper()
	resp, err := http.Get(r.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d, %v", resp.StatusCode, err)
	}
	return string(b)
}

// value is the value of series (its name and labels as the text format
// writes them, labels sorted) in a scrape; ok is false when absent.
func value(scrape, series string) (v float64, ok bool) {
	sc := bufio.NewScanner(strings.NewReader(scrape))
	for sc.Scan() {
		if rest, found := strings.CutPrefix(sc.Text(), series+" "); found {
			v, err := strconv.ParseFloat(rest, 64)
			return v, err == nil
		}
	}
	return 0, false
}

// series names a metric of target with more labels ("kind", "ok", ...),
// sorted as the text format writes them.
func series(name string, tgt diagnosis.Target, labels ...string) string {
	pairs := []string{}
	for i := 0; i+1 < len(labels); i += 2 {
		pairs = append(pairs, labels[i]+`="`+labels[i+1]+`"`)
	}
	pairs = append(pairs, `target="`+tgt.String()+`"`)
	slices.Sort(pairs)
	return name + "{" + strings.Join(pairs, ",") + "}"
}

// until polls cond every 100 ms until it holds, or fails the test after
// within, saying what was awaited and what cond last saw.
func until(t testing.TB, within time.Duration, what string, cond func() (ok bool, saw string)) {
	t.Helper()
	end := time.Now().Add(within)
	for {
		ok, saw := cond()
		if ok {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("no %s within %s; saw %s", what, within, saw)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// metricIs waits until the watcher's series has a value that want accepts.
func (r *running) metricIs(t testing.TB, within time.Duration, s string, want func(float64) bool) {
	t.Helper()
	until(t, within, s+" as wanted", func() (bool, string) {
		v, ok := value(r.scrape(t), s)
		return ok && want(v), strconv.FormatFloat(v, 'g', -1, 64) + " (present " + strconv.FormatBool(ok) + ")\n" + r.logs.String()
	})
}

func is(want float64) func(float64) bool   { return func(v float64) bool { return v == want } }
func atLeast(n float64) func(float64) bool { return func(v float64) bool { return v >= n } }
