// Package check runs one defendcheck connection check against an
// RMS-Socket endpoint with the Socket.IO client, step by step, and returns
// the result as data (see package diagnosis). The browser and native code
// differ only in the transport.Fetcher and transport.Dialer they pass in.
package check

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/transport"
)

// Bounds are the longest waits of a check. Every wait is bounded, so a
// check always ends.
type Bounds struct {
	Handshake  time.Duration // engine handshake over polling
	Namespace  time.Duration // answer to the namespace CONNECT
	Upgrade    time.Duration // WebSocket upgrade, counted from the handshake
	FirstEvent time.Duration // first event, counted from join
	Settle     time.Duration // watching for a close after the first event
}

// DefaultBounds are the bounds the page uses.
var DefaultBounds = Bounds{
	Handshake:  10 * time.Second,
	Namespace:  10 * time.Second,
	Upgrade:    10 * time.Second,
	FirstEvent: 15 * time.Second,
	Settle:     time.Second,
}

// Config is one check's input.
type Config struct {
	Target     diagnosis.Target
	CustomerID string // as typed; trimmed and validated by Run
	Token      string // optional access token; sent as a Bearer header only
	Fetcher    transport.Fetcher
	Dialer     transport.Dialer
	// Budget is the page's connection count across checks; nil means a
	// budget for this check alone.
	Budget *diagnosis.Budget
	Bounds Bounds
	// RetryDelays are the waits before each retry after a server error;
	// nil means diagnosis.RetryDelays.
	RetryDelays []time.Duration
	Browser     string
	// OnProgress, if set, receives a snapshot whenever a step changes. It
	// is called from the checking goroutine and must not block for long.
	OnProgress func(Progress)
	// OnResult, if set, receives the result as soon as it is known, before
	// the check closes its connection (a close POST and its CORS preflight
	// in a browser: tens of milliseconds that the verdict need not wait
	// for). Run then returns the same result once everything is closed.
	// It is called from the checking goroutine and must not block for long.
	OnResult func(*diagnosis.Result)
	// Probe, if set, is asked whether anything answered at the target
	// when no request of the check got a readable answer (see
	// diagnosis.Reachability). The browser probes with a no-cors fetch;
	// a native check dials.
	Probe func(ctx context.Context, t diagnosis.Target) diagnosis.Probe
	// Hold keeps a connection that is up when the check's verdict is
	// known open this much longer, counting events; a close or cut during
	// it becomes the verdict. Zero: no hold; HoldOn: until ctx ends or
	// StopHold closes.
	Hold time.Duration
	// StopHold, if set, ends a hold early when closed (the page's Stop, a
	// watcher's shutdown).
	StopHold <-chan struct{}
	// Clock, if set, asks the page's own server for this computer's clock
	// minus the server's (see diagnosis.ClockSkew) and the address it sees
	// this computer at (diagnosis.SeenFromHeader). It runs beside the
	// check, which waits for it at most clockWait at the end. Expiry of
	// the token is judged by server time, and beyond
	// diagnosis.MaxClockSkew the result's timestamp is server time.
	Clock func(ctx context.Context) diagnosis.PageServer
	// Proxy is the proxy the check's requests go through, without user
	// info ("" for none or unknown), for the result and report.
	Proxy string
	// SupportURL is where to contact LSports support, for the result and
	// report ("" for none).
	SupportURL string

	runID string // set by Run: the result's, sent with every request
	// OnEvent, if set, is told the name of every event the connection
	// receives, in order, through the hold (a watcher counts them). It is
	// called from the checking goroutine and must not block for long.
	OnEvent func(name string, at time.Time)
}

// HoldOn is a Config.Hold without an end of its own: the connection is
// held until the check's context ends or StopHold closes, as a watcher
// holds it.
const HoldOn = time.Duration(math.MaxInt64)

// event tells OnEvent of an event.
func (cfg *Config) event(name string, at time.Time) {
	if cfg.OnEvent != nil {
		cfg.OnEvent(name, at)
	}
}

// Waits of the parts beside the connection: the clock's measurement once
// the connection is done, and a reachability probe.
const (
	clockWait  = 3 * time.Second
	probeBound = 5 * time.Second
)

// Progress is a live view of a running check.
type Progress struct {
	Steps  []diagnosis.Step
	Notice string // e.g. a retry countdown
}

