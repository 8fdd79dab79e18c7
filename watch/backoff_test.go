package watch

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/lsports/defendcheck/diagnosis"
)

func ptr(n int) *int { return &n }

// TestBackoff: failures double the wait from a second to the cap; a
// refusal that will not pass by itself waits at least a minute; only a
// connection held a minute starts again from a second; jitter only adds,
// at most a fifth.
func TestBackoff(t *testing.T) {
	lost := &diagnosis.Result{Kind: diagnosis.KindConnectionLost, CloseCode: ptr(1006)}
	var b backoff
	var got []time.Duration
	for range 11 {
		got = append(got, b.next(lost, 5*time.Second, 0))
	}
	want := []time.Duration{1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300}
	for i := range want {
		if got[i] != want[i]*time.Second {
			t.Errorf("wait %d after short connections = %s, want %d s", i+1, got[i], want[i])
		}
	}
	if d := b.next(lost, time.Minute, 0); d != time.Second {
		t.Errorf("after a connection held a minute: %s, want 1 s", d)
	}
	if d := b.next(lost, 0, 0.999); d < 2*time.Second || d > 2400*time.Millisecond {
		t.Errorf("2 s with the most jitter: %s, want 2 to 2.4 s", d)
	}
	for _, res := range []*diagnosis.Result{
		{Kind: diagnosis.KindAccountInactive, StatusCode: ptr(402)},
		{Kind: diagnosis.KindInvalidFormat, StatusCode: ptr(400)},
		{Kind: diagnosis.KindRateLimited, StatusCode: ptr(429)},
		{Kind: diagnosis.KindAuthorizationRevoked, CloseCode: ptr(4403)},
	} {
		var fresh backoff
		if d := fresh.next(res, 0, 0); d != time.Minute {
			t.Errorf("first wait after %s: %s, want 60 s", res.Kind, d)
		}
	}
	var fresh backoff
	if d := fresh.next(&diagnosis.Result{Kind: diagnosis.KindServerError, StatusCode: ptr(500)}, 0, 0); d != time.Second {
		t.Errorf("first wait after a 500: %s, want 1 s", d)
	}
}

// TestBudgetAllowsHalfTheLimitInAll: the attempt past ConnPerMinute (5,
// half the service's limit per IP) within a minute, whichever target
// makes it, waits.
func TestBudgetAllowsHalfTheLimitInAll(t *testing.T) {
	b := newBudget()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if ConnPerMinute != 5 {
		t.Fatalf("ConnPerMinute is %d, want 5, half of the service's 10", ConnPerMinute)
	}
	for i := range ConnPerMinute {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		if !b.take(ctx, log) {
			t.Fatalf("attempt %d refused", i+1)
		}
		cancel()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if b.take(ctx, log) {
		t.Fatal("an attempt past ConnPerMinute within the minute")
	}
}
