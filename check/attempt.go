package check

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	socket "github.com/zishang520/socket.io/clients/socket/v3"
	enginepacket "github.com/zishang520/socket.io/parsers/engine/v3/packet"
	"github.com/zishang520/socket.io/parsers/socket/v3/parser"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/transport"
)

// event is something the Socket.IO client told us. Library callbacks only
// enqueue events; the attempt's loop handles them in order.
type event struct {
	kind   eventKind
	at     time.Time
	err    error
	name   string         // event name, for eventMessage
	packet *parser.Packet // for eventConnectError
}

type eventKind int

const (
	eventOpen eventKind = iota
	eventConnect
	eventConnectError // a CONNECT_ERROR packet from the server
	eventError        // a transport error or timeout before connecting
	eventDisconnect
	eventUpgrade
	eventUpgradeError
	eventJoinAck
	eventMessage
)

// attempt is one Socket.IO connection of a check.
type attempt struct {
	cfg   Config
	id    string
	steps *steps
	ch    chan event

	obs       diagnosis.Observation
	messages  []string
	transport string
	closeCode int
}

func newAttempt(cfg Config, id string, steps *steps) *attempt {
	return &attempt{cfg: cfg, id: id, steps: steps, ch: make(chan event, 64)}
}

// post enqueues an event without ever blocking the library's goroutine; a
// full queue drops late events, which the loop has stopped reading anyway.
func (a *attempt) post(e event) {
	e.at = time.Now()
	select {
	case a.ch <- e:
	default:
	}
}

func (a *attempt) run(ctx context.Context) diagnosis.Observation {
	header := map[string]string{"customerid": a.id}
	if a.cfg.Token != "" {
		header["Authorization"] = "Bearer " + a.cfg.Token
	}
	opts := socket.DefaultOptions()
	opts.SetPath(a.cfg.Target.Path)
	opts.SetAutoConnect(false)
	opts.SetReconnection(false)
	opts.SetTimeout(a.cfg.Bounds.Handshake)
	subscribed := make(chan struct{})
	opts.SetTransports(transport.Set(transport.Config{
		Fetch: a.cfg.Fetcher, Dial: a.cfg.Dialer, Header: header, Subscribed: subscribed,
	}))

	mgr := socket.NewManager(a.cfg.Target.Origin, opts)
	sock := mgr.Socket("/", nil)
	_ = mgr.On("open", func(...any) {
		eng := mgr.Engine()
		_ = eng.On("upgrade", func(...any) { a.post(event{kind: eventUpgrade}) })
		_ = eng.On("upgradeError", func(errs ...any) { a.post(event{kind: eventUpgradeError, err: firstError(errs)}) })
		_ = eng.On("packet", func(args ...any) {
			p, _ := first[*enginepacket.Packet](args)
			if name, ok := transport.EventName(p); ok {
				a.post(event{kind: eventMessage, name: name})
			}
		})
		a.post(event{kind: eventOpen})
	})
	_ = mgr.On("packet", func(args ...any) {
		if p, ok := first[*parser.Packet](args); ok && p.Type == parser.CONNECT_ERROR {
			a.post(event{kind: eventConnectError, packet: p})
		}
	})
	_ = sock.On("connect", func(...any) { a.post(event{kind: eventConnect}) })
	_ = sock.On("connect_error", func(errs ...any) { a.post(event{kind: eventError, err: firstError(errs)}) })
	_ = sock.On("disconnect", func(args ...any) {
		e := event{kind: eventDisconnect, err: firstError(args)}
		e.name, _ = first[string](args)
		a.post(e)
	})
	defer sock.Disconnect()

	a.steps.start(diagnosis.StepHandshake, time.Now())
	sock.Connect()
	close(subscribed)
	a.loop(ctx, sock)
	return a.obs
}

