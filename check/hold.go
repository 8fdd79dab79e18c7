package check

import (
	"context"
	"strconv"
	"time"

	"github.com/zishang520/socket.io/parsers/socket/v3/parser"

	"github.com/lsports/defendcheck/diagnosis"
)

// holding is the hold (see Config.Hold): the phase after a settled check,
// which keeps its connection open, counting events, until the hold's time
// is up, the person stops it, or the connection closes, which becomes the
// verdict. It has its own handlers: the namespace and the upgrade are
// settled, so only an event, a refusal, a close and a late join
// acknowledgement change anything.
type holding struct {
	a     *attempt
	start time.Time
	hold  *diagnosis.Hold
}

// phase is the hold as a phase: its step, its bound, and what its running
// out means: the connection stayed up.
// A hold of HoldOn has no bound: it ends with the context or StopHold.
func (h *holding) phase() phase {
	if h.a.cfg.Hold == HoldOn {
		return phase{step: diagnosis.StepHold}
	}
	return phase{step: diagnosis.StepHold, bound: h.a.cfg.Hold, expire: func(at time.Time) bool {
		h.ended(at, false)
		return true
	}}
}

// holdOpen holds the connection of a settled check, from when it settled,
// until the hold ends.
func (a *attempt) holdOpen(ctx context.Context) {
	h := &holding{a: a, start: a.settledAt, hold: &diagnosis.Hold{}}
	notice := "Holding the connection open until stopped."
	if a.cfg.Hold != HoldOn {
		h.hold.RequestedS = int(a.cfg.Hold.Round(time.Second) / time.Second)
		notice = "Holding the connection open for " + strconv.Itoa(h.hold.RequestedS) + " s to see whether it stays up."
	}
	a.hold = h.hold
	a.steps.start(diagnosis.StepHold, h.start)
	a.enter(h.phase())
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	h.progress(h.start)
	a.steps.notify(notice)
	for {
		select {
		case <-ctx.Done():
			h.ended(time.Now(), true)
			return
		case now := <-a.timer.C:
			if a.phase.expire(now) {
				return
			}
		case now := <-tick.C:
			h.progress(now)
		case <-a.cfg.StopHold: // nil without a Stop: never ready
			h.ended(time.Now(), true)
			return
		case e := <-a.events:
			if e.handle(h, e.at) {
				return
			}
		}
	}
}

// progress shows, in the hold step, how long the connection has been held
// and what arrived.
func (h *holding) progress(at time.Time) {
	h.hold.HeldS = int(at.Sub(h.start) / time.Second)
	of := ""
	if h.hold.RequestedS > 0 {
		of = " of " + strconv.Itoa(h.hold.RequestedS) + " s"
	}
	h.a.steps.detail(diagnosis.StepHold, "held "+strconv.Itoa(h.hold.HeldS)+" s"+of+", "+diagnosis.Events(h.hold.Events))
}

// ended: the hold ran its time, or the person stopped it; the connection
// never closed.
func (h *holding) ended(at time.Time, stopped bool) {
	h.hold.HeldS = int(at.Sub(h.start).Round(time.Second) / time.Second)
	h.hold.Stopped = stopped
	h.a.steps.notify("")
	h.a.steps.finish(diagnosis.StepHold, diagnosis.StepOK, diagnosis.HoldText(h.hold), at)
}

// end ends the hold at a failure: what ended the connection.
func (h *holding) end(detail string, at time.Time) bool {
	h.a.steps.notify("")
	h.a.fail(diagnosis.StepHold, detail, at)
	return true
}

// disconnected: the connection closed during the hold, which becomes the
// verdict, with the second of the hold it came in and the result's close
// code (see diagnosis.Observation.ShownCloseCode).
func (h *holding) disconnected(reason string, err error, at time.Time) bool {
	detail := h.a.closed(reason, err)
	into := int(at.Sub(h.start) / time.Second)
	h.hold.HeldS, h.hold.ClosedAtS, h.hold.CloseCode = into, &into, code(h.a.obs.ShownCloseCode())
	return h.end(detail+", "+seconds(h.a.sinceConnect(at))+" after connecting: "+diagnosis.HoldText(h.hold), at)
}

// refused: a CONNECT_ERROR during the hold ends it, as it would the check.
func (h *holding) refused(p *parser.Packet, at time.Time) bool {
	detail := h.a.refusal(p)
	h.hold.HeldS = int(at.Sub(h.start) / time.Second)
	return h.end(detail, at)
}

func (h *holding) eventArrived(name string, at time.Time) bool {
	h.a.cfg.event(name, at)
	h.hold.Events++
	return false
}

func (h *holding) joinAcked(at time.Time) bool { return h.a.joinAcked(at) }

// The connection, the namespace and the upgrade were settled before the
// hold: a late report of them changes nothing.

func (*holding) opened(time.Time) bool               { return false }
func (*holding) connected(time.Time) bool            { return false }
func (*holding) failed(error, time.Time) bool        { return false }
func (*holding) upgraded(time.Time) bool             { return false }
func (*holding) upgradeFailed(error, time.Time) bool { return false }
