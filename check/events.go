package check

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/zishang520/socket.io/parsers/socket/v3/parser"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/transport"
)

// The check's handlers (see handlers): each returns whether the check is
// done.

// opened: the Engine.IO handshake is done; the namespace CONNECT and the
// upgrade run from here.
func (a *attempt) opened(at time.Time) bool {
	a.transport = "polling"
	a.obs.Answered = true
	a.steps.finish(diagnosis.StepHandshake, diagnosis.StepOK, "reached the service (HTTP long-polling)", at)
	a.steps.start(diagnosis.StepNamespace, at)
	a.steps.start(diagnosis.StepUpgrade, at)
	a.enter(a.namespacePhase())
	a.upgrade = upgradeWait{by: time.After(a.cfg.Bounds.Upgrade)}
	return false
}

// refused: a CONNECT_ERROR. Its data is optional (a refusal without it
// trips the library's type check, hence the packet).
func (a *attempt) refused(p *parser.Packet, at time.Time) bool {
	a.fail(a.phase.step, a.refusal(p), at)
	return true
}

// refusal records a CONNECT_ERROR and returns its step detail.
func (a *attempt) refusal(p *parser.Packet) string {
	msg, data := connectError(p)
	a.obs.Refused = true
	a.obs.StatusCode = data.StatusCode
	a.note("connect_error: " + strconv.Quote(diagnosis.Redact(msg, a.cfg.Token)) + " data " + diagnosis.Redact(data.raw, a.cfg.Token))
	if data.StatusCode != 0 {
		return "refused by the service (status " + strconv.Itoa(data.StatusCode) + "): " + msg
	}
	return "refused by the service: " + msg
}

// failed: the client gave up before the namespace connected (a transport
// error, or the handshake's timeout). After that, a disconnect follows.
func (a *attempt) failed(err error, at time.Time) bool {
	if a.obs.Connected {
		return false
	}
	return a.endedBeforeConnect("", err, at)
}

// connected: the namespace accepted the customer ID; join is sent and the
// wait for a first event begins. A later CONNECT (a server that connects
// the namespace again, after every join or in a loop) changes nothing:
// join is sent once and no bound starts again, so the attempt still ends
// within its bounds; the report says it came.
func (a *attempt) connected(at time.Time) bool {
	if a.obs.Connected {
		if !a.reconnected {
			a.reconnected = true
			a.note("namespace: the service sent the namespace CONNECT again, " + seconds(a.sinceConnect(at)) + " after the first: this check joins once, and its bounds still run")
		}
		return false
	}
	a.obs.Connected = true
	a.connectedAt = at
	a.steps.finish(diagnosis.StepNamespace, diagnosis.StepOK, "the service accepted the customer ID", at)
	a.steps.start(diagnosis.StepStaysOpen, at)
	a.steps.start(diagnosis.StepJoin, at)
	a.sock.Emit("join", func([]any, error) { a.post(handlers.joinAcked) })
	sent := time.Now()
	a.steps.finish(diagnosis.StepJoin, diagnosis.StepOK, "join sent", sent)
	a.steps.start(diagnosis.StepFirstEvent, sent)
	if a.obs.EventReceived {
		a.watch(sent)
	} else {
		a.enter(a.firstEventPhase())
	}
	return false
}

func (a *attempt) joinAcked(time.Time) bool {
	a.steps.detail(diagnosis.StepJoin, "join sent and acknowledged")
	return false
}

// eventArrived: the first event ends its phase, and the watch begins. One
// that came before the namespace's CONNECT waits for it.
func (a *attempt) eventArrived(name string, at time.Time) bool {
	a.cfg.event(name, at)
	if a.obs.EventReceived {
		return false
	}
	a.obs.EventReceived, a.firstEvent = true, name
	if a.obs.Connected {
		a.watch(at)
	}
	return false
}

// watch ends the first-event step with the first event, at, and starts the
// watch after it.
func (a *attempt) watch(at time.Time) {
	a.steps.finish(diagnosis.StepFirstEvent, diagnosis.StepOK, "received "+a.firstEvent, at)
	a.enter(a.watchPhase())
}

