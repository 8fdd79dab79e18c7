//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/lsports/defendcheck/check"
	"github.com/lsports/defendcheck/diagnosis"
)

// pageConfig is what the server writes into <script id="config">.
type pageConfig struct {
	Targets []diagnosis.Target `json:"targets"`
}

type app struct {
	page    *page
	steps   *stepList
	targets []diagnosis.Target
	budget  diagnosis.Budget

	mu       sync.Mutex
	running  bool          // a check is under way and has no verdict yet
	closing  chan struct{} // closed once the last check's connection has ended
	last     *diagnosis.Result
	stopHold func() // ends the running check's hold early
}

func main() {
	p, err := newPage()
	if err != nil {
		fatal("The checker could not start: " + err.Error())
		return
	}
	a := &app{page: p, steps: &stepList{p: p}}
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
	}
	select {} // the page's callbacks keep running
}

func (a *app) init() error {
	var cfg pageConfig
	raw, err := getString(a.page.el("config"), "textContent")
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil || len(cfg.Targets) == 0 {
		return errors.New("no endpoint is configured")
	}
	a.targets = cfg.Targets
	if err := a.namespace(); err != nil {
		return err
	}
	// The endpoint options (value = index in cfg.Targets) are in the HTML,
	// and the loader prefills ?customerid=.
	if getInt(a.page.el("target"), "length") != len(cfg.Targets) {
		return errors.New("the endpoint list does not match the configuration")
	}
	if err := a.on("check-form", "submit", true, a.check); err != nil {
		return err
	}
	if err := a.on("customer-id", "input", false, a.fieldEdited); err != nil {
		return err
	}
	if err := a.on("token", "input", false, a.fieldEdited); err != nil {
		return err
	}
	if err := a.on("copy", "click", false, a.copyReport); err != nil {
		return err
	}
	if err := a.on("copy-handoff", "click", false, a.copyHandoff); err != nil {
		return err
	}
	if err := a.on("stop-hold", "click", false, a.endHold); err != nil {
		return err
	}
	return a.on("download", "click", false, a.downloadReport)
}

// namespace creates window.defendcheck, where the result is published.
// Its goroutines() is a diagnostic for the leak benchmark, not part of the
// result contract.
func (a *app) namespace() error {
	f, err := safejs.FuncOf(func(safejs.Value, []safejs.Value) any { return runtime.NumGoroutine() })
	if err != nil {
		return err
	}
	ns, err := construct("Object")
	if err != nil {
		return err
	}
	if err := ns.Set("goroutines", f); err != nil {
		return err
	}
	return safejs.Global().Set("defendcheck", ns)
}

// on runs fn on its own goroutine for each event: a JS callback must
// never block. The listener lives as long as the page, so it is never
// released.
func (a *app) on(id, event string, preventDefault bool, fn func()) error {
	f, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		if preventDefault {
			_, _ = arg(args, 0).Call("preventDefault")
		}
		go fn()
		return nil
	})
	if err != nil {
		return err
	}
	_, err = a.page.el(id).Call("addEventListener", event, f)
	return err
}

func (a *app) check() {
	a.mu.Lock()
	if a.running {
		a.mu.Unlock()
		return
	}
	a.running = true
	prev := a.closing
	closing := make(chan struct{})
	a.closing = closing
	a.mu.Unlock()
	closed := sync.OnceFunc(func() { close(closing) })
	defer closed()
	// Until show has the verdict: an early return ends the check here.
	// (After it, a new check may already be running.)
	verdict := false
	defer func() {
		if !verdict {
			a.mu.Lock()
			a.running = false
			a.mu.Unlock()
		}
	}()

	// Every submit starts from a clean page: nothing of the previous check
	// stays beside a refusal or a new check.
	p := a.page
	a.mu.Lock()
	a.last = nil
	a.mu.Unlock()
	a.steps.clear()
	p.clearResult()

	raw := p.value("customer-id")
	id, err := diagnosis.ParseCustomerID(raw)
	if err != nil {
		p.setState("ready")
		p.showFieldError("customer-id", emptyIDError)
		return
	}
	if id.Valid {
		p.clearFieldError("customer-id")
	}
	token := p.value("token")
	if err := diagnosis.CheckToken(token); err != nil {
		// The browser would refuse to send it, and the check would
		// blame the network: the person who pasted it can fix it.
		p.setState("ready")
		p.showFieldError("token", diagnosis.Sentence(err.Error()))
		return
	}
	p.clearFieldError("token")
	target := a.targets[0]
	if i, err := strconv.Atoi(p.value("target")); err == nil && i >= 0 && i < len(a.targets) {
		target = a.targets[i]
	}
	holdValue := p.value("hold")
	hold, err := strconv.Atoi(holdValue)
	if err != nil || strings.Trim(holdValue, "0123456789") != "" || hold > maxHoldSeconds {
		p.setState("ready")
		p.setText("notice", fmt.Sprintf("Hold the connection open: choose a time from 0 to %d seconds.", maxHoldSeconds))
		p.focus("hold")
		return
	}
	stop := make(chan struct{})
	a.mu.Lock()
	a.stopHold = sync.OnceFunc(func() { close(stop) })
	a.mu.Unlock()

	p.setState("checking")
	p.setDisabled("check", true)
	p.setHidden("progress-section", false)
	p.announce("Checking…")
	if prev != nil {
		<-prev // the previous check's connection ends before this one starts
	}
	var holdOff bool
	_, err = check.Run(context.Background(), check.Config{
		Target:     target,
		CustomerID: raw,
		Token:      token,
		Fetcher:    browserFetch{},
		Dialer:     browserDialer{},
		Budget:     &a.budget,
		Browser:    userAgent(),
		Probe:      probe,
		Clock:      clockSkew,
		Hold:       time.Duration(hold) * time.Second,
		StopHold:   stop,
		OnProgress: a.steps.progress,
		OnResult:   func(res *diagnosis.Result) { verdict, holdOff = true, a.show(res) },
	})
	closed()
	if err != nil { // only an empty ID, checked above
		p.setState("ready")
		p.setDisabled("check", false)
		p.announce("")
		return
	}
	if holdOff {
		a.holdOff()
	}
}

