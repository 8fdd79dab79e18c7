package check

import (
	"context"
	"errors"
	"strconv"
	"time"

	socket "github.com/zishang520/socket.io/clients/socket/v3"
	enginepacket "github.com/zishang520/socket.io/parsers/engine/v3/packet"
	"github.com/zishang520/socket.io/parsers/socket/v3/parser"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/transport"
)

// closeGrace bounds how long an attempt waits, once it has its verdict,
// for its connection to close politely (a close POST or a WebSocket close)
// before it aborts whatever is still open.
const closeGrace = time.Second

// attempt is one Socket.IO connection of a check. Library callbacks only
// queue events; the attempt's own goroutine handles them in order, one
// method per event, each saying whether the attempt is done.
type attempt struct {
	cfg    Config
	id     string
	steps  *steps
	sock   *socket.Socket
	events chan event

	current     string           // the running step that phase bounds
	connectedAt time.Time        // when the namespace connected
	phase       *time.Timer      // the current step's bound
	upgradeBy   <-chan time.Time // the upgrade's bound, from the handshake on
	upgradeDone bool             // the upgrade is resolved
	eventDone   bool             // the wait for a first event (and a close after it) is over

	obs          diagnosis.Observation
	messages     []string
	transport    string // the last transport reached
	pingInterval time.Duration

	// The hold, after the check's verdict (see Config.Hold): hold is nil
	// until it starts.
	holdStart time.Time
	holdTick  *time.Ticker
	hold      *diagnosis.Hold
}

// event is something the Socket.IO client told us, and when.
type event struct {
	at     time.Time
	handle func(at time.Time) (done bool)
}

func newAttempt(cfg Config, id string, steps *steps) *attempt {
	return &attempt{cfg: cfg, id: id, steps: steps, events: make(chan event, 64), current: diagnosis.StepHandshake}
}

// post queues an event without ever blocking the library's goroutine; a
// full queue drops late events, which the attempt has stopped reading.
func (a *attempt) post(handle func(time.Time) bool) {
	select {
	case a.events <- event{at: time.Now(), handle: handle}:
	default:
	}
}

// run makes the connection and follows it to a verdict. It returns the
// function that ends the connection: politely within closeGrace, then by
// aborting whatever is still open; once that returns, every request and
// WebSocket the attempt opened has ended.
func (a *attempt) run(ctx context.Context) (closeConn func()) {
	header := map[string]string{"customerid": a.id}
	if a.cfg.Token != "" {
		header["Authorization"] = "Bearer " + a.cfg.Token
	}
	subscribed := make(chan struct{})
	sess := transport.NewSession(transport.Config{
		Fetch: a.cfg.Fetcher, Dial: a.cfg.Dialer, Header: header, Subscribed: subscribed,
		Context: ctx, Timeout: a.cfg.Bounds.Handshake,
	})
	opts := socket.DefaultOptions()
	opts.SetPath(a.cfg.Target.Path)
	opts.SetAutoConnect(false)
	opts.SetReconnection(false)
	opts.SetTimeout(a.cfg.Bounds.Handshake)
	opts.SetTransports(sess.Transports())

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

	a.follow(ctx)
	a.pingInterval = sess.PingInterval()
	return func() {
		a.sock.Disconnect()
		sess.End(engineClosed, closeGrace)
	}
}

// listen queues an event for each thing the client reports. Events are
// read at the engine where the Socket.IO client would report them late or
// not at all (see transport.EventName), and a CONNECT_ERROR from the packet
// itself, so that a refusal without data is still read.
func (a *attempt) listen(mgr *socket.Manager) {
	_ = mgr.On("open", func(...any) {
		eng := mgr.Engine()
		_ = eng.On("upgrade", func(...any) { a.post(a.upgraded) })
		_ = eng.On("upgradeError", func(errs ...any) {
			err := firstError(errs)
			a.post(func(at time.Time) bool { return a.upgradeFailed(err, at) })
		})
		_ = eng.On("packet", func(args ...any) {
			p, _ := first[*enginepacket.Packet](args)
			if name, ok := transport.EventName(p); ok {
				a.post(func(at time.Time) bool { return a.eventArrived(name, at) })
			}
		})
		a.post(a.opened)
	})
	_ = mgr.On("packet", func(args ...any) {
		if p, ok := first[*parser.Packet](args); ok && p.Type == parser.CONNECT_ERROR {
			a.post(func(at time.Time) bool { return a.refused(p, at) })
		}
	})
	_ = a.sock.On("connect", func(...any) { a.post(a.connected) })
	_ = a.sock.On("connect_error", func(errs ...any) {
		err := firstError(errs)
		a.post(func(at time.Time) bool { return a.failed(err, at) })
	})
	_ = a.sock.On("disconnect", func(args ...any) {
		reason, _ := first[string](args)
		err := firstError(args)
		a.post(func(at time.Time) bool { return a.disconnected(reason, err, at) })
	})
}

