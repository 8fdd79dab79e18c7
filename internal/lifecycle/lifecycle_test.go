package lifecycle_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/lifecycle"
)

func TestOneCheckAtATime(t *testing.T) {
	var c lifecycle.Checks
	k, ok := c.Start()
	if !ok {
		t.Fatal("an idle page refused a check")
	}
	if _, ok := c.Start(); ok {
		t.Fatal("a second check started while the first had no verdict")
	}
	res := &diagnosis.Result{Kind: diagnosis.KindOK}
	k.Verdict(res)
	if c.Last() != res {
		t.Fatal("the verdict is not the last result")
	}
	// Closing: a new check starts at once but waits for the connection.
	k2, ok := c.Start()
	if !ok || c.Last() != nil {
		t.Fatalf("a check after a verdict: started %v, last %v (want a clean page)", ok, c.Last())
	}
	waited := make(chan struct{})
	go func() { k2.WaitPrevious(); close(waited) }()
	select {
	case <-waited:
		t.Fatal("the new check did not wait for the previous connection to end")
	case <-time.After(20 * time.Millisecond):
	}
	k.End()
	k.End()
	select {
	case <-waited:
	case <-time.After(time.Minute):
		t.Fatal("the new check still waits after the previous connection ended")
	}
	k2.End() // stopped before a verdict, as for a field to correct: idle
	if _, ok := c.Start(); !ok {
		t.Fatal("a check that ended without a verdict keeps the page busy")
	}
}

func TestStopHoldEndsTheNewestCheck(t *testing.T) {
	var c lifecycle.Checks
	c.StopHold() // idle: nothing to stop
	k, _ := c.Start()
	c.StopHold()
	c.StopHold()
	select {
	case <-k.Stop():
	default:
		t.Fatal("StopHold did not end the hold")
	}
	k.Verdict(nil)
	k2, _ := c.Start()
	select {
	case <-k2.Stop():
		t.Fatal("a new check's hold was stopped by an earlier StopHold")
	default:
	}
}

// TestConcurrentClicks: many clicks at once start one check.
func TestConcurrentClicks(t *testing.T) {
	var c lifecycle.Checks
	var started atomic.Int32
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, ok := c.Start(); ok {
				started.Add(1)
			}
			c.StopHold()
			_ = c.Last()
		})
	}
	wg.Wait()
	if n := started.Load(); n != 1 {
		t.Errorf("%d checks started, want 1", n)
	}
}