// show puts a check's result on the page as soon as it is known, while the
// check still closes its connection, and reports whether the connection
// budget is spent (the Check button then stays disabled: see holdOff).
// Otherwise Check takes a click at once; a new check waits for the
// connection to end before it starts.
func (a *app) show(res *diagnosis.Result) (holdOff bool) {
	p := a.page
	a.mu.Lock()
	a.last = res
	a.running = false
	a.mu.Unlock()
	a.steps.show(res.Steps, "")
	p.showResult(res)
	if err := p.publish(res); err != nil {
		p.setText("notice", "Could not publish the result: "+err.Error())
	}
	p.setState("done")
	if res.NotSent {
		// Caught before connecting: the fix is in the field, for the
		// person at the keyboard.
		p.showFieldError("customer-id", invalidIDError)
	} else {
		p.focusVerdict()
	}
	if a.budget.Wait(time.Now()) > 0 {
		return true
	}
	p.setDisabled("check", false)
	return false
}

// maxHoldSeconds is the longest hold the page accepts (its list offers up
// to 5 minutes; a portal may set any whole number of seconds up to this).
const maxHoldSeconds = 900

// endHold is the Stop button: the running check's hold ends now.
func (a *app) endHold() {
	a.mu.Lock()
	stop := a.stopHold
	a.mu.Unlock()
	if stop != nil {
		stop()
	}
	a.page.setHidden("stop-hold", true)
}

// The customer ID field's errors.
const (
	emptyIDError   = "Enter your customer ID: the numeric ID LSports gave you."
	invalidIDError = "Use digits only: the customer ID LSports gave you is a number, without letters, spaces or signs."
)

// fieldEdited takes a field's error away as soon as the field holds what
// can be sent.
func (a *app) fieldEdited() {
	p := a.page
	if p.fieldErrorShown("customer-id") {
		if id, err := diagnosis.ParseCustomerID(p.value("customer-id")); err == nil && id.Valid {
			p.clearFieldError("customer-id")
		}
	}
	if p.fieldErrorShown("token") && diagnosis.CheckToken(p.value("token")) == nil {
		p.clearFieldError("token")
	}
}

// holdOff keeps the Check button disabled while the connection budget is
// spent (after a 429 or too many checks), counting down on the page.
func (a *app) holdOff() {
	p := a.page
	for {
		wait := a.budget.Wait(time.Now())
		if wait <= 0 {
			p.setText("notice", "")
			p.setDisabled("check", false)
			return
		}
		p.setText("notice", fmt.Sprintf("RMS-Socket allows %d connections per minute from your network. You can check again in %d s.",
			diagnosis.ServiceConnPerMinute, (wait+time.Second-1)/time.Second))
		time.Sleep(min(wait, time.Second))
	}
}

func (a *app) report() *diagnosis.Result {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.last
}

// copyReport puts the report on the clipboard and says so.
func (a *app) copyReport() {
	r := a.report()
	if r == nil {
		return
	}
	err := clipboardWrite(r.Report)
	if err != nil {
		a.page.setText("copy-status", "Could not copy ("+err.Error()+"): select the report and copy it by hand.")
		return
	}
	a.page.setText("copy-status", "Copied to the clipboard.")
}

// copyHandoff puts the IT hand-off on the clipboard and says so.
func (a *app) copyHandoff() {
	r := a.report()
	if r == nil || r.ITHandoff == nil {
		return
	}
	if err := clipboardWrite(*r.ITHandoff); err != nil {
		a.page.setText("handoff-status", "Could not copy ("+err.Error()+"): select the text and copy it by hand.")
		return
	}
	a.page.setText("handoff-status", "Copied to the clipboard.")
}

func clipboardWrite(text string) error {
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
	_, err = await(promise)
	return err
}

// downloadReport saves the report as a .txt file and says so, or why not.
func (a *app) downloadReport() {
	r := a.report()
	if r == nil {
		return
	}
	name := "defendcheck-" + r.RunID + ".txt"
	if err := download(a.page, name, r.Report); err != nil {
		a.page.setText("copy-status", "Could not download ("+err.Error()+"): select the report and copy it by hand.")
		return
	}
	a.page.setText("copy-status", "Downloaded "+name+".")
}

func download(p *page, name, text string) error {
	blob, err := construct("Blob", []any{text}, map[string]any{"type": "text/plain;charset=utf-8"})
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

// fatal shows why the checker cannot run where the loading message was,
// and in the console, without relying on the page being complete.
func fatal(msg string) {
	if doc, err := safejs.Global().Get("document"); err == nil {
		if el, err := doc.Call("getElementById", "loading"); err == nil && !el.IsNull() {
			_ = el.Set("textContent", msg)
		}
	}
	if console, err := safejs.Global().Get("console"); err == nil {
		_, _ = console.Call("error", msg)
	}
}

func userAgent() string {
	nav, err := safejs.Global().Get("navigator")
	if err != nil {
		return ""
	}
	ua, _ := getString(nav, "userAgent")
	return ua
}
