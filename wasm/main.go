//go:build js && wasm

package main

import (
	"context"
	"errors"
	"runtime"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/lsports/defendcheck/internal/jsutil"

	"github.com/lsports/defendcheck/check"
	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/lifecycle"
	"github.com/lsports/defendcheck/transport/browser"
)

type app struct {
	page    *page
	steps   *stepList
	targets []diagnosis.Target
	support string
	budget  diagnosis.Budget
	checks  lifecycle.Checks
}

func main() {
	p, err := newPage()
	if err != nil {
		if p != nil {
			p.fatal("The checker could not start: " + err.Error())
		}
		return
	}
	a := &app{page: p, steps: newStepList(p)}
	if err := a.init(); err != nil {
		p.setText("loading", "The checker could not start: "+err.Error())
		p.takeQueued()
		p.setDisabled("check", true)
		return
	}
	p.setHidden("loading", true)
	// From "ready" on, the loader leaves clicks to the listener wired in
	// init. In the same JS turn (no await in between), a click the loader
	// kept while loading becomes one check, with what the fields hold now.
	p.setState("ready")
	if p.takeQueued() {
		go a.check()
	} else {
		warmUpWhenIdle(a.targets[0])
	}
	select {} // the page's callbacks keep running
}

func (a *app) init() error {
	raw, err := jsutil.String(a.page.el("config"), "textContent")
	if err != nil {
		return err
	}
	cfg, err := readConfig(raw)
	if err != nil {
		return err
	}
	a.targets, a.support = cfg.Targets, cfg.SupportURL
	if err := a.namespace(); err != nil {
		return err
	}
	// The endpoint options (value = index in cfg.Targets) are in the HTML,
	// and the loader prefills ?customerid=.
	if jsutil.Int(a.page.el("target"), "length") != len(cfg.Targets) {
		return errors.New("the endpoint list does not match the configuration")
	}
	for _, l := range []struct {
		id, event string
		fn        func()
	}{
		{"check-form", "submit", a.check},
		{"customer-id", "input", a.fieldEdited},
		{"token", "input", a.fieldEdited},
		{"hold", "change", a.fieldEdited},
		{"copy", "click", func() { a.copy(a.report(), "copy-status", "the report") }},
		{"copy-handoff", "click", func() { a.copy(a.handoff(), "handoff-status", "the text") }},
		{"stop-hold", "click", a.endHold},
		{"download", "click", a.downloadReport},
	} {
		if err := a.page.on(l.id, l.event, l.event == "submit", l.fn); err != nil {
			return err
		}
	}
	return nil
}

// namespace creates window.defendcheck, where the result is published.
// Its goroutines() is a diagnostic for the leak benchmark, not part of the
// result contract.
func (a *app) namespace() error {
	f, err := safejs.FuncOf(func(safejs.Value, []safejs.Value) any { return runtime.NumGoroutine() })
	if err != nil {
		return err
	}
	ns, err := jsutil.New("Object")
	if err != nil {
		return err
	}
	if err := ns.Set("goroutines", f); err != nil {
		return err
	}
	return safejs.Global().Set("defendcheck", ns)
}

// check is the Check button: one check, from a clean page to its verdict
// and the end of its connection.
func (a *app) check() {
	k, ok := a.checks.Start()
	if !ok {
		return // a check is under way
	}
	defer k.End()
	p := a.page
	// Every submit starts from a clean page: nothing of the previous check
	// stays beside a refusal or a new check.
	a.steps.clear()
	p.clearResult()
	req, ok := a.readForm()
	if !ok {
		return
	}
	p.setState("checking")
	p.setDisabled("check", true)
	p.setHidden("progress-section", false)
	p.announce("Checking…")
	k.WaitPrevious()
	spent := false
	// readForm has checked what Run refuses, so Run always gives a result.
	_, _ = check.Run(context.Background(), check.Config{
		Target:     a.targets[req.Target],
		CustomerID: req.CustomerID,
		Token:      req.Token,
		Fetcher:    browser.Fetcher{},
		Dialer:     browser.Dialer{},
		Budget:     &a.budget,
		Browser:    jsutil.UserAgent(),
		Probe:      browser.Probe,
		Clock:      browser.Clock,
		Hold:       req.Hold,
		SupportURL: a.support,
		StopHold:   k.Stop(),
		OnProgress: a.steps.progress,
		OnResult:   func(res *diagnosis.Result) { k.Verdict(res); spent = a.show(res) },
	})
	k.End()
	if spent {
		a.countdown()
	}
}

