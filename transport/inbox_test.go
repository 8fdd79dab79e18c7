package transport_test

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/lsports/defendcheck/transport"
)

// TestInboxKeepsOrder: messages pushed by one callback after another come
// out in order, the close last and once, and nothing after it.
func TestInboxKeepsOrder(t *testing.T) {
	const n = 5000
	var got []string
	closed := make(chan transport.CloseEvent, 2)
	in := transport.NewInbox(func(s string) { got = append(got, s) }, func(ce transport.CloseEvent) { closed <- ce })
	for i := range n {
		in.Message(strconv.Itoa(i))
		if i%97 == 0 {
			time.Sleep(time.Microsecond) // let the inbox run between pushes too
		}
	}
	in.Close(transport.CloseEvent{Code: 4403, Reason: "revoked"})
	in.Message("after the close")
	in.Close(transport.CloseEvent{Code: 1000})
	select {
	case ce := <-closed:
		if ce.Code != 4403 || ce.Reason != "revoked" {
			t.Errorf("close %+v, want the first one, 4403", ce)
		}
	case <-time.After(time.Minute):
		t.Fatal("the close never came")
	}
	if len(got) != n {
		t.Fatalf("%d messages, want %d", len(got), n)
	}
	for i, s := range got {
		if s != strconv.Itoa(i) {
			t.Fatalf("message %d is %q: out of order", i, s)
		}
	}
	select {
	case ce := <-closed:
		t.Errorf("a second close: %+v", ce)
	default:
	}
}

// TestInboxAbandoned: after Abandon nothing is handed on, from any
// goroutine.
func TestInboxAbandoned(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	count := func() { mu.Lock(); calls++; mu.Unlock() }
	in := transport.NewInbox(func(string) { count() }, func(transport.CloseEvent) { count() })
	in.Abandon()
	in.Abandon()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			in.Message("late")
			in.Close(transport.CloseEvent{Code: 1006})
		})
	}
	wg.Wait()
	time.Sleep(10 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if calls != 0 {
		t.Errorf("%d deliveries after Abandon", calls)
	}
}