// follow handles events until the attempt is done. Each step has its own
// bound; after the first event the attempt watches Settle longer (the
// stays-open step), so that a close right after the upgrade (4401, 4403,
// ...) is seen.
func (a *attempt) follow(ctx context.Context) {
	a.phase = time.NewTimer(a.cfg.Bounds.Handshake)
	defer a.phase.Stop()
	a.holdTick = time.NewTicker(time.Hour)
	a.holdTick.Stop()
	defer a.holdTick.Stop()
	for {
		var done bool
		select {
		case <-ctx.Done():
			done = a.cancelled(time.Now())
		case now := <-a.phase.C:
			done = a.phaseOver(now)
		case now := <-a.upgradeBy:
			done = a.upgradeOver(now)
		case now := <-a.holdTick.C:
			a.holdProgress(now)
		case <-a.stopHold():
			done = a.holdEnded(time.Now(), true)
		case e := <-a.events:
			done = e.handle(e.at)
		}
		if done {
			return
		}
	}
}

// settled reports whether both open waits, the upgrade and the first
// event (and the watch after it), are over: then the connection stayed
// open, and the attempt is done, or holds it open (see Config.Hold).
func (a *attempt) settled(at time.Time) bool {
	if !a.upgradeDone || !a.eventDone {
		return false
	}
	a.steps.finish(diagnosis.StepStaysOpen, diagnosis.StepOK, "still open "+seconds(a.sinceConnect(at))+" after connecting", at)
	if a.cfg.Hold <= 0 {
		return true
	}
	a.holdStart = at
	a.hold = &diagnosis.Hold{RequestedS: int(a.cfg.Hold.Round(time.Second) / time.Second)}
	a.current = diagnosis.StepHold
	a.steps.start(diagnosis.StepHold, at)
	a.phase.Reset(a.cfg.Hold)
	a.holdTick.Reset(time.Second)
	a.holdProgress(at)
	a.steps.notify("Holding the connection open for " + strconv.Itoa(a.hold.RequestedS) + " s to see whether it stays up.")
	return false
}

// stopHold is the page's Stop while holding, else nil (never ready).
func (a *attempt) stopHold() <-chan struct{} {
	if a.hold == nil {
		return nil
	}
	return a.cfg.StopHold
}

// holdProgress shows, in the hold step, how long the connection has been
// held and what arrived.
func (a *attempt) holdProgress(at time.Time) {
	a.hold.HeldS = int(at.Sub(a.holdStart) / time.Second)
	a.steps.detail(diagnosis.StepHold, "held "+strconv.Itoa(a.hold.HeldS)+" s of "+strconv.Itoa(a.hold.RequestedS)+" s, "+strconv.Itoa(a.hold.Events)+" events")
}

// holdEnded: the hold ran its time, or the person stopped it; the
// connection never closed.
func (a *attempt) holdEnded(at time.Time, stopped bool) bool {
	a.holdTick.Stop()
	a.hold.HeldS = int(at.Sub(a.holdStart).Round(time.Second) / time.Second)
	a.hold.Stopped = stopped
	a.steps.notify("")
	a.steps.finish(diagnosis.StepHold, diagnosis.StepOK, diagnosis.HoldText(a.hold), at)
	return true
}

