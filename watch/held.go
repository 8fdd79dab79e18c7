package watch

import (
	"strconv"
	"sync"
	"time"

	"github.com/lsports/defendcheck/check"
	"github.com/lsports/defendcheck/diagnosis"
)

// held is what the watcher knows of one attempt's connection while it
// runs: progress and events come from the checking goroutine, the silence
// tick from its own.
type held struct {
	t *target

	mu          sync.Mutex
	connectedAt time.Time // zero until the namespace connected
	lastEvent   time.Time // zero until an event arrived
	transport   string    // the current transport, once connected
	announced   bool      // the connected line is logged
	silent      bool
}

// progress follows the check's steps: the namespace's connect, and the
// transport once the upgrade is resolved.
func (c *held) progress(p check.Progress) {
	var namespace, upgrade diagnosis.StepStatus
	for _, s := range p.Steps {
		switch s.Name {
		case diagnosis.StepNamespace:
			namespace = s.Status
		case diagnosis.StepUpgrade:
			upgrade = s.Status
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	m, name := c.t.w.metrics, c.t.name
	if namespace == diagnosis.StepOK && c.connectedAt.IsZero() {
		c.connectedAt = time.Now()
		m.connected.WithLabelValues(name).Set(1)
		m.attempts.WithLabelValues(name, string(diagnosis.KindOK)).Inc()
	}
	if c.connectedAt.IsZero() {
		return
	}
	transport := "polling"
	if upgrade == diagnosis.StepOK {
		transport = "websocket"
	}
	if transport != c.transport {
		c.transport = transport
		m.setTransport(name, transport)
	}
	if upgrade == diagnosis.StepOK || upgrade == diagnosis.StepWarning {
		c.announce()
	}
}

// announce logs the connect once, with its transport; c.mu is held.
func (c *held) announce() {
	if !c.announced {
		c.announced = true
		c.t.log.Info("connected", "transport", c.transport)
	}
}

func (c *held) event(name string, at time.Time) {
	c.t.w.metrics.event(c.t.name, name, at)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lastEvent = at
	if c.silent {
		c.silent = false
		c.t.w.metrics.silent.WithLabelValues(c.t.name).Set(0)
		c.t.log.Info("events again", "event", name)
	}
}

// tick looks for silence every second until done.
func (c *held) tick(done <-chan struct{}) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case now := <-tick.C:
			c.checkSilence(now)
		}
	}
}

// checkSilence marks the connection silent once it has gone the watcher's
// Silence without an event, counted from the connect or the last event.
func (c *held) checkSilence(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.connectedAt.IsZero() || c.silent {
		return
	}
	since := c.connectedAt
	if c.lastEvent.After(since) {
		since = c.lastEvent
	}
	silence := c.t.w.cfg.Silence
	if now.Sub(since) >= silence {
		c.silent = true
		c.t.w.metrics.silent.WithLabelValues(c.t.name).Set(1)
		c.t.log.Warn("silent", "no_event_for", silence.String())
	}
}

// ended counts and logs how the attempt ended, res its result, and
// returns how long its connection held. A connection the watcher closed
// itself (stopped) is no loss.
func (c *held) ended(res *diagnosis.Result, stopped bool) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, name, t := c.t.w.metrics, c.t.name, c.t
	if c.connectedAt.IsZero() {
		if stopped {
			return 0
		}
		m.attempts.WithLabelValues(name, string(res.Kind)).Inc()
		if res.StatusCode != nil {
			t.said("refused", res, "status", *res.StatusCode)
		} else {
			t.said("not connected", res)
		}
		return 0
	}
	held := time.Since(c.connectedAt)
	m.connected.WithLabelValues(name).Set(0)
	m.silent.WithLabelValues(name).Set(0)
	m.setTransport(name, "")
	if res.Transport != "" {
		c.transport = res.Transport
	}
	c.announce()
	if stopped {
		t.log.Info("closed", "held", seconds(held))
		return held
	}
	m.disconnect(name, res)
	code := "none"
	if res.CloseCode != nil {
		code = strconv.Itoa(*res.CloseCode)
	}
	t.said("disconnected", res, "close_code", code, "held", seconds(held))
	return held
}

// seconds is d in whole seconds, as the log lines give it.
func seconds(d time.Duration) string {
	return strconv.FormatInt(int64(d/time.Second), 10) + "s"
}
