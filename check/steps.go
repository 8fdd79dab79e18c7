package check

import (
	"sync"
	"time"

	"github.com/lsports/defendcheck/diagnosis"
)

// steps is the live step list of a check. It is safe for concurrent use.
// Every detail is kept cleaned (see diagnosis.Clean), so that the page
// never shows the token or a disguised server string, even live.
type steps struct {
	mu       sync.Mutex
	list     []diagnosis.Step
	started  map[string]time.Time
	notice   string
	progress func(Progress)
	secret   string // the access token, removed from details
}

// newSteps lists diagnosis.StepNames, and StepHold after them for a check
// with a hold.
func newSteps(progress func(Progress), secret string, hold bool) *steps {
	s := &steps{progress: progress, secret: secret, started: map[string]time.Time{}}
	names := diagnosis.StepNames
	if hold {
		names = append(names[:len(names):len(names)], diagnosis.StepHold)
	}
	for _, n := range names {
		s.list = append(s.list, diagnosis.Step{Name: n, Status: diagnosis.StepPending})
	}
	return s
}

func (s *steps) update(name string, f func(*diagnosis.Step)) {
	s.mu.Lock()
	for i := range s.list {
		if s.list[i].Name == name {
			f(&s.list[i])
		}
	}
	p := s.progressLocked()
	s.mu.Unlock()
	if s.progress != nil {
		s.progress(p)
	}
}

// start marks a step running from at.
func (s *steps) start(name string, at time.Time) {
	s.update(name, func(st *diagnosis.Step) {
		s.started[name] = at
		st.Status = diagnosis.StepRunning
		st.Detail = ""
	})
}

// finish ends a step; a step that never started takes zero time.
func (s *steps) finish(name string, status diagnosis.StepStatus, detail string, at time.Time) {
	s.update(name, func(st *diagnosis.Step) {
		if t, ok := s.started[name]; ok {
			st.MS = at.Sub(t).Milliseconds()
		}
		st.Status = status
		st.Detail = diagnosis.Clean(detail, s.secret)
	})
}

// detail changes a step's note without changing its state.
func (s *steps) detail(name, detail string) {
	s.update(name, func(st *diagnosis.Step) { st.Detail = diagnosis.Clean(detail, s.secret) })
}

// stop ends a check at a failed step: every other step still pending or
// running was not reached, and so is every step after the failed one,
// whatever it had done in parallel (an upgrade that completed before a
// refusal carried nothing).
func (s *steps) stop(failed string) {
	s.mu.Lock()
	after := false
	for i := range s.list {
		st := &s.list[i]
		switch {
		case st.Name == failed:
			after = true
		case st.Status == diagnosis.StepPending || st.Status == diagnosis.StepRunning:
			st.Status, st.Detail = diagnosis.StepNotReached, ""
		case after && (st.Status == diagnosis.StepOK || st.Status == diagnosis.StepWarning):
			st.Status = diagnosis.StepNotReached
			st.Detail = "done in parallel, but not used: an earlier step failed"
		}
	}
	p := s.progressLocked()
	s.mu.Unlock()
	if s.progress != nil {
		s.progress(p)
	}
}

// reset returns every connection step to pending for a retry.
func (s *steps) reset() {
	s.mu.Lock()
	for i := range s.list {
		if s.list[i].Name != diagnosis.StepCustomerID {
			s.list[i] = diagnosis.Step{Name: s.list[i].Name, Status: diagnosis.StepPending}
			delete(s.started, s.list[i].Name)
		}
	}
	s.mu.Unlock()
}

func (s *steps) notify(notice string) {
	s.mu.Lock()
	s.notice = notice
	p := s.progressLocked()
	s.mu.Unlock()
	if s.progress != nil {
		s.progress(p)
	}
}

func (s *steps) snapshot() []diagnosis.Step {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]diagnosis.Step(nil), s.list...)
}

func (s *steps) progressLocked() Progress {
	return Progress{Steps: append([]diagnosis.Step(nil), s.list...), Notice: s.notice}
}