// seconds prints d as a person reads it: "35 ms", "1.2 s".
func seconds(d time.Duration) string {
	if d < time.Second {
		return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
}

// sinceConnect is how long after the namespace connected at is, to the
// millisecond.
func (a *attempt) sinceConnect(at time.Time) time.Duration {
	return at.Sub(a.connectedAt).Round(time.Millisecond)
}

func (a *attempt) cancelled(at time.Time) bool {
	if a.hold != nil { // the check is done: the hold ends early
		return a.holdEnded(at, true)
	}
	a.obs.Timeout = true
	a.note(a.current + ": check cancelled")
	a.fail("check cancelled", at)
	return true
}

// phaseOver: the current step's bound ran out. Only the first-event step
// may end without an answer, as a warning; the watch after an event ends
// the wait.
func (a *attempt) phaseOver(at time.Time) bool {
	b := a.cfg.Bounds
	switch a.current {
	case diagnosis.StepHold:
		return a.holdEnded(at, false)
	case diagnosis.StepStaysOpen:
	case diagnosis.StepFirstEvent:
		a.note("first-event: no event within " + b.FirstEvent.String() + " of join")
		a.steps.finish(a.current, diagnosis.StepWarning, "no event within "+b.FirstEvent.String(), at)
	default:
		bound := b.Handshake
		if a.current == diagnosis.StepNamespace {
			bound = b.Namespace
		}
		a.obs.Timeout = true
		a.note(a.current + ": no answer within " + bound.String())
		a.fail("no answer within "+bound.String(), at)
		return true
	}
	a.eventDone = true
	return a.settled(at)
}

func (a *attempt) upgradeOver(at time.Time) bool {
	a.upgradeDone, a.upgradeBy = true, nil
	a.note("upgrade: no WebSocket upgrade within " + a.cfg.Bounds.Upgrade.String())
	a.steps.finish(diagnosis.StepUpgrade, diagnosis.StepWarning, "no WebSocket upgrade within "+a.cfg.Bounds.Upgrade.String(), at)
	return a.settled(at)
}

// opened: the Engine.IO handshake is done; the namespace CONNECT and the
// upgrade run from here.
func (a *attempt) opened(at time.Time) bool {
	a.transport = "polling"
	a.obs.Answered = true
	a.steps.finish(diagnosis.StepHandshake, diagnosis.StepOK, "reached the service (HTTP long-polling)", at)
	a.steps.start(diagnosis.StepNamespace, at)
	a.steps.start(diagnosis.StepUpgrade, at)
	a.current = diagnosis.StepNamespace
	a.phase.Reset(a.cfg.Bounds.Namespace)
	a.upgradeBy = time.After(a.cfg.Bounds.Upgrade)
	return false
}

// refused: a CONNECT_ERROR. Its data is optional (a refusal without it
// trips the library's type check, hence the packet).
func (a *attempt) refused(p *parser.Packet, at time.Time) bool {
	msg, data := connectError(p)
	a.obs.Refused = true
	a.obs.StatusCode = data.StatusCode
	a.note("connect_error: " + strconv.Quote(diagnosis.Redact(msg, a.cfg.Token)) + " data " + diagnosis.Redact(data.raw, a.cfg.Token))
	refusal := "refused by the service: "
	if data.StatusCode != 0 {
		refusal = "refused by the service (status " + strconv.Itoa(data.StatusCode) + "): "
	}
	a.fail(refusal+msg, at)
	return true
}

// failed: the client gave up before the namespace connected (a transport
// error, or the handshake's timeout). After that, a disconnect follows.
func (a *attempt) failed(err error, at time.Time) bool {
	if a.obs.Connected {
		return false
	}
	return a.endedBeforeConnect("", err, at)
}

func (a *attempt) connected(at time.Time) bool {
	a.obs.Connected = true
	a.connectedAt = at
	a.steps.finish(diagnosis.StepNamespace, diagnosis.StepOK, "the service accepted the customer ID", at)
	a.steps.start(diagnosis.StepStaysOpen, at)
	a.steps.start(diagnosis.StepJoin, at)
	a.sock.Emit("join", func([]any, error) { a.post(a.joinAcked) })
	sent := time.Now()
	a.steps.finish(diagnosis.StepJoin, diagnosis.StepOK, "join sent", sent)
	a.steps.start(diagnosis.StepFirstEvent, sent)
	a.current = diagnosis.StepFirstEvent
	a.phase.Reset(a.cfg.Bounds.FirstEvent)
	return false
}

func (a *attempt) joinAcked(time.Time) bool {
	a.steps.detail(diagnosis.StepJoin, "join sent and acknowledged")
	return false
}

func (a *attempt) eventArrived(name string, at time.Time) bool {
	if a.hold != nil {
		a.hold.Events++
	}
	if !a.obs.EventReceived {
		a.obs.EventReceived = true
		a.steps.finish(diagnosis.StepFirstEvent, diagnosis.StepOK, "received "+name, at)
		a.current = diagnosis.StepStaysOpen
		a.phase.Reset(a.cfg.Bounds.Settle)
	}
	return false
}

func (a *attempt) upgraded(at time.Time) bool {
	a.upgradeDone, a.upgradeBy = true, nil
	a.obs.Upgraded = true
	a.transport = "websocket"
	a.steps.finish(diagnosis.StepUpgrade, diagnosis.StepOK, "", at)
	return a.settled(at)
}

func (a *attempt) upgradeFailed(err error, at time.Time) bool {
	a.upgradeDone, a.upgradeBy = true, nil
	detail := "WebSocket failed: staying on HTTP long-polling"
	var ce *transport.CloseEvent
	if errors.As(err, &ce) {
		a.obs.CloseCode = ce.Code
		detail = "WebSocket failed (close code " + strconv.Itoa(ce.Code) + "): staying on HTTP long-polling"
	}
	a.note("upgrade: " + errText(err))
	a.steps.finish(diagnosis.StepUpgrade, diagnosis.StepWarning, detail, at)
	return a.settled(at)
}

// disconnected: the session ended. Before the namespace connected that
// is the verdict's cause; after it, a close (with its code, if any), unless
// the answer that ended it says more, and the stays-open step fails with
// what closed it and when.
func (a *attempt) disconnected(reason string, err error, at time.Time) bool {
	if !a.obs.Connected {
		return a.endedBeforeConnect(reason, err, at)
	}
	a.obs.Closed = true
	detail := "closed (" + reason + ")"
	var ce *transport.CloseEvent
	closeCode := 0 // of this close, not of a failed upgrade before it
	if errors.As(err, &ce) {
		closeCode = ce.Code
		if !a.upgradeDone {
			// A close code comes only over a WebSocket: the upgrade
			// happened, and its event is still queued behind this one.
			a.upgradeDone, a.upgradeBy, a.obs.Upgraded, a.transport = true, nil, true, "websocket"
			a.steps.finish(diagnosis.StepUpgrade, diagnosis.StepOK, "", at)
		}
		a.obs.CloseCode = ce.Code
		detail = "closed with code " + strconv.Itoa(ce.Code)
		if ce.Reason != "" {
			detail += " " + strconv.Quote(diagnosis.Redact(ce.Reason, a.cfg.Token))
		}
		if ce.Code == 1006 {
			detail = "cut without a close message (code 1006)"
		}
	}
	text := "disconnect: " + reason
	if err != nil {
		text += ": " + errText(err)
	}
	a.note(text)
	if status, _, _ := a.answer(err); a.obs.SessionLost {
		a.obs.HTTPStatus = status // any other status mid-session is how it was lost
	}
	if a.hold != nil {
		a.holdTick.Stop()
		a.steps.notify("")
		into := int(at.Sub(a.holdStart) / time.Second)
		a.hold.HeldS, a.hold.ClosedAtS, a.hold.CloseCode = into, &into, code(closeCode)
		a.fail(detail+", "+seconds(a.sinceConnect(at))+" after connecting: "+diagnosis.HoldText(a.hold), at)
		return true
	}
	a.current = diagnosis.StepStaysOpen
	a.fail(detail+", "+seconds(a.sinceConnect(at))+" after connecting", at)
	return true
}

// endedBeforeConnect records why the attempt ended before the namespace
// connected: what the server answered, a timeout, no answer at all, or the
// Engine.IO session's close (reason is the close's, "" for an error).
func (a *attempt) endedBeforeConnect(reason string, err error, at time.Time) bool {
	step := a.current
	if status, detail, ok := a.answer(err); ok {
		a.obs.HTTPStatus = status
		a.fail(detail, at)
		return true
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded): // a request's own deadline
		a.obs.Timeout = true
		a.note(step + ": " + errText(err))
		a.fail("no answer before the request's deadline", at)
	case isConnectTimeout(err): // the client's handshake bound
		a.obs.Timeout = true
		a.note(step + ": timeout (no answer within " + a.cfg.Bounds.Handshake.String() + ")")
		a.fail("no answer within "+a.cfg.Bounds.Handshake.String(), at)
	case reason != "":
		a.obs.Closed = true
		text := step + ": the Engine.IO session closed before the namespace connected: " + reason
		if err != nil {
			text += ": " + errText(err)
		}
		a.note(text)
		a.fail("session closed: "+reason, at)
	default:
		a.obs.Unreachable = true
		a.note(step + ": " + errText(err))
		a.fail("no answer could be read: "+errText(err), at)
	}
	return true
}

// note keeps a message, cleaned (see diagnosis.Clean).
func (a *attempt) note(msg string) {
	a.messages = append(a.messages, diagnosis.Clean(msg, a.cfg.Token))
}

// fail marks the running step failed and the others not reached (see
// steps.stop).
func (a *attempt) fail(detail string, at time.Time) {
	a.steps.finish(a.current, diagnosis.StepFailed, detail, at)
	a.steps.stop(a.current)
}
