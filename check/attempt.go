package check

import (
	"context"
	"net/url"
	"strconv"
	"sync"
	"time"

	socket "github.com/zishang520/socket.io/clients/socket/v3"
	enginepacket "github.com/zishang520/socket.io/parsers/engine/v3/packet"
	"github.com/zishang520/socket.io/parsers/socket/v3/parser"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/transport"
)

// requestSlack keeps each request's own deadline (the handshake bound and
// this) past the phase bounds it runs under: when a request and its phase
// would run out together, the phase's bound is what the check reports
// ("namespace: no answer within 10s"), not the request's "context deadline
// exceeded".
const requestSlack = 2 * time.Second

// closeGrace bounds how long an attempt waits, once it has its verdict,
// for its connection to close politely (a close POST or a WebSocket close)
// before it aborts whatever is still open.
const closeGrace = time.Second

// attempt is one Socket.IO connection of a check. Library callbacks only
// queue events (see inbox); the attempt's own goroutine handles them in
// order, one method per event, each saying whether the attempt is done. The check
// runs in phases (see phase) beside the upgrade's wait; once both are over
// the connection stayed open, and the hold (see holding) may follow.
type attempt struct {
	cfg    Config
	id     string
	steps  *steps
	sock   *socket.Socket
	inbox  inbox
	events chan event // the inbox's events, in order, as the attempt reads them

	phase       phase       // the running phase
	timer       *time.Timer // the running phase's bound
	upgrade     upgradeWait // the WebSocket upgrade, beside the phases
	connectedAt time.Time   // when the namespace connected
	settledAt   time.Time   // when the check found the connection open; zero until then
	firstEvent  string      // the first event's name, once one arrived
	reconnected bool        // the namespace CONNECT came again

	lastPacket   packetStart // what a packet the client cannot parse began with
	obs          diagnosis.Observation
	messages     []string
	transport    string // the last transport reached
	pingInterval time.Duration
	hold         *diagnosis.Hold // nil unless a hold ran (see Config.Hold)
}

// event is something the Socket.IO client told us, and when; handle does
// it with the handlers of the stage the attempt is in when it is read.
type event struct {
	at     time.Time
	handle func(h handlers, at time.Time) (done bool)
}

// handlers are what the client's events do in a stage of the attempt: the
// attempt's own methods while it checks, the hold's while it holds (see
// holding), so that neither asks which stage it is in.
type handlers interface {
	opened(at time.Time) bool
	upgraded(at time.Time) bool
	upgradeFailed(err error, at time.Time) bool
	eventArrived(name string, at time.Time) bool
	refused(p *parser.Packet, at time.Time) bool
	connected(at time.Time) bool
	joinAcked(at time.Time) bool
	failed(err error, at time.Time) bool
	disconnected(reason string, err error, at time.Time) bool
}

func newAttempt(cfg Config, id string, steps *steps) *attempt {
	a := &attempt{cfg: cfg, id: id, steps: steps, events: make(chan event)}
	a.inbox.init()
	return a
}

// post queues an event without ever blocking the library's goroutine.
func (a *attempt) post(handle func(handlers, time.Time) bool) {
	a.inbox.push(queued{at: time.Now(), handle: handle})
}

// postEnd queues an event that may end the attempt: it is kept even past
// maxQueued, so that a close is never lost behind a burst.
func (a *attempt) postEnd(handle func(handlers, time.Time) bool) {
	a.inbox.push(queued{at: time.Now(), handle: handle, end: true})
}

// maxQueued bounds the reports the inbox keeps unread besides events
// (which coalesce, see inbox.push) and ends (see postEnd); past it they
// are counted, not kept, and the attempt notes how many.
const maxQueued = 4096

// inbox is what the client reported and the attempt has not read yet, in
// order, without a bound that drops anything silently: consecutive events
// of one name are one entry with a count, so that a burst costs one entry
// a name, and the attempt reads every one of them, with its name (see
// deliver; Config.OnEvent counts them by name).
type inbox struct {
	mu       sync.Mutex
	items    []queued
	others   int // items neither event nor end
	overflow int // reports past maxQueued, not kept
	wake     chan struct{}
	stopped  chan struct{} // closed once the attempt reads no more
}

