//go:build js && wasm

package main

import (
	"encoding/json"
	"strconv"

	"github.com/hack-pad/safejs"

	"github.com/lsports/defendcheck/diagnosis"
)

// page is the only place that touches the DOM. Text from servers is set
// with textContent, never parsed as HTML.
type page struct {
	doc safejs.Value
}

func newPage() (*page, error) {
	doc, err := safejs.Global().Get("document")
	if err != nil {
		return nil, err
	}
	return &page{doc: doc}, nil
}

func (p *page) el(id string) safejs.Value {
	v, err := p.doc.Call("getElementById", id)
	if err != nil {
		return safejs.Null()
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

// setState publishes the page's state on <html data-state>.
func (p *page) setState(state string) {
	root, err := p.doc.Get("documentElement")
	if err != nil {
		return
	}
	if ds, err := root.Get("dataset"); err == nil {
		_ = ds.Set("state", state)
	}
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

var stepLabels = map[string]string{
	diagnosis.StepCustomerID: "Customer ID",
	diagnosis.StepHandshake:  "Handshake (HTTP long-polling, with headers)",
	diagnosis.StepNamespace:  "Socket.IO connect",
	diagnosis.StepUpgrade:    "Upgrade to WebSocket",
	diagnosis.StepJoin:       "Join room",
	diagnosis.StepFirstEvent: "First event",
}

// showSteps redraws the step list.
func (p *page) showSteps(steps []diagnosis.Step, notice string) {
	list := p.el("steps")
	_ = list.Set("textContent", "")
	for _, s := range steps {
		li := p.create("li", "", "")
		if ds, err := li.Get("dataset"); err == nil {
			_ = ds.Set("step", s.Name)
			_ = ds.Set("status", string(s.Status))
		}
		_, _ = li.Call("append",
			p.create("span", "step-status", statusMark(s.Status)),
			p.create("span", "step-name", stepLabels[s.Name]),
			p.create("span", "step-ms", stepTime(s)),
			p.create("span", "step-detail", s.Detail))
		_, _ = list.Call("append", li)
	}
	p.setText("notice", notice)
}

func statusMark(s diagnosis.StepStatus) string {
	switch s {
	case diagnosis.StepOK:
		return "✓ ok"
	case diagnosis.StepWarning:
		return "! warning"
	case diagnosis.StepFailed:
		return "✗ failed"
	case diagnosis.StepRunning:
		return "… running"
	case diagnosis.StepSkipped:
		return "– skipped"
	}
	return "· pending"
}

func stepTime(s diagnosis.Step) string {
	if s.Status == diagnosis.StepOK || s.Status == diagnosis.StepWarning || s.Status == diagnosis.StepFailed {
		return strconv.FormatInt(s.MS, 10) + " ms"
	}
	return ""
}

// showResult fills the verdict and the report.
func (p *page) showResult(r *diagnosis.Result) {
	e := r.Entry()
	p.setData("verdict", "verdict", string(r.Verdict))
	p.setText("verdict-title", e.Title)
	p.setText("verdict-kind", "Result: "+string(r.Verdict)+" · "+string(r.Kind))
	p.setText("verdict-code", codeLine(r, e))
	p.setText("verdict-reason", e.Reason)
	p.setText("verdict-meaning", e.Meaning)
	p.setText("verdict-resolution", e.Resolution)
	p.setText("verdict-owner", e.Owner)
	p.setText("verdict-troubleshooting", e.Troubleshooting)
	p.setText("report", r.Report)
	p.setText("copy-status", "")
	p.setHidden("verdict", false)
	p.setHidden("report-section", false)
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