// loop follows the check's steps until it has a verdict. Each phase has its
// own deadline; after the first event it watches Settle longer so that a
// close right after the upgrade (4401, 4403, ...) is seen.
func (a *attempt) loop(ctx context.Context, sock *socket.Socket) {
	b := a.cfg.Bounds
	phase := time.NewTimer(b.Handshake)
	defer phase.Stop()
	var upgradeBy <-chan time.Time
	current := diagnosis.StepHandshake
	var upgraded, eventDone bool // the upgrade and the first-event wait are resolved

	for !(upgraded && eventDone) {
		select {
		case <-ctx.Done():
			a.obs.Timeout = true
			a.messages = append(a.messages, current+": check cancelled")
			a.fail(current, "check cancelled", time.Now())
			return

		case now := <-phase.C:
			switch {
			case current != diagnosis.StepFirstEvent:
				bound := b.Handshake
				if current == diagnosis.StepNamespace {
					bound = b.Namespace
				}
				a.obs.Timeout = true
				a.messages = append(a.messages, fmt.Sprintf("%s: no answer within %s", current, bound))
				a.fail(current, fmt.Sprintf("no answer within %s", bound), now)
				return
			case !a.obs.EventReceived:
				a.messages = append(a.messages, fmt.Sprintf("first-event: no event within %s of join", b.FirstEvent))
				a.steps.finish(current, diagnosis.StepWarning, fmt.Sprintf("no event within %s", b.FirstEvent), now)
			}
			eventDone = true

		case now := <-upgradeBy:
			upgraded, upgradeBy = true, nil
			a.messages = append(a.messages, fmt.Sprintf("upgrade: no WebSocket upgrade within %s", b.Upgrade))
			a.steps.finish(diagnosis.StepUpgrade, diagnosis.StepWarning, fmt.Sprintf("no WebSocket upgrade within %s", b.Upgrade), now)

		case e := <-a.ch:
			switch e.kind {
			case eventOpen:
				a.transport = "polling"
				a.steps.finish(diagnosis.StepHandshake, diagnosis.StepOK, "Engine.IO session over long-polling", e.at)
				a.steps.start(diagnosis.StepNamespace, e.at)
				a.steps.start(diagnosis.StepUpgrade, e.at)
				current = diagnosis.StepNamespace
				phase.Reset(b.Namespace)
				upgradeBy = time.After(b.Upgrade)

			case eventConnectError:
				msg, data := connectError(e.packet)
				a.obs.Refused = true
				a.obs.StatusCode = data.StatusCode
				a.messages = append(a.messages, "connect_error: "+strconv.Quote(msg)+" data "+data.raw)
				a.fail(current, "connect_error: "+msg, e.at)
				return

			case eventError:
				if a.obs.Connected {
					continue
				}
				a.transportError(current, e.err, e.at)
				return

			case eventConnect:
				a.obs.Connected = true
				a.steps.finish(diagnosis.StepNamespace, diagnosis.StepOK, "connected to namespace /", e.at)
				a.steps.start(diagnosis.StepJoin, e.at)
				sock.Emit("join", func([]any, error) { a.post(event{kind: eventJoinAck}) })
				sent := time.Now()
				a.steps.finish(diagnosis.StepJoin, diagnosis.StepOK, "join sent", sent)
				a.steps.start(diagnosis.StepFirstEvent, sent)
				current = diagnosis.StepFirstEvent
				phase.Reset(b.FirstEvent)

			case eventJoinAck:
				a.steps.detail(diagnosis.StepJoin, "join sent and acknowledged")

			case eventMessage:
				if a.obs.EventReceived {
					continue
				}
				a.obs.EventReceived = true
				a.steps.finish(diagnosis.StepFirstEvent, diagnosis.StepOK, e.name, e.at)
				phase.Reset(b.Settle)

			case eventUpgrade:
				upgraded, upgradeBy = true, nil
				a.obs.Upgraded = true
				a.transport = "websocket"
				a.steps.finish(diagnosis.StepUpgrade, diagnosis.StepOK, "upgraded to WebSocket", e.at)

			case eventUpgradeError:
				upgraded, upgradeBy = true, nil
				detail := "WebSocket upgrade failed"
				var ce *transport.CloseEvent
				if errors.As(e.err, &ce) {
					a.closeCode = ce.Code
					detail = fmt.Sprintf("WebSocket upgrade failed: close code %d", ce.Code)
				}
				a.messages = append(a.messages, "upgrade: "+errText(e.err))
				a.steps.finish(diagnosis.StepUpgrade, diagnosis.StepWarning, detail, e.at)

			case eventDisconnect:
				if !a.obs.Connected {
					continue
				}
				a.obs.Closed = true
				var ce *transport.CloseEvent
				if errors.As(e.err, &ce) {
					a.obs.CloseCode = ce.Code
					a.closeCode = ce.Code
				}
				text := "disconnect: " + e.name
				if e.err != nil {
					text += ": " + errText(e.err)
				}
				a.messages = append(a.messages, text)
				if !upgraded {
					a.steps.finish(diagnosis.StepUpgrade, diagnosis.StepSkipped, "", e.at)
				}
				if !a.obs.EventReceived {
					a.steps.finish(current, diagnosis.StepFailed, "connection closed", e.at)
				}
				a.steps.skipRest()
				return
			}
		}
	}
}

