package check

import (
	"strconv"
	"time"

	"github.com/lsports/defendcheck/diagnosis"
)

// phase is a stretch of an attempt: the step that fails if the attempt
// ends in it, how long it may last, and what its running out means. The
// check moves through handshakePhase, namespacePhase, firstEventPhase and
// watchPhase, with the upgrade's wait beside them (see upgradeWait); the
// hold is a phase of its own (see holding).
type phase struct {
	step  string
	bound time.Duration
	// expire is what the bound running out means; it returns whether the
	// attempt is done. It is nil for a phase without a bound of its own
	// (see upgradeOnly).
	expire func(at time.Time) bool
}

// handshakePhase waits for the Engine.IO handshake's answer.
func (a *attempt) handshakePhase() phase {
	return phase{step: diagnosis.StepHandshake, bound: a.cfg.Bounds.Handshake, expire: a.noAnswer}
}

// namespacePhase waits for the answer to the namespace CONNECT.
func (a *attempt) namespacePhase() phase {
	return phase{step: diagnosis.StepNamespace, bound: a.cfg.Bounds.Namespace, expire: a.noAnswer}
}

// firstEventPhase waits for a first event after join; without one the
// check goes on, as a warning.
func (a *attempt) firstEventPhase() phase {
	return phase{step: diagnosis.StepFirstEvent, bound: a.cfg.Bounds.FirstEvent, expire: a.noEvent}
}

// watchPhase watches the connection Settle longer after the first event
// (the stays-open step), so that a close right after the upgrade (4401,
// 4403, ...) is seen.
func (a *attempt) watchPhase() phase {
	return phase{step: diagnosis.StepStaysOpen, bound: a.cfg.Bounds.Settle, expire: a.eventWaitOver}
}

// upgradeOnly is the phase after the wait for events, until the upgrade
// is resolved: it keeps the step the check would end at, and has no bound
// of its own (the upgrade has its own).
func upgradeOnly(step string) phase { return phase{step: step} }

// enter makes p the running phase, its bound counted from now.
func (a *attempt) enter(p phase) {
	a.phase = p
	if p.expire != nil {
		a.timer.Reset(p.bound)
	} else {
		a.timer.Stop()
	}
}

// noAnswer: a phase that waits for the service's answer ran out.
func (a *attempt) noAnswer(at time.Time) bool {
	bound := a.phase.bound.String()
	a.obs.Timeout = true
	a.note(a.phase.step + ": no answer within " + bound)
	a.fail(a.phase.step, "no answer within "+bound, at)
	return true
}

// noEvent: no event arrived within FirstEvent of join, a warning.
func (a *attempt) noEvent(at time.Time) bool {
	bound := a.phase.bound.String()
	a.note("first-event: no event within " + bound + " of join")
	a.steps.finish(diagnosis.StepFirstEvent, diagnosis.StepWarning, "no event within "+bound, at)
	return a.eventWaitOver(at)
}

// eventWaitOver: the wait for a first event, and the watch after it, is
// over.
func (a *attempt) eventWaitOver(at time.Time) bool {
	a.enter(upgradeOnly(a.phase.step))
	return a.settle(at)
}

// upgradeWait is the WebSocket upgrade's wait, which runs from the
// handshake's answer beside the phases: by is its bound while it runs (nil
// before and after: never ready), resolved says it is over.
type upgradeWait struct {
	by       <-chan time.Time
	resolved bool
}

// resolveUpgrade ends the upgrade's wait with its step's outcome.
func (a *attempt) resolveUpgrade(status diagnosis.StepStatus, detail string, at time.Time) {
	a.upgrade = upgradeWait{resolved: true}
	a.steps.finish(diagnosis.StepUpgrade, status, detail, at)
}

// settle ends the check once both waits, the upgrade and the phases up to
// the first event and the watch after it, are over: the connection stayed
// open. It returns whether the check is done; the hold may follow.
func (a *attempt) settle(at time.Time) bool {
	if !a.upgrade.resolved || a.phase.expire != nil {
		return false
	}
	a.steps.finish(diagnosis.StepStaysOpen, diagnosis.StepOK, "still open "+seconds(a.sinceConnect(at))+" after connecting", at)
	a.settledAt = at
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