// readForm reads the fields and, where one cannot be checked, says so at
// that field, the page ready again.
func (a *app) readForm() (diagnosis.Request, bool) {
	p := a.page
	req, fe := diagnosis.Form{
		CustomerID: p.value("customer-id"), Token: p.value("token"),
		Target: p.value("target"), Hold: p.value("hold"),
	}.Read(len(a.targets))
	if req.IDValid {
		p.clearFieldError(diagnosis.FieldCustomerID)
	}
	if fe == nil || fe.Field == diagnosis.FieldHold {
		p.clearFieldError(diagnosis.FieldToken)
	}
	if fe == nil {
		p.clearFieldError(diagnosis.FieldHold)
		return req, true
	}
	p.setState("ready")
	p.showFieldError(fe.Field, fe.Message)
	return req, false
}

// show puts a check's result on the page as soon as it is known, while the
// check still closes its connection, and reports whether the connection
// budget is spent (the Check button then stays disabled: see countdown).
func (a *app) show(res *diagnosis.Result) (spent bool) {
	p := a.page
	v := diagnosis.NewView(res)
	a.steps.show(res.Steps)
	p.showResult(v, res.Report)
	if err := p.publish(res); err != nil {
		p.setText("notice", "Could not publish the result: "+err.Error())
	}
	p.setState("done")
	if res.NotSent {
		// Caught before connecting: the fix is in the field, for the
		// person at the keyboard.
		p.showFieldError(diagnosis.FieldCustomerID, diagnosis.InvalidIDError)
	} else {
		p.focusVerdict()
	}
	if a.budget.Wait(time.Now()) > 0 {
		return true
	}
	p.setDisabled("check", false)
	return false
}

// endHold is the Stop button: the running check's hold ends now.
func (a *app) endHold() {
	a.checks.StopHold()
	a.page.setHidden("holding", true)
}

// fieldEdited takes a field's error away as soon as the field holds what
// can be sent.
func (a *app) fieldEdited() {
	p := a.page
	if p.fieldErrorShown(diagnosis.FieldCustomerID) {
		if id, err := diagnosis.ParseCustomerID(p.value("customer-id")); err == nil && id.Valid {
			p.clearFieldError(diagnosis.FieldCustomerID)
		}
	}
	if p.fieldErrorShown(diagnosis.FieldToken) && diagnosis.CheckToken(p.value("token")) == nil {
		p.clearFieldError(diagnosis.FieldToken)
	}
	p.clearFieldError(diagnosis.FieldHold) // the list offers only what a check takes

}

// countdown keeps the Check button disabled while the connection budget
// is spent (after a 429 or too many checks), counting down in the
// verdict, where the reader is.
func (a *app) countdown() {
	p := a.page
	p.setHidden("verdict-wait", false)
	for {
		wait := a.budget.Wait(time.Now())
		if wait <= 0 {
			p.setText("verdict-wait", "")
			p.setHidden("verdict-wait", true)
			p.setDisabled("check", false)
			return
		}
		p.setText("verdict-wait", diagnosis.BudgetNotice(wait))
		time.Sleep(min(wait, time.Second))
	}
}

// report and handoff are the last result's report and IT hand-off, ""
// before a verdict.
func (a *app) report() string {
	if r := a.checks.Last(); r != nil {
		return r.Report
	}
	return ""
}

func (a *app) handoff() string {
	if r := a.checks.Last(); r != nil && r.ITHandoff != nil {
		return *r.ITHandoff
	}
	return ""
}

// copy puts text on the clipboard and says so in the status element, or
// why not and that what (the report, the text) can be copied by hand.
func (a *app) copy(text, status, what string) {
	if text == "" {
		return
	}
	if err := a.page.clipboardWrite(text); err != nil {
		a.page.setText(status, "Could not copy ("+err.Error()+"): select "+what+" and copy it by hand.")
		return
	}
	a.page.setText(status, "Copied to the clipboard.")
}

// downloadReport saves the report as a .txt file and says so, or why not.
func (a *app) downloadReport() {
	r := a.checks.Last()
	if r == nil {
		return
	}
	name := "defendcheck-" + r.RunID + ".txt"
	if err := a.page.download(name, r.Report); err != nil {
		a.page.setText("copy-status", "Could not download ("+err.Error()+"): select the report and copy it by hand.")
		return
	}
	a.page.setText("copy-status", "Downloaded "+name+".")
}
