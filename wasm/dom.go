//go:build js && wasm

package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

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
	"config", "check-form", "customer-id", "customer-id-error", "token", "target", "check",
	"loading", "notice", "verdict", "verdict-title", "verdict-kind", "verdict-code",
	"verdict-reason", "verdict-meaning", "verdict-resolution", "verdict-owner",
	"verdict-troubleshooting", "progress-section", "steps", "report-section", "report",
	"copy", "download", "copy-status",
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
