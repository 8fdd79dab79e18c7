//go:build js && wasm

package main

import (
	"strconv"
	"sync"

	"github.com/hack-pad/safejs"

	"github.com/lsports/defendcheck/check"
	"github.com/lsports/defendcheck/diagnosis"
)

// stepList draws a check's steps in #steps.
//
// Every DOM call crosses from Go into JavaScript. Redrawing the whole list
// on each progress, on the checking goroutine, cost 20-25 ms per check
// between one request and the next (measured in Chromium 156). So the list
// writes only what changed, and progress is drawn by a goroutine of its
// own: in the browser it runs while the checking goroutine waits on the
// network, and progress that arrives meanwhile is merged into the latest.
type stepList struct {
	p *page

	mu      sync.Mutex
	pending *check.Progress
	seq     uint64 // of the newest snapshot
	busy    bool   // a drain goroutine is running

	drawMu sync.Mutex // serialises drawing; guards the fields below
	drawn  uint64     // seq of what is on the page
	rows   []stepRow
}

// stepRow is one <li> of the list and the step it shows.
type stepRow struct {
	li, status, ms, detail safejs.Value
	step                   diagnosis.Step
}

// progress is check.Config.OnProgress: it never waits for the DOM.
func (l *stepList) progress(pr check.Progress) {
	l.mu.Lock()
	l.seq++
	l.pending = &pr
	start := !l.busy
	l.busy = true
	l.mu.Unlock()
	if start {
		go l.drain()
	}
}

func (l *stepList) drain() {
	for {
		l.mu.Lock()
		pr, seq := l.pending, l.seq
		l.pending = nil
		if pr == nil {
			l.busy = false
			l.mu.Unlock()
			return
		}
		l.mu.Unlock()
		l.draw(seq, pr.Steps, pr.Notice)
	}
}

// show draws steps now, ahead of any progress still pending, which is
// then never drawn: call it with a check's final steps.
func (l *stepList) show(steps []diagnosis.Step, notice string) {
	l.mu.Lock()
	l.seq++
	seq := l.seq
	l.pending = nil
	l.mu.Unlock()
	l.draw(seq, steps, notice)
}

// clear empties the list, and progress still pending is never drawn.
func (l *stepList) clear() {
	l.mu.Lock()
	l.seq++
	seq := l.seq
	l.pending = nil
	l.mu.Unlock()
	l.drawMu.Lock()
	defer l.drawMu.Unlock()
	l.drawn = seq
	l.rows = l.rows[:0]
	_ = l.p.el("steps").Set("textContent", "")
}

func (l *stepList) draw(seq uint64, steps []diagnosis.Step, notice string) {
	l.drawMu.Lock()
	defer l.drawMu.Unlock()
	if seq <= l.drawn {
		return // a newer snapshot is on the page already
	}
	l.drawn = seq
	if !l.sameSteps(steps) {
		l.rebuild(steps)
	}
	for i, s := range steps {
		l.update(&l.rows[i], s)
	}
	l.p.setText("notice", notice) // also written by the countdown and the loader
}

func (l *stepList) sameSteps(steps []diagnosis.Step) bool {
	if len(steps) != len(l.rows) {
		return false
	}
	for i, s := range steps {
		if l.rows[i].step.Name != s.Name {
			return false
		}
	}
	return true
}

// rebuild replaces the list with one empty row per step.
func (l *stepList) rebuild(steps []diagnosis.Step) {
	p := l.p
	list := p.el("steps")
	_ = list.Set("textContent", "")
	l.rows = l.rows[:0]
	for _, s := range steps {
		r := stepRow{
			li:     p.create("li", "", ""),
			status: p.create("span", "step-status", ""),
			ms:     p.create("span", "step-ms", ""),
			detail: p.create("span", "step-detail", ""),
			step:   diagnosis.Step{Name: s.Name, Status: "-"}, // differs from every status
		}
		if ds, err := r.li.Get("dataset"); err == nil {
			_ = ds.Set("step", s.Name)
		}
		_, _ = r.li.Call("append", r.status, p.create("span", "step-name", stepLabel(s.Name)), r.ms, r.detail)
		_, _ = list.Call("append", r.li)
		l.rows = append(l.rows, r)
	}
}

// update writes the parts of a row that differ from s.
func (l *stepList) update(r *stepRow, s diagnosis.Step) {
	if r.step.Status != s.Status {
		if ds, err := r.li.Get("dataset"); err == nil {
			_ = ds.Set("status", string(s.Status))
		}
		_ = r.status.Set("textContent", statusMark(s.Status))
		if s.Name == diagnosis.StepHold {
			l.p.setHidden("stop-hold", s.Status != diagnosis.StepRunning)
		}
	}
	if t := stepTime(s); t != stepTime(r.step) || r.step.Status == "-" {
		_ = r.ms.Set("textContent", t)
	}
	if r.step.Detail != s.Detail {
		_ = r.detail.Set("textContent", s.Detail)
	}
	r.step = s
}

// stepLabel names a step in a customer's words; the report keeps the
// protocol's names.
func stepLabel(name string) string {
	switch name {
	case diagnosis.StepCustomerID:
		return "Customer ID"
	case diagnosis.StepHandshake:
		return "Reach RMS-Socket, with your headers"
	case diagnosis.StepNamespace:
		return "Connect to RMS-Socket"
	case diagnosis.StepUpgrade:
		return "Switch to WebSocket"
	case diagnosis.StepJoin:
		return "Join your room"
	case diagnosis.StepFirstEvent:
		return "First message"
	case diagnosis.StepStaysOpen:
		return "Stays connected"
	case diagnosis.StepHold:
		return "Held open"
	}
	return name
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
	case diagnosis.StepNotReached:
		return "– not reached"
	}
	return "· pending"
}

func stepTime(s diagnosis.Step) string {
	if s.Status == diagnosis.StepOK || s.Status == diagnosis.StepWarning || s.Status == diagnosis.StepFailed {
		return strconv.FormatInt(s.MS, 10) + " ms"
	}
	return ""
}
