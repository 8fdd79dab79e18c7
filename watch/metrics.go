package watch

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/lsports/defendcheck/diagnosis"
)

// The events counted by name; any other name is counted as eventOther, so
// that the labels stay bounded whatever the server sends.
const (
	eventAccept = "RESERVE_BET_ACCEPT"
	eventReject = "RESERVE_BET_REJECT"
	eventOther  = "other"
)

// The transports of the transport metric.
var transports = []string{"polling", "websocket"}

// metrics are the watcher's metrics, in their own registry with the Go and
// process collectors. The target label is the target's URL; nothing holds
// the token.
type metrics struct {
	reg         *prometheus.Registry
	connected   *prometheus.GaugeVec
	attempts    *prometheus.CounterVec
	disconnects *prometheus.CounterVec
	events      *prometheus.CounterVec
	lastEvent   *prometheus.GaugeVec
	transport   *prometheus.GaugeVec
	silent      *prometheus.GaugeVec
	tokenExpiry *prometheus.GaugeVec
}

func newMetrics() *metrics {
	gauge := func(name, help string, labels ...string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
	}
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	}
	m := &metrics{
		reg:         prometheus.NewRegistry(),
		connected:   gauge("defendcheck_connected", "1 while the target's Socket.IO namespace is connected, else 0.", "target"),
		attempts:    counter("defendcheck_attempts_total", "Connection attempts, counted when each connects (kind ok) or ends without connecting (the check's kind).", "target", "kind"),
		disconnects: counter("defendcheck_disconnects_total", "Losses of an established connection, by the check's kind and the WebSocket close code (none without one).", "target", "kind", "close_code"),
		events:      counter("defendcheck_events_total", "Events received, by name: RESERVE_BET_ACCEPT, RESERVE_BET_REJECT or other.", "target", "event"),
		lastEvent:   gauge("defendcheck_last_event_timestamp_seconds", "When the last event arrived, in Unix seconds.", "target"),
		transport:   gauge("defendcheck_transport", "1 for the connection's current transport (polling, websocket), else 0.", "target", "transport"),
		silent:      gauge("defendcheck_silent", "1 while connected with no event for the -silence duration, else 0.", "target"),
		tokenExpiry: gauge("defendcheck_token_expiry_timestamp_seconds", "The access token's exp claim, in Unix seconds, when the token is a JWT with one.", "target"),
	}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.connected, m.attempts, m.disconnects, m.events, m.lastEvent, m.transport, m.silent, m.tokenExpiry)
	return m
}

// start makes a target's series that an alert reads from the start.
func (m *metrics) start(target string) {
	m.connected.WithLabelValues(target).Set(0)
	m.silent.WithLabelValues(target).Set(0)
	for _, e := range []string{eventAccept, eventReject, eventOther} {
		m.events.WithLabelValues(target, e)
	}
	m.setTransport(target, "")
}

// setTransport makes current (or none, for "") the target's one transport.
func (m *metrics) setTransport(target, current string) {
	for _, t := range transports {
		v := 0.0
		if t == current {
			v = 1
		}
		m.transport.WithLabelValues(target, t).Set(v)
	}
}

// event counts an event named name at target.
func (m *metrics) event(target, name string, at time.Time) {
	if name != eventAccept && name != eventReject {
		name = eventOther
	}
	m.events.WithLabelValues(target, name).Inc()
	m.lastEvent.WithLabelValues(target).Set(float64(at.UnixMilli()) / 1000)
}

// disconnect counts the loss of an established connection.
func (m *metrics) disconnect(target string, res *diagnosis.Result) {
	code := "none"
	if res.CloseCode != nil {
		code = strconv.Itoa(*res.CloseCode)
	}
	m.disconnects.WithLabelValues(target, string(res.Kind), code).Inc()
}

// token exports the expiry of token, read at now, or removes it when the
// token is no JWT with exp.
func (m *metrics) token(target, token string, now time.Time) {
	if t := diagnosis.ReadToken(token, now); t != nil && t.ExpiresAt != nil {
		if exp, err := time.Parse(time.RFC3339, *t.ExpiresAt); err == nil {
			m.tokenExpiry.WithLabelValues(target).Set(float64(exp.Unix()))
			return
		}
	}
	m.tokenExpiry.DeleteLabelValues(target)
}

func (m *metrics) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	return mux
}
