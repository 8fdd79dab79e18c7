// Package lifecycle is the page's one check at a time. A check is idle,
// checking (started, no verdict yet) or closing (its verdict shown, its
// connection still ending). A new check may start once the previous one
// has its verdict, and its connection waits for the previous one's to
// end: a click is answered at once, and two connections never overlap.
package lifecycle

import (
	"sync"

	"github.com/lsports/defendcheck/diagnosis"
)

// Checks is the page's checks. Its zero value is idle.
type Checks struct {
	mu    sync.Mutex
	cur   *Check // the newest check
	last  *diagnosis.Result
	ended <-chan struct{} // closed once the newest check's connection has ended
}

// Check is one check, from its start to the end of its connection.
type Check struct {
	checks   *Checks
	prev     <-chan struct{}
	ended    chan struct{}
	endOnce  sync.Once
	verdict  bool // guarded by checks.mu
	stop     chan struct{}
	stopOnce sync.Once
}

// Start begins a check, unless one is checking: then a click does nothing
// and ok is false. The previous check's result is forgotten.
func (c *Checks) Start() (k *Check, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur != nil && !c.cur.verdict {
		return nil, false
	}
	k = &Check{checks: c, prev: c.ended, ended: make(chan struct{}), stop: make(chan struct{})}
	c.cur, c.last, c.ended = k, nil, k.ended
	return k, true
}

// WaitPrevious returns once the previous check's connection has ended.
func (k *Check) WaitPrevious() {
	if k.prev != nil {
		<-k.prev
	}
}

// Verdict records the check's result: a new check may start from now on.
func (k *Check) Verdict(res *diagnosis.Result) {
	c := k.checks
	c.mu.Lock()
	defer c.mu.Unlock()
	k.verdict = true
	if c.cur == k {
		c.last = res
	}
}

// End says the check's connection has ended, or that the check stopped
// before it made one (a field to correct): it is idle. It may be called
// more than once.
func (k *Check) End() {
	k.endOnce.Do(func() {
		k.checks.mu.Lock()
		k.verdict = true
		k.checks.mu.Unlock()
		close(k.ended)
	})
}

// Stop is closed when the person ends the check's hold early.
func (k *Check) Stop() <-chan struct{} { return k.stop }

// StopHold ends the newest check's hold, if it is holding.
func (c *Checks) StopHold() {
	c.mu.Lock()
	k := c.cur
	c.mu.Unlock()
	if k != nil {
		k.stopOnce.Do(func() { close(k.stop) })
	}
}

// Last is the newest check's result; nil until it has its verdict.
func (c *Checks) Last() *diagnosis.Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}
