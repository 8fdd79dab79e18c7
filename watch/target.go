package watch

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/lsports/defendcheck/check"
	"github.com/lsports/defendcheck/diagnosis"
)

// target is one target's held connection, attempt after attempt.
type target struct {
	w       *Watcher
	t       diagnosis.Target
	name    string // the target label: its URL
	log     *slog.Logger
	client  *http.Client
	backoff backoff
}

func newTarget(w *Watcher, t diagnosis.Target) *target {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = w.cfg.Proxy
	tg := &target{w: w, t: t, name: t.String(), client: &http.Client{Transport: tr}}
	tg.log = w.cfg.Logger.With("target", tg.name)
	w.metrics.start(tg.name)
	return tg
}

// run connects, holds and connects again until stop ends; conn is the
// attempts' context, which outlives stop by stopGrace.
func (t *target) run(stop, conn context.Context) {
	defer t.client.CloseIdleConnections()
	for t.w.budget.take(stop, t.log) {
		res, held := t.attempt(stop, conn)
		t.client.CloseIdleConnections()
		if stop.Err() != nil {
			return
		}
		if res != nil && res.Kind == diagnosis.KindRateLimited {
			t.w.budget.rateLimited()
		}
		wait := t.backoff.next(res, held, rand.Float64())
		t.log.Info("waiting", "seconds", ceilSeconds(wait), "before", "the next connection attempt")
		if !sleep(stop, wait) {
			return
		}
	}
}

// attempt makes one connection and holds it until it ends or stop ends.
// It returns the check's result (nil when the token could not be read)
// and how long the connection held (0 when it never connected).
func (t *target) attempt(stop, conn context.Context) (*diagnosis.Result, time.Duration) {
	token, err := t.w.cfg.Token()
	if err != nil {
		t.log.Error("not connecting: the access token could not be read", "error", err.Error())
		return nil, 0
	}
	t.w.metrics.token(t.name, token, time.Now())
	c := &held{t: t}
	cfg := t.w.newCheck(t.t, token, t.client, stop)
	cfg.OnProgress, cfg.OnEvent = c.progress, c.event
	ticking := make(chan struct{})
	go c.tick(ticking)
	res, err := check.Run(conn, cfg)
	close(ticking)
	if err != nil { // the caller checked the customer ID and the token
		t.log.Error("not connecting", "error", err.Error())
		return nil, 0
	}
	return res, c.ended(res, stop.Err() != nil)
}

// said logs the end of an attempt in the words of the one view.
func (t *target) said(msg string, res *diagnosis.Result, attrs ...any) {
	v := diagnosis.NewView(res)
	attrs = append(attrs, "kind", string(res.Kind), "verdict", v.State, "title", v.Title, "code", v.Code)
	t.log.Warn(msg, attrs...)
}
