//go:build js && wasm

package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/lsports/defendcheck/diagnosis"
)

// page is the only place that touches the DOM. Text from servers is set
// with textContent, never parsed as HTML.
type page struct {
	doc safejs.Value
	els map[string]safejs.Value // by id, looked up once
}

// pageIDs are the elements of web/index.html that the checker uses.
var pageIDs = []string{
	"config", "check-form", "customer-id", "customer-id-error", "token", "token-error", "target", "check",
	"loading", "notice", "check-status", "verdict", "verdict-heading", "verdict-state",
	"verdict-title", "verdict-kind", "verdict-code", "verdict-transport", "verdict-target",
	"verdict-attempts", "verdict-details", "progress-section", "steps", "report-section",
	"report", "copy", "download", "copy-status",
	"verdict-reason", "verdict-meaning", "verdict-resolution", "verdict-owner", "verdict-troubleshooting",
	"verdict-reason-row", "verdict-meaning-row", "verdict-resolution-row", "verdict-owner-row",
	"verdict-troubleshooting-row", "verdict-reach", "verdict-reach-row", "verdict-token", "verdict-token-row",
	"verdict-clock", "verdict-clock-row", "verdict-hold", "verdict-hold-row",
	"hold", "stop-hold", "handoff-section", "handoff", "copy-handoff", "handoff-status",
}

// verdictRows are the rows of the verdict's list, in the order shown: the
// dd's id; its row (dt and dd) is id+"-row".
var verdictRows = []string{
	"verdict-reason", "verdict-meaning", "verdict-resolution", "verdict-owner", "verdict-troubleshooting",
	"verdict-reach", "verdict-token", "verdict-clock", "verdict-hold",
}

// newPage looks every element up once, so that a renamed id stops the
// checker at start with its name instead of failing silently later.
func newPage() (*page, error) {
	doc, err := safejs.Global().Get("document")
	if err != nil {
		return nil, err
	}
	p := &page{doc: doc, els: map[string]safejs.Value{}}
	var missing []string
	for _, id := range pageIDs {
		v, err := doc.Call("getElementById", id)
		if err != nil || v.IsNull() || v.IsUndefined() {
			missing = append(missing, "#"+id)
			continue
		}
		p.els[id] = v
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("the page has no %s", strings.Join(missing, ", "))
	}
	return p, nil
}

// el returns an element of pageIDs. Any other id is a bug in this program.
func (p *page) el(id string) safejs.Value {
	v, ok := p.els[id]
	if !ok {
		panic("wasm/dom.go: #" + id + " is not in pageIDs")
	}
	return v
}

func (p *page) setText(id, text string) { _ = p.el(id).Set("textContent", text) }

func (p *page) setHidden(id string, hidden bool) { _ = p.el(id).Set("hidden", hidden) }

func (p *page) setDisabled(id string, disabled bool) { _ = p.el(id).Set("disabled", disabled) }

func (p *page) setData(id, key, value string) {
	ds, err := p.el(id).Get("dataset")
	if err == nil {
		_ = ds.Set(key, value)
	}
}

func (p *page) value(id string) string {
	s, _ := getString(p.el(id), "value")
	return s
}

// takeQueued reports whether the loader kept a click made while the
// checker loaded (data-queued on the form), and clears the mark and the
// loader's message. Call it in the same JS turn as setState("ready").
func (p *page) takeQueued() bool {
	form := p.el("check-form")
	queued, err := form.Call("hasAttribute", "data-queued")
	if err != nil {
		return false
	}
	if ok, _ := queued.Bool(); !ok {
		return false
	}
	_, _ = form.Call("removeAttribute", "data-queued")
	p.setText("notice", "")
	return true
}

func (p *page) focus(id string) { _, _ = p.el(id).Call("focus") }

// setState publishes the page's state on <html data-state>, unless it is
// the state already: observers of the attribute see each change once.
func (p *page) setState(state string) {
	root, err := p.doc.Get("documentElement")
	if err != nil {
		return
	}
	ds, err := root.Get("dataset")
	if err != nil {
		return
	}
	if cur, _ := getString(ds, "state"); cur != state {
		_ = ds.Set("state", state)
	}
}

// announce says text through the page's one status region for checks
// (#check-status): "Checking…", then the verdict.
func (p *page) announce(text string) { p.setText("check-status", text) }

// showFieldError marks a field (customer-id or token) invalid with msg,
// shown in its #FIELD-error, which its aria-describedby names, and puts
// the focus there.
func (p *page) showFieldError(field, msg string) {
	p.setText(field+"-error", msg)
	p.setHidden(field+"-error", false)
	_, _ = p.el(field).Call("setAttribute", "aria-invalid", "true")
	p.focus(field)
}

// clearFieldError removes a field's error: emptied too, since a hidden
// element named by aria-describedby still describes the field.
func (p *page) clearFieldError(field string) {
	p.setHidden(field+"-error", true)
	p.setText(field+"-error", "")
	_, _ = p.el(field).Call("removeAttribute", "aria-invalid")
}

// fieldErrorShown reports whether a field is marked invalid.
func (p *page) fieldErrorShown(field string) bool {
	v, err := p.el(field).Call("hasAttribute", "aria-invalid")
	if err != nil {
		return false
	}
	b, _ := v.Bool()
	return b
}

