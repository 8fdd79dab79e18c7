package newest_test

import (
	"sync"
	"testing"
	"time"

	"github.com/lsports/defendcheck/internal/newest"
)

// recorder keeps what was drawn; a slow draw makes posts pile up.
type recorder struct {
	mu    sync.Mutex
	drawn []int
}

func (r *recorder) draw(v int) {
	time.Sleep(50 * time.Microsecond)
	r.mu.Lock()
	r.drawn = append(r.drawn, v)
	r.mu.Unlock()
}

func (r *recorder) values() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int(nil), r.drawn...)
}

func increasing(t *testing.T, drawn []int) {
	t.Helper()
	for i := 1; i < len(drawn); i++ {
		if drawn[i] <= drawn[i-1] {
			t.Fatalf("drew %d after %d: an older value after a newer one", drawn[i], drawn[i-1])
		}
	}
}

// TestPostDrawsTheNewest: every post returns at once, values are merged
// while a draw runs, never drawn out of order, and the last one is drawn.
func TestPostDrawsTheNewest(t *testing.T) {
	r := &recorder{}
	d := newest.New(r.draw)
	const n = 20000
	for i := 1; i <= n; i++ {
		d.Post(i)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		drawn := r.values()
		if len(drawn) > 0 && drawn[len(drawn)-1] == n {
			increasing(t, drawn)
			if len(drawn) == n {
				t.Errorf("all %d values drawn: nothing was merged", n)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the last value was not drawn; drew %d values", len(drawn))
		}
		time.Sleep(time.Millisecond)
	}
}

// TestNowSupersedesPending: after Now returns, its value is drawn and no
// value posted before it ever is, from several goroutines at once.
func TestNowSupersedesPending(t *testing.T) {
	r := &recorder{}
	d := newest.New(r.draw)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 500 {
				d.Post(g*1000 + i)
			}
		})
	}
	wg.Wait()
	d.Now(-1)
	time.Sleep(20 * time.Millisecond) // a drain still running must not draw after Now
	drawn := r.values()
	if drawn[len(drawn)-1] != -1 {
		t.Fatalf("drew %d after Now(-1)", drawn[len(drawn)-1])
	}
	d.Post(7)
	d.Now(8)
	time.Sleep(20 * time.Millisecond)
	if drawn := r.values(); drawn[len(drawn)-1] != 8 {
		t.Errorf("last drawn %d, want 8: a value posted before Now was drawn after it", drawn[len(drawn)-1])
	}
}