// fail marks the running step failed and the ones after it skipped.
func (a *attempt) fail(step, detail string, at time.Time) {
	a.steps.finish(step, diagnosis.StepFailed, detail, at)
	if step == diagnosis.StepNamespace && a.steps.status(diagnosis.StepUpgrade) == diagnosis.StepRunning {
		a.steps.finish(diagnosis.StepUpgrade, diagnosis.StepSkipped, "", at)
	}
	a.steps.skipRest()
}

// transportError records why a connection failed before the namespace
// connected: an HTTP status, a timeout, or no response at all.
func (a *attempt) transportError(step string, err error, at time.Time) {
	var he *transport.HTTPError
	switch {
	case errors.As(err, &he):
		a.obs.HTTPStatus = he.Status
		a.messages = append(a.messages, fmt.Sprintf("HTTP %d on %s %s: %s", he.Status, he.Method, he.URL, excerpt(he.Body)))
		a.fail(step, fmt.Sprintf("HTTP %d", he.Status), at)
	case err != nil && err.Error() == "timeout":
		a.obs.Timeout = true
		a.messages = append(a.messages, fmt.Sprintf("%s: timeout (no answer within %s)", step, a.cfg.Bounds.Handshake))
		a.fail(step, fmt.Sprintf("no answer within %s", a.cfg.Bounds.Handshake), at)
	default:
		a.obs.Unreachable = true
		a.messages = append(a.messages, step+": "+errText(err))
		a.fail(step, "request failed: "+errText(err), at)
	}
}

// connectErrorData is the documented data of a CONNECT_ERROR.
type connectErrorData struct {
	StatusCode int `json:"statusCode"`
	raw        string
}

// connectError reads a CONNECT_ERROR packet directly, so that a refusal
// without data (which trips the library's type check) is still read.
func connectError(p *parser.Packet) (string, connectErrorData) {
	d := connectErrorData{raw: "(none)"}
	m, _ := p.Data.(map[string]any)
	msg, _ := m["message"].(string)
	if data, ok := m["data"]; ok {
		if raw, err := json.Marshal(data); err == nil {
			d.raw = string(raw)
			_ = json.Unmarshal(raw, &d)
		}
	}
	return msg, d
}

func first[T any](args []any) (T, bool) {
	var zero T
	if len(args) == 0 {
		return zero, false
	}
	v, ok := args[0].(T)
	return v, ok
}

// firstError finds the error among an event's arguments.
func firstError(args []any) error {
	for _, v := range args {
		if err, ok := v.(error); ok {
			return err
		}
	}
	return nil
}

// errText is an error's message with the causes it wraps, which the
// library's transport errors keep out of Error().
func errText(err error) string {
	if err == nil {
		return "(no detail)"
	}
	text := err.Error()
	for _, inner := range causes(err) {
		if t := inner.Error(); t != "" && !strings.Contains(text, t) {
			text += ": " + t
		}
	}
	return text
}

func causes(err error) []error {
	var wrapped []error
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		wrapped = []error{u.Unwrap()}
	case interface{ Unwrap() []error }:
		wrapped = u.Unwrap()
	}
	var out []error
	for _, e := range wrapped {
		if e != nil {
			out = append(out, e)
			out = append(out, causes(e)...)
		}
	}
	return out
}

// excerpt keeps an HTTP body readable in a report: trimmed, and cut after
// 500 bytes (a proxy's error page can be long).
func excerpt(body string) string {
	body = strings.TrimSpace(body)
	if len(body) > 500 {
		return body[:500] + "…"
	}
	return body
}
