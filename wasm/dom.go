//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hack-pad/safejs"

	"github.com/lsports/defendcheck/internal/jsutil"

	"github.com/lsports/defendcheck/diagnosis"
)

// page is the only place that touches the DOM. Text from servers is set
// with textContent, never parsed as HTML.
type page struct {
	doc safejs.Value
	els map[string]safejs.Value // by id, looked up once
}

// pageIDs are the elements of web/index.html that the checker uses,
// besides the verdict's rows (rowIDs).
var pageIDs = []string{
	"config", "check-form", "customer-id", "customer-id-error", "token", "token-error", "target", "check",
	"loading", "notice", "check-status", "verdict", "verdict-heading", "verdict-state",
	"verdict-title", "verdict-kind", "verdict-code", "verdict-transport", "verdict-target",
	"verdict-attempts", "verdict-seen-from", "verdict-seen-from-row", "verdict-wait", "verdict-support", "verdict-support-link", "verdict-documented", "verdict-documented-row", "verdict-details", "progress-section", "steps", "report-section",
	"report", "copy", "download", "copy-status",
	"hold", "hold-error", "holding", "holding-title", "holding-detail", "stop-hold", "handoff-section", "handoff", "copy-handoff", "handoff-status",
}

// rowIDs are the ids of a verdict row's dd and of the row (its dt and dd).
func rowIDs(name string) (dd, row string) { return "verdict-" + name, "verdict-" + name + "-row" }

// newPage looks every element up once, so that a renamed id stops the
// checker at start with its name instead of failing silently later.
func newPage() (*page, error) {
	doc, err := safejs.Global().Get("document")
	if err != nil {
		return nil, err
	}
	p := &page{doc: doc, els: map[string]safejs.Value{}}
	ids := pageIDs
	for _, name := range diagnosis.RowNames {
		dd, row := rowIDs(name)
		ids = append(ids[:len(ids):len(ids)], dd, row)
	}
	var missing []string
	for _, id := range ids {
		v, err := doc.Call("getElementById", id)
		if err != nil || v.IsNull() || v.IsUndefined() {
			missing = append(missing, "#"+id)
			continue
		}
		p.els[id] = v
	}
	if len(missing) > 0 {
		return p, fmt.Errorf("the page has no %s", strings.Join(missing, ", "))
	}
	return p, nil
}

// fatal shows why the checker cannot run where the loading message was,
// and in the console, on a page that may lack the elements newPage wants.
func (p *page) fatal(msg string) {
	if el, err := p.doc.Call("getElementById", "loading"); err == nil && !el.IsNull() {
		_ = el.Set("textContent", msg)
	}
	if console, err := safejs.Global().Get("console"); err == nil {
		_, _ = console.Call("error", msg)
	}
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
	s, _ := jsutil.String(p.el(id), "value")
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
	if cur, _ := jsutil.String(ds, "state"); cur != state {
		_ = ds.Set("state", state)
	}
}

// announce says text through the page's one status region for checks
// (#check-status): "Checking…", then the verdict.
func (p *page) announce(text string) { p.setText("check-status", text) }

// showFieldError marks a field (customer-id, token or hold) invalid with msg,
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
	p.setHidden("holding", true)
	p.setText("report", "")
	p.setText("copy-status", "")
	p.announce("")
	if ns, err := safejs.Global().Get("defendcheck"); err == nil {
		_ = ns.Set("result", nil)
	}
}

// focusVerdict brings the verdict into view and puts the focus on its
// heading, so that the next Tab goes on from there.
func (p *page) focusVerdict() { p.focusHeading("verdict", "verdict-heading") }

// focusHeading brings the section into view and puts the focus on its
// heading.
func (p *page) focusHeading(section, heading string) {
	_, _ = p.el(section).Call("scrollIntoView", map[string]any{"block": "start"})
	_, _ = p.el(heading).Call("focus", map[string]any{"preventScroll": true})
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

// showResult fills the verdict and the report from the view. Plain words
// come first; the verdict, kind, codes and transport are in "Technical
// details".
func (p *page) showResult(v diagnosis.View, report string) {
	p.setData("verdict", "verdict", string(v.Verdict))
	p.setText("verdict-state", v.State)
	p.setText("verdict-title", v.Title)
	for _, row := range v.Rows {
		dd, id := rowIDs(row.Name)
		p.setText(dd, row.Text)
		p.setHidden(id, row.Text == "")
	}
	p.setText("handoff", v.Handoff)
	p.setText("handoff-status", "")
	p.setHidden("handoff-section", v.Handoff == "")
	p.setText("verdict-kind", v.Kind)
	p.setText("verdict-code", v.Code)
	p.setText("verdict-transport", v.Transport)
	p.setText("verdict-target", v.Target)
	p.setText("verdict-attempts", v.Attempts)
	p.setText("verdict-seen-from", v.SeenFrom)
	p.setHidden("verdict-seen-from-row", v.SeenFrom == "")
	p.setText("verdict-documented", v.Documented)
	_ = p.el("verdict-support-link").Set("href", v.Support)
	p.setText("verdict-support-link", v.Support)
	p.setHidden("verdict-support", v.Support == "")
	p.setHidden("verdict-documented-row", v.Documented == "")
	_ = p.el("verdict-details").Set("open", false)
	p.setText("report", report)
	p.setText("copy-status", "")
	p.setHidden("verdict", false)
	p.setHidden("report-section", false)
	p.announce(v.Announce)
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

// on runs fn on its own goroutine for each event on the element (a JS
// callback must never block), after preventDefault when asked. The
// listener lives as long as the page, so it is never released.
func (p *page) on(id, event string, preventDefault bool, fn func()) error {
	_, err := jsutil.Listen(p.el(id), event, func(ev safejs.Value) {
		if preventDefault {
			_, _ = ev.Call("preventDefault")
		}
		go fn()
	})
	return err
}

// clipboardWrite puts text on the clipboard.
func (p *page) clipboardWrite(text string) error {
	nav, err := safejs.Global().Get("navigator")
	if err != nil {
		return err
	}
	cb, err := nav.Get("clipboard")
	if err != nil || cb.IsUndefined() {
		return errors.New("the clipboard is not available on this page")
	}
	promise, err := cb.Call("writeText", text)
	if err != nil {
		return err
	}
	_, err = jsutil.Await(promise)
	return err
}

// download saves text as a file called name.
func (p *page) download(name, text string) error {
	blob, err := jsutil.New("Blob", []any{text}, map[string]any{"type": "text/plain;charset=utf-8"})
	if err != nil {
		return err
	}
	urlAPI, err := safejs.Global().Get("URL")
	if err != nil {
		return err
	}
	href, err := urlAPI.Call("createObjectURL", blob)
	if err != nil {
		return err
	}
	defer func() { _, _ = urlAPI.Call("revokeObjectURL", href) }()
	link, err := p.doc.Call("createElement", "a")
	if err != nil {
		return err
	}
	if err := link.Set("href", href); err != nil {
		return err
	}
	if err := link.Set("download", name); err != nil {
		return err
	}
	_, err = link.Call("click")
	return err
}