// queued is one entry of the inbox: an event with its handler, or n
// events in a row (handle nil) called name.
type queued struct {
	at     time.Time
	handle func(handlers, time.Time) bool
	end    bool
	name   string
	n      int
}

func (in *inbox) init() {
	in.wake, in.stopped = make(chan struct{}, 1), make(chan struct{})
}

// push queues q, or adds an event to the events queued last; nothing is
// kept once the attempt has stopped reading.
func (in *inbox) push(q queued) {
	in.mu.Lock()
	defer in.mu.Unlock()
	select {
	case <-in.stopped:
		return
	default:
	}
	last := len(in.items) - 1
	switch {
	case q.handle == nil && last >= 0 && in.items[last].handle == nil && in.items[last].name == q.name:
		in.items[last].n += q.n
		return
	case q.handle != nil && !q.end && in.others >= maxQueued:
		in.overflow++
		return
	case q.handle != nil && !q.end:
		in.others++
	}
	in.items = append(in.items, q)
	select {
	case in.wake <- struct{}{}:
	default:
	}
}

// take returns what is queued, and how many reports were not kept since.
func (in *inbox) take() ([]queued, int) {
	in.mu.Lock()
	defer in.mu.Unlock()
	items, overflow := in.items, in.overflow
	in.items, in.others, in.overflow = nil, 0, 0
	return items, overflow
}

// deliver hands the inbox's entries to the attempt as events, in order,
// until stop.
func (a *attempt) deliver() {
	for {
		select {
		case <-a.inbox.stopped:
			return
		case <-a.inbox.wake:
		}
		items, overflow := a.inbox.take()
		if overflow > 0 {
			items = append([]queued{{at: time.Now(), handle: func(_ handlers, _ time.Time) bool {
				a.note("the client reported faster than this check could read: " + strconv.Itoa(overflow) + " reports were not kept")
				return false
			}}}, items...)
		}
		for _, q := range items {
			select {
			case a.events <- q.event():
			case <-a.inbox.stopped:
				return
			}
		}
	}
}

// event is what the attempt handles for q: n events are n calls.
func (q queued) event() event {
	if q.handle != nil {
		return event{at: q.at, handle: q.handle}
	}
	return event{at: q.at, handle: func(h handlers, at time.Time) bool {
		for range q.n {
			if h.eventArrived(q.name, at) {
				return true
			}
		}
		return false
	}}
}

// stop ends the delivery: the attempt reads no more.
func (in *inbox) stop() { close(in.stopped) }

// run makes the connection and follows it to a verdict, and through the
// hold when there is one. It returns the function that ends the
// connection: politely within closeGrace, then by aborting whatever is
// still open; once that returns, every request and WebSocket the attempt
// opened has ended.
func (a *attempt) run(ctx context.Context) (closeConn func()) {
	header := map[string]string{"customerid": a.id}
	if a.cfg.Token != "" {
		header["Authorization"] = "Bearer " + a.cfg.Token
	}
	subscribed := make(chan struct{})
	sess := transport.NewSession(transport.Config{
		Fetch: a.cfg.Fetcher, Dial: a.cfg.Dialer, Header: header, Subscribed: subscribed,
		Context: ctx, Timeout: a.cfg.Bounds.Handshake + requestSlack,
	})
	opts := socket.DefaultOptions()
	opts.SetPath(a.cfg.Target.Path)
	opts.SetAutoConnect(false)
	opts.SetReconnection(false)
	opts.SetTimeout(a.cfg.Bounds.Handshake)
	opts.SetTransports(sess.Transports())
	if a.cfg.runID != "" {
		opts.SetQuery(url.Values{diagnosis.RunIDParam: {a.cfg.runID}})
	}

	mgr := socket.NewManager(a.cfg.Target.Origin, opts)
	a.sock = mgr.Socket("/", nil)
	a.listen(mgr)

	a.steps.start(diagnosis.StepHandshake, time.Now())
	a.sock.Connect()
	// The handshake's answer is held until subscribed is closed, so the
	// engine cannot close before this subscription.
	engineClosed := make(chan struct{})
	_ = mgr.Engine().Once("close", func(...any) { close(engineClosed) })
	close(subscribed)

	a.phase = a.handshakePhase()
	a.timer = time.NewTimer(a.phase.bound)
	defer a.timer.Stop()
	go a.deliver()
	a.follow(ctx)
	if !a.settledAt.IsZero() && a.cfg.Hold > 0 {
		a.holdOpen(ctx)
	}
	a.inbox.stop()
	a.pingInterval = sess.PingInterval()
	return func() {
		a.sock.Disconnect()
		sess.End(engineClosed, closeGrace)
	}
}

