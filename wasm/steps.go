//go:build js && wasm

package main

import (
	"github.com/hack-pad/safejs"

	"github.com/lsports/defendcheck/check"
	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/newest"
)

// stepList draws a check's steps in #steps, as the view words them.
//
// Every DOM call crosses from Go into JavaScript, so the list writes only
// what changed, and progress is drawn by a goroutine of its own (a
// newest.Drawer): in the browser it runs while the checking goroutine
// waits on the network, and progress that arrives meanwhile is merged
// into the latest.
type stepList struct {
	p      *page
	drawer *newest.Drawer[check.Progress]
	rows   []stepRow // written by draw only, which the drawer serialises
	// holding is whether the holding panel is shown (draw only).
	holding bool
}

// stepRow is one <li> of the list and the step it shows; shown is false
// until the row shows one.
type stepRow struct {
	li, status, ms, detail safejs.Value
	step                   diagnosis.StepView
	shown                  bool
}

func newStepList(p *page) *stepList {
	l := &stepList{p: p}
	l.drawer = newest.New(l.draw)
	return l
}

// progress is check.Config.OnProgress: it never waits for the DOM.
func (l *stepList) progress(pr check.Progress) { l.drawer.Post(pr) }

// show draws a check's final steps now, ahead of any progress still
// pending, which is then never drawn.
func (l *stepList) show(steps []diagnosis.Step) { l.drawer.Now(check.Progress{Steps: steps}) }

// clear empties the list and the notice; progress still pending is never
// drawn.
func (l *stepList) clear() { l.drawer.Now(check.Progress{}) }

func (l *stepList) draw(pr check.Progress) {
	steps := diagnosis.ViewSteps(pr.Steps)
	if !l.sameSteps(steps) {
		l.rebuild(steps)
	}
	for i, s := range steps {
		l.update(&l.rows[i], s)
	}
	detail, holding := diagnosis.Holding(pr.Steps)
	l.p.setText("holding-detail", detail)
	l.p.setHidden("holding", !holding)
	if holding && !l.holding {
		l.p.focusHeading("holding", "holding-title") // the hold's verdict so far, and Stop holding
	}
	l.holding = holding
	l.p.setText("notice", pr.Notice) // also written by the loader
}

func (l *stepList) sameSteps(steps []diagnosis.StepView) bool {
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
func (l *stepList) rebuild(steps []diagnosis.StepView) {
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
			step:   diagnosis.StepView{Name: s.Name},
		}
		if ds, err := r.li.Get("dataset"); err == nil {
			_ = ds.Set("step", s.Name)
		}
		_, _ = r.li.Call("append", r.status, p.create("span", "step-name", s.Label), r.ms, r.detail)
		_, _ = list.Call("append", r.li)
		l.rows = append(l.rows, r)
	}
}

// update writes the parts of a row that differ from s.
func (l *stepList) update(r *stepRow, s diagnosis.StepView) {
	if !r.shown || r.step.Status != s.Status {
		if ds, err := r.li.Get("dataset"); err == nil {
			_ = ds.Set("status", string(s.Status))
		}
		_ = r.status.Set("textContent", s.Mark)
	}
	if !r.shown || r.step.Time != s.Time {
		_ = r.ms.Set("textContent", s.Time)
	}
	if r.step.Detail != s.Detail {
		_ = r.detail.Set("textContent", s.Detail)
	}
	r.step, r.shown = s, true
}