func (a *attempt) upgraded(at time.Time) bool {
	a.obs.Upgraded = true
	a.transport = "websocket"
	a.resolveUpgrade(diagnosis.StepOK, "", at)
	return a.settle(at)
}

func (a *attempt) upgradeFailed(err error, at time.Time) bool {
	detail := "WebSocket failed: staying on HTTP long-polling"
	var ce *transport.CloseEvent
	if errors.As(err, &ce) {
		a.obs.UpgradeCode = ce.Code
		detail = "WebSocket failed (close code " + strconv.Itoa(ce.Code) + "): staying on HTTP long-polling"
	}
	a.note("upgrade: " + errText(err))
	a.resolveUpgrade(diagnosis.StepWarning, detail, at)
	return a.settle(at)
}

// upgradeOver: the upgrade's bound ran out, a warning.
func (a *attempt) upgradeOver(at time.Time) bool {
	bound := a.cfg.Bounds.Upgrade.String()
	a.note("upgrade: no WebSocket upgrade within " + bound)
	a.resolveUpgrade(diagnosis.StepWarning, "no WebSocket upgrade within "+bound, at)
	return a.settle(at)
}

// disconnected: the session ended. Before the namespace connected that
// is the verdict's cause; after it, the stays-open step fails with what
// closed it and when.
func (a *attempt) disconnected(reason string, err error, at time.Time) bool {
	if !a.obs.Connected {
		return a.endedBeforeConnect(reason, err, at)
	}
	var ce *transport.CloseEvent
	if errors.As(err, &ce) && !a.upgrade.resolved {
		// A close code comes only over a WebSocket: the upgrade happened,
		// and its event is still queued behind this one.
		a.obs.Upgraded, a.transport = true, "websocket"
		a.resolveUpgrade(diagnosis.StepOK, "", at)
	}
	a.fail(diagnosis.StepStaysOpen, a.closed(reason, err)+", "+seconds(a.sinceConnect(at))+" after connecting", at)
	return true
}

// closed records the close of a session that had connected: its code, if
// any, unless the answer that ended it says more (one that is not
// Engine.IO, a lost session, a packet the client cannot parse). It returns
// the step detail: what closed it.
func (a *attempt) closed(reason string, err error) (detail string) {
	a.obs.Closed = true
	if cannotParse(reason, err) {
		return a.unparsable(err)
	}
	detail = "closed (" + reason + ")"
	var ce *transport.CloseEvent
	if errors.As(err, &ce) {
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
	return detail
}

// endedBeforeConnect records why the attempt ended before the namespace
// connected: what the server answered, a timeout, no answer at all, or the
// Engine.IO session's close (reason is the close's, "" for an error).
func (a *attempt) endedBeforeConnect(reason string, err error, at time.Time) bool {
	step := a.phase.step
	if status, detail, ok := a.answer(err); ok {
		a.obs.HTTPStatus = status
		a.fail(step, detail, at)
		return true
	}
	switch {
	case cannotParse(reason, err):
		a.fail(step, a.unparsable(err), at)
	case errors.Is(err, context.DeadlineExceeded): // a request's own deadline
		a.obs.Timeout = true
		a.note(step + ": " + errText(err))
		a.fail(step, "no answer before the request's deadline", at)
	case isConnectTimeout(err):
		a.obs.Timeout = true
		a.note(step + ": timeout (no answer within " + a.cfg.Bounds.Handshake.String() + ")")
		a.fail(step, "no answer within "+a.cfg.Bounds.Handshake.String(), at)
	case reason != "":
		a.obs.Closed = true
		text := step + ": the Engine.IO session closed before the namespace connected: " + reason
		if err != nil {
			text += ": " + errText(err)
		}
		a.note(text)
		a.fail(step, "session closed: "+reason, at)
	default:
		a.obs.Unreachable = true
		a.note(step + ": " + errText(err))
		a.fail(step, "no answer could be read: "+errText(err), at)
	}
	return true
}