// listen queues an event for each thing the client reports. Events and
// the namespace's CONNECT are read at the engine, where the Socket.IO
// client would report them late (a close in the same poll answer would
// overtake them) or not at all (see transport.EventName and
// transport.NamespaceConnect), and a CONNECT_ERROR from the packet itself,
// so that a refusal without data is still read.
func (a *attempt) listen(mgr *socket.Manager) {
	_ = mgr.On("open", func(...any) {
		eng := mgr.Engine()
		_ = eng.On("upgrade", func(...any) { a.post(handlers.upgraded) })
		_ = eng.On("upgradeError", func(errs ...any) {
			err := firstError(errs)
			a.post(func(h handlers, at time.Time) bool { return h.upgradeFailed(err, at) })
		})
		_ = eng.On("packet", func(args ...any) {
			p, _ := first[*enginepacket.Packet](args)
			a.lastPacket.keep(p)
			if name, ok := transport.EventName(p); ok {
				a.inbox.push(queued{at: time.Now(), name: name, n: 1})
			} else if transport.NamespaceConnect(p) {
				a.post(handlers.connected)
			}
		})
		a.post(handlers.opened)
	})
	_ = mgr.On("packet", func(args ...any) {
		if p, ok := first[*parser.Packet](args); ok && p.Type == parser.CONNECT_ERROR {
			a.postEnd(func(h handlers, at time.Time) bool { return h.refused(p, at) })
		}
	})
	_ = a.sock.On("connect_error", func(errs ...any) {
		err := firstError(errs)
		a.postEnd(func(h handlers, at time.Time) bool { return h.failed(err, at) })
	})
	_ = a.sock.On("disconnect", func(args ...any) {
		reason, _ := first[string](args)
		err := firstError(args)
		a.postEnd(func(h handlers, at time.Time) bool { return h.disconnected(reason, err, at) })
	})
}

// follow handles events until the check is done: it failed, or it settled
// (see settle). Each phase has its own bound, and the upgrade its own.
func (a *attempt) follow(ctx context.Context) {
	for {
		var done bool
		select {
		case <-ctx.Done():
			done = a.cancelled(time.Now())
		case now := <-a.timer.C:
			done = a.phase.expire(now)
		case now := <-a.upgrade.by:
			done = a.upgradeOver(now)
		case e := <-a.events:
			done = e.handle(a, e.at)
		}
		if done {
			return
		}
	}
}

func (a *attempt) cancelled(at time.Time) bool {
	a.obs.Timeout = true
	a.note(a.phase.step + ": check cancelled")
	a.fail(a.phase.step, "check cancelled", at)
	return true
}

// note keeps a message, cleaned (see diagnosis.Clean).
func (a *attempt) note(msg string) {
	a.messages = append(a.messages, diagnosis.Clean(msg, a.cfg.Token))
}

// fail marks step failed and the others not reached (see steps.stop).
func (a *attempt) fail(step, detail string, at time.Time) {
	a.steps.finish(step, diagnosis.StepFailed, detail, at)
	a.steps.stop(step)
}
