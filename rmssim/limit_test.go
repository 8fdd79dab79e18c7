package rmssim

import (
	"fmt"
	"testing"
	"time"
)

// TestLimiterForgetsIPsAfterItsWindow: the map of IPs shrinks once their
// attempts are a window old, and keeps the IPs still being counted.
func TestLimiterForgetsIPsAfterItsWindow(t *testing.T) {
	l := newLimiter(10, time.Minute)
	t0 := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	for i := range 1000 {
		if !l.allow(fmt.Sprintf("10.0.%d.%d", i/256, i%256), t0) {
			t.Fatalf("first attempt of IP %d refused", i)
		}
	}
	for i := range 10 {
		if !l.allow("192.0.2.1", t0.Add(50*time.Second)) {
			t.Fatalf("attempt %d of 10 refused", i+1)
		}
	}
	if n := len(l.seen); n != 1001 {
		t.Fatalf("%d IPs remembered within the window, want 1001", n)
	}
	if l.allow("192.0.2.1", t0.Add(61*time.Second)) {
		t.Error("the 11th attempt within a minute was allowed")
	}
	if n := len(l.seen); n != 1 {
		t.Errorf("%d IPs remembered a window after 1000 of them stopped, want 1 (the one still counted)", n)
	}
	if !l.allow("192.0.2.1", t0.Add(111*time.Second)) {
		t.Error("an attempt a minute after the last ten was refused")
	}
}