// Run performs the check. Its only errors are diagnosis.ErrEmptyCustomerID
// and a token that diagnosis.CheckToken refuses, both before anything is
// sent: everything that can go wrong with the connection is in the
// Result. When Run returns, nothing the check opened is still open.
func Run(ctx context.Context, cfg Config) (*diagnosis.Result, error) {
	id, err := diagnosis.ParseCustomerID(cfg.CustomerID)
	if err != nil {
		return nil, err
	}
	if err := diagnosis.CheckToken(cfg.Token); err != nil {
		return nil, err
	}
	if cfg.Budget == nil {
		cfg.Budget = &diagnosis.Budget{}
	}
	if cfg.Bounds == (Bounds{}) {
		cfg.Bounds = DefaultBounds
	}
	if cfg.RetryDelays == nil {
		cfg.RetryDelays = diagnosis.RetryDelays
	}
	started := time.Now()
	cfg.runID = newRunID(started)
	clock := measureClock(ctx, cfg.Clock)
	steps := newSteps(cfg.OnProgress, cfg.Token, cfg.Hold > 0)
	steps.start(diagnosis.StepCustomerID, started)

	var out outcome
	closeConn := func() {}
	if !id.Valid {
		out.obs.InvalidID = true
		steps.finish(diagnosis.StepCustomerID, diagnosis.StepFailed, "digits only; not sent", time.Now())
		steps.stop(diagnosis.StepCustomerID)
	} else {
		detail := ""
		if id.Trimmed {
			detail = "surrounding whitespace removed"
		}
		steps.finish(diagnosis.StepCustomerID, diagnosis.StepOK, detail, time.Now())
		out, closeConn = runAttempts(ctx, cfg, id.Value, steps)
	}
	if diagnosis.Classify(out.obs) == diagnosis.KindRateLimited && !out.obs.LocalLimit {
		cfg.Budget.Block(time.Now(), diagnosis.RateLimitWait)
	}
	if out.attempts > 0 && !out.obs.Answered && cfg.Probe != nil {
		pctx, cancel := context.WithTimeout(ctx, probeBound)
		out.probe = cfg.Probe(pctx, cfg.Target)
		cancel()
	}
	res := result(cfg, id, started, clock(), out, steps.snapshot())
	if cfg.OnResult != nil {
		cfg.OnResult(res)
	}
	closeConn()
	return res, nil
}

// outcome is what a check's connection attempts saw.
type outcome struct {
	obs          diagnosis.Observation
	messages     []string // cleaned (see diagnosis.Clean)
	transport    string
	attempts     int
	pingInterval time.Duration
	hold         *diagnosis.Hold
	probe        diagnosis.Probe // when the check probed
}

// shownTransport is the transport the result names: the last one reached
// by a session whose namespace connected; for one that never connected
// (refused, or ended before an answer), the one its namespace request and
// answer were counted on, polling, whether or not an upgrade raced them
// (its step then says it was not used), so that one refusal reads the same
// every time; "" when no session opened.
func (out outcome) shownTransport() string {
	if out.transport != "" && !out.obs.Connected {
		return "polling"
	}
	return out.transport
}

// measureClock starts asking the page's server (see Config.Clock) and
// returns what waits for its answer: nil when there is no Clock to ask,
// else what it read (nothing known when it did not answer in time).
func measureClock(ctx context.Context, measure func(context.Context) diagnosis.PageServer) func() *diagnosis.PageServer {
	if measure == nil {
		return func() *diagnosis.PageServer { return nil }
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan diagnosis.PageServer, 1)
	go func() { done <- measure(ctx) }()
	return func() *diagnosis.PageServer {
		defer cancel()
		select {
		case read := <-done:
			return &read
		case <-time.After(clockWait):
			return &diagnosis.PageServer{}
		}
	}
}

