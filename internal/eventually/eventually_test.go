package eventually_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/lsports/defendcheck/internal/eventually"
)

func TestTrueOnceTheConditionHolds(t *testing.T) {
	var calls atomic.Int32
	start := time.Now()
	ok := eventually.True(time.Minute, time.Millisecond, func() bool { return calls.Add(1) == 3 })
	if !ok || calls.Load() != 3 {
		t.Errorf("True = %v after %d calls, want true after 3", ok, calls.Load())
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("True took %s for a condition that held at its third call", took)
	}
}

func TestTrueAtOnceWithoutSleeping(t *testing.T) {
	start := time.Now()
	if !eventually.True(time.Minute, time.Minute, func() bool { return true }) {
		t.Error("True = false for a condition that holds")
	}
	if took := time.Since(start); took >= time.Minute {
		t.Errorf("True slept %s before a condition that held at once", took)
	}
}

func TestFalseAfterTheDeadline(t *testing.T) {
	var calls atomic.Int32
	start := time.Now()
	ok := eventually.True(50*time.Millisecond, 10*time.Millisecond, func() bool { calls.Add(1); return false })
	took := time.Since(start)
	if ok {
		t.Error("True = true for a condition that never holds")
	}
	if took < 50*time.Millisecond {
		t.Errorf("True gave up after %s, before its 50ms", took)
	}
	if calls.Load() < 2 {
		t.Errorf("%d calls, want one at the start and one at the deadline", calls.Load())
	}
}

func TestTheLastLookIsAtTheDeadline(t *testing.T) {
	// Interval past the deadline: the second call must still come, once d
	// has passed, and see the condition that holds by then.
	start := time.Now()
	ok := eventually.True(20*time.Millisecond, time.Hour, func() bool { return time.Since(start) >= 20*time.Millisecond })
	if !ok {
		t.Error("True = false for a condition that held at the deadline")
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("True slept its whole interval (%s) past the deadline", took)
	}
}
