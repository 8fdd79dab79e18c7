package check_test

import (
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/lsports/defendcheck/diagnosis"
)

// TestHundredChecksLeaveNoGoroutines runs 100 checks of mixed outcomes in
// one process, as the page does in one tab, and requires the goroutine
// count to come back to where it was before them. The Socket.IO library
// keeps a goroutine per pending timer (ping and connect timeouts, on the
// client and in the in-process simulator), so the count is given until
// those timers have run out.
func TestHundredChecksLeaveNoGoroutines(t *testing.T) {
	tgt, _ := simulator(t)
	before := settled(0)
	ids := []string{"12345", "402", "4401", "1006", "500"}
	for i := 0; i < 100; i++ {
		id := ids[i%len(ids)]
		cfg := config(tgt, id)
		cfg.Bounds.Settle = 50 * time.Millisecond
		cfg.RetryDelays = []time.Duration{time.Millisecond, time.Millisecond}
		cfg.Budget = &diagnosis.Budget{} // the page's budget would pace these over 10 minutes
		if res := run(t, cfg); res.Kind == diagnosis.KindTimeout || res.Kind == diagnosis.KindUnreachable {
			t.Fatalf("check %d (%s): %s\n%s", i, id, res.Kind, res.Report)
		}
	}
	peak := runtime.NumGoroutine()
	after := settled(before)
	t.Logf("goroutines before: %d; right after 100 checks: %d; once timers ran out: %d", before, peak, after)
	if after > before {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines grew from %d to %d over 100 checks:\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
}

// settled closes idle keep-alive connections and waits, for at most three
// minutes, until at most want goroutines run (want 0: one second); it
// returns the count.
func settled(want int) int {
	deadline := time.Now().Add(3 * time.Minute)
	if want == 0 {
		deadline = time.Now().Add(time.Second)
	}
	for {
		http.DefaultClient.CloseIdleConnections()
		n := runtime.NumGoroutine()
		if (want > 0 && n <= want) || time.Now().After(deadline) {
			return n
		}
		time.Sleep(200 * time.Millisecond)
	}
}