// clearResult takes the previous check off the page: verdict, report and
// window.defendcheck.result (the steps are stepList's).
func (p *page) clearResult() {
	p.setHidden("verdict", true)
	p.setHidden("report-section", true)
	p.setHidden("progress-section", true)
	p.setHidden("handoff-section", true)
	p.setHidden("stop-hold", true)
	p.setText("report", "")
	p.setText("copy-status", "")
	p.announce("")
	if ns, err := safejs.Global().Get("defendcheck"); err == nil {
		_ = ns.Set("result", nil)
	}
}

// focusVerdict brings the verdict into view and puts the focus on its
// heading, so that the next Tab goes on from there.
func (p *page) focusVerdict() {
	_, _ = p.el("verdict").Call("scrollIntoView", map[string]any{"block": "start"})
	_, _ = p.el("verdict-heading").Call("focus", map[string]any{"preventScroll": true})
}

func (p *page) create(tag, class, text string) safejs.Value {
	el, err := p.doc.Call("createElement", tag)
	if err != nil {
		return safejs.Null()
	}
	if class != "" {
		_ = el.Set("className", class)
	}
	_ = el.Set("textContent", text)
	return el
}

// verdictWord is the state a verdict heading starts with, in words: the
// colour and the icon only repeat it.
func verdictWord(v diagnosis.Verdict) string {
	switch v {
	case diagnosis.OK:
		return "Working"
	case diagnosis.Warning:
		return "Warning"
	}
	return "Problem"
}

// showResult fills the verdict and the report. Plain words come first;
// the verdict, kind, codes and transport are in "Technical details".
func (p *page) showResult(r *diagnosis.Result) {
	e := r.Entry()
	word := verdictWord(r.Verdict)
	p.setData("verdict", "verdict", string(r.Verdict))
	p.setText("verdict-state", word)
	p.setText("verdict-title", e.Title)
	texts := diagnosis.Unrepeated(e.Title, []string{e.Reason, e.Meaning, e.Resolution, e.Owner, e.Troubleshooting})
	texts = append(texts, reachText(r), tokenText(r), clockText(r), holdText(r))
	for i, id := range verdictRows {
		p.setText(id, texts[i])
		p.setHidden(id+"-row", texts[i] == "")
	}
	handoff := ""
	if r.ITHandoff != nil {
		handoff = *r.ITHandoff
	}
	p.setText("handoff", handoff)
	p.setText("handoff-status", "")
	p.setHidden("handoff-section", handoff == "")
	p.setText("verdict-kind", string(r.Verdict)+" · "+string(r.Kind))
	p.setText("verdict-code", codeLine(r, e))
	p.setText("verdict-transport", orNone(r.Transport))
	p.setText("verdict-target", r.Target.String())
	p.setText("verdict-attempts", strconv.Itoa(r.Attempts))
	_ = p.el("verdict-details").Set("open", false)
	p.setText("report", r.Report)
	p.setText("copy-status", "")
	p.setHidden("verdict", false)
	p.setHidden("report-section", false)
	p.announce(word + ": " + e.Title)
}

// reachText says, when a check got no answer it could read, whether
// anything answered at all; "" when an answer was read or nothing sent.
func reachText(r *diagnosis.Result) string {
	if r.Reachability == nil || *r.Reachability == diagnosis.ReachOK {
		return ""
	}
	return diagnosis.Sentence(r.Reachability.Text())
}

// tokenText says what was read from the access token, never the token;
// "" when none was sent, or when the advice above already says when it
// expires (a refusal of the credentials).
func tokenText(r *diagnosis.Result) string {
	t := diagnosis.TokenText(r)
	if t == "" || r.TokenInAdvice() {
		return ""
	}
	return "Sent: " + t + "."
}

// clockText warns when this computer's clock is off; "" when it is not.
func clockText(r *diagnosis.Result) string {
	if !r.ClockOff() {
		return ""
	}
	return "This computer's clock is " + diagnosis.SkewText(time.Duration(*r.ClockSkewMS)*time.Millisecond) +
		". The times on this page and in the report are the server's, so that support can match them with its logs."
}

// holdText says how the hold went; "" without one.
func holdText(r *diagnosis.Result) string {
	if r.Hold == nil {
		return ""
	}
	return diagnosis.Sentence(diagnosis.HoldText(r.Hold))
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func codeLine(r *diagnosis.Result, e diagnosis.Entry) string {
	switch {
	case r.NotSent:
		return "Status " + strconv.Itoa(e.StatusCode) + " (not sent: caught before connecting)"
	case r.StatusCode != nil && r.CloseCode != nil:
		return "Status " + strconv.Itoa(*r.StatusCode) + ", close code " + strconv.Itoa(*r.CloseCode)
	case r.StatusCode != nil:
		return "Status " + strconv.Itoa(*r.StatusCode)
	case r.CloseCode != nil:
		return "WebSocket close code " + strconv.Itoa(*r.CloseCode)
	}
	return "No status or close code"
}

// publish sets window.defendcheck.result, the contract for the support
// portal and the tests.
func (p *page) publish(r *diagnosis.Result) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	jsonObj, err := safejs.Global().Get("JSON")
	if err != nil {
		return err
	}
	obj, err := jsonObj.Call("parse", string(b))
	if err != nil {
		return err
	}
	ns, err := safejs.Global().Get("defendcheck")
	if err != nil {
		return err
	}
	return ns.Set("result", obj)
}