// result builds a check's Result: the one place one is made. With the
// clock's skew known, the token is judged by server time, and a skew
// beyond diagnosis.MaxClockSkew puts the timestamp in server time.
func result(cfg Config, id diagnosis.CustomerID, started time.Time, page *diagnosis.PageServer, out outcome, steps []diagnosis.Step) *diagnosis.Result {
	kind := diagnosis.Classify(out.obs)
	serverStart, stamp := started, started // the token is judged as the check started, before any hold
	var skewMS *int64
	var seenFrom *string
	if page != nil {
		seenFrom = &page.SeenFrom
	}
	if page != nil && page.SkewKnown {
		skew := page.Skew
		serverStart = started.Add(-skew)
		ms := skew.Milliseconds()
		skewMS = &ms
		if skew.Abs() > diagnosis.MaxClockSkew {
			stamp = started.Add(-skew)
		}
	}
	res := &diagnosis.Result{
		Verdict:    diagnosis.Lookup(kind).Verdict,
		Kind:       kind,
		StatusCode: code(out.obs.StatusCode, out.obs.HTTPStatus),
		CloseCode:  code(out.obs.ShownCloseCode()),
		CustomerID: id.Value,
		Timestamp:  stamp.UTC().Format(time.RFC3339),
		RunID:      cfg.runID,
		Messages:   append([]string{}, out.messages...),
		Transport:  out.shownTransport(),
		Steps:      steps,
		Target:     cfg.Target,
		Attempts:   out.attempts,
		Trimmed:    id.Trimmed,
		NotSent:    out.obs.InvalidID,
		Browser:    cfg.Browser,

		Token:        diagnosis.ReadToken(cfg.Token, serverStart),
		ClockSkewMS:  skewMS,
		SeenFrom:     seenFrom,
		Hold:         out.hold,
		PingInterval: out.pingInterval,
	}
	res.Proxy = diagnosis.Clean(cfg.Proxy, cfg.Token)
	res.SupportURL = cfg.SupportURL
	switch {
	case out.probe.Reachability != "":
		res.Reachability = &out.probe.Reachability
		res.ReachDetail = diagnosis.Clean(out.probe.Detail, cfg.Token)
		if out.probe.Proxy != "" {
			res.Proxy = diagnosis.Clean(out.probe.Proxy, cfg.Token)
		}
	case out.obs.Answered:
		ok := diagnosis.ReachOK
		res.Reachability = &ok
	}
	if by := out.obs.AnsweredBy; by.Known() {
		res.AnsweredBy = &by
	} else if out.probe.AnsweredBy.Known() {
		res.AnsweredBy = out.probe.AnsweredBy
	}
	res.ITHandoff = diagnosis.Handoff(res)
	res.Report = diagnosis.Report(res)
	return res
}

// code is the first code that is not 0, or nil.
func code(codes ...int) *int {
	for _, c := range codes {
		if c != 0 {
			return &c
		}
	}
	return nil
}

// runAttempts makes up to MaxAttemptsPerCheck connections: only a server
// error is retried, after a visible wait, and never past the budget. Each
// attempt's connection is closed before the next; the last one's is left
// to closeConn, so that the verdict need not wait for it.
func runAttempts(ctx context.Context, cfg Config, id string, steps *steps) (out outcome, closeConn func()) {
	for {
		if wait := cfg.Budget.Wait(time.Now()); wait > 0 {
			out.obs = diagnosis.Observation{LocalLimit: true}
			out.messages = append(out.messages, fmt.Sprintf(
				"not sent: this page made %d connection attempts in the last minute and RMS-Socket allows %d per minute per IP; wait %d s before checking again",
				cfg.Budget.Recent(time.Now()), diagnosis.ServiceConnPerMinute, ceilSeconds(wait)))
			steps.finish(diagnosis.StepHandshake, diagnosis.StepSkipped, "not sent: connection budget spent", time.Now())
			steps.stop(diagnosis.StepHandshake)
			return out, func() {}
		}
		cfg.Budget.Record(time.Now())
		out.attempts++
		a := newAttempt(cfg, id, steps)
		closeConn = a.run(ctx)
		out.obs, out.transport, out.pingInterval, out.hold = a.obs, a.transport, a.pingInterval, a.hold
		out.messages = append(out.messages, a.messages...)
		n := out.attempts
		if diagnosis.Classify(out.obs) != diagnosis.KindServerError || n >= diagnosis.MaxAttemptsPerCheck || n > len(cfg.RetryDelays) {
			return out, closeConn
		}
		closeConn()
		if !countdown(ctx, cfg.RetryDelays[n-1], n+1, steps) {
			return out, func() {}
		}
		steps.reset()
	}
}

// countdown waits d before attempt next, telling the page every second.
func countdown(ctx context.Context, d time.Duration, next int, steps *steps) bool {
	end := time.Now().Add(d)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		left := time.Until(end)
		if left <= 0 {
			steps.notify("")
			return true
		}
		steps.notify("Server error: retrying in " + strconv.FormatInt(ceilSeconds(left), 10) + " s (attempt " + strconv.Itoa(next) + " of " + strconv.Itoa(diagnosis.MaxAttemptsPerCheck) + ")")
		select {
		case <-ctx.Done():
			return false
		case <-tick.C:
		case <-time.After(left):
		}
	}
}

func ceilSeconds(d time.Duration) int64 {
	return int64((d + time.Second - 1) / time.Second)
}

// newRunID names a check for support, by this computer's clock when it
// started (the result's timestamp may be the server's), before anything is
// sent: every request carries it. It needs to be unique, not secret:
// math/rand/v2 is seeded from the runtime's random source, and leaves
// crypto/rand (and the FIPS module behind it) out of the browser build.
func newRunID(at time.Time) string {
	return "dc-" + at.UTC().Format("20060102T150405Z") + "-" + fmt.Sprintf("%012x", rand.Uint64()&(1<<48-1))
}
