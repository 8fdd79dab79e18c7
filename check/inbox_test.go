package check

import (
	"testing"
	"time"
)

// counter is handlers that count what they are handed.
type counter struct {
	handlers
	events []string
}

func (c *counter) eventArrived(name string, _ time.Time) bool {
	c.events = append(c.events, name)
	return false
}

// TestInboxKeepsEveryEventAndTheEnd: a burst far beyond maxQueued, then a
// close: every event is delivered with its name, in order before the
// close, the burst costs one entry a name, and reports past maxQueued are
// counted, not kept, while the close still is.
func TestInboxKeepsEveryEventAndTheEnd(t *testing.T) {
	a := newAttempt(Config{}, "12345", newSteps(nil, "", false))
	const burst = 3 * maxQueued
	a.inbox.push(queued{name: "first", n: 1})
	for range burst - 1 {
		a.inbox.push(queued{name: "later", n: 1})
	}
	noop := func(handlers, time.Time) bool { return false }
	for range maxQueued + 10 {
		a.post(noop)
	}
	closed := false
	a.postEnd(func(handlers, time.Time) bool { closed = true; return true })
	if n := len(a.inbox.items); n != 2+maxQueued+1 {
		t.Fatalf("%d entries queued, want %d: one for each name of the burst, maxQueued others and the end", n, 2+maxQueued+1)
	}
	go a.deliver()
	defer a.inbox.stop()

	c := &counter{}
	for !closed {
		e := <-a.events
		e.handle(c, e.at)
	}
	// Every event keeps its name: a watcher counts them by name.
	if len(c.events) != burst || c.events[0] != "first" || c.events[1] != "later" || c.events[burst-1] != "later" {
		t.Errorf("%d events delivered (%q, %q, … %q), want %d: first, then later", len(c.events), c.events[0], c.events[1], c.events[burst-1], burst)
	}
	if len(a.messages) != 1 || a.messages[0] != "the client reported faster than this check could read: 10 reports were not kept" {
		t.Errorf("messages %q, want the 10 reports not kept", a.messages)
	}
}

// TestInboxKeepsNothingOnceStopped: after the attempt stops reading,
// nothing more is kept.
func TestInboxKeepsNothingOnceStopped(t *testing.T) {
	a := newAttempt(Config{}, "12345", newSteps(nil, "", false))
	a.inbox.stop()
	a.inbox.push(queued{name: "late", n: 1})
	a.postEnd(func(handlers, time.Time) bool { return true })
	if n := len(a.inbox.items); n != 0 {
		t.Errorf("%d entries kept after stop, want none", n)
	}
}
