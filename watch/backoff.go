package watch

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/lsports/defendcheck/diagnosis"
)

// The waits between one target's connection attempts.
const (
	// firstWait is the wait after the first failure; it doubles with
	// every failure after it, up to maxWait.
	firstWait = time.Second
	maxWait   = 5 * time.Minute
	// refusedWait is the least wait after a refusal that will not pass by
	// itself (see permanent) or a 429.
	refusedWait = time.Minute
	// stableAfter is how long a connection must have held for its loss to
	// count as the first failure again: a server that closes every few
	// seconds is backed off as one that refuses.
	stableAfter = time.Minute
	// jitter is the most a wait is lengthened by, as a fraction of it, so
	// that watchers started together do not connect together.
	jitter = 0.2
)

// backoff is one target's count of failures in a row.
type backoff struct {
	fails int
}

// next is the wait before the attempt after res, whose connection held
// for held (0 when it never connected); r is in [0, 1), the jitter's draw.
func (b *backoff) next(res *diagnosis.Result, held time.Duration, r float64) time.Duration {
	if held >= stableAfter {
		b.fails = 0
	}
	b.fails++
	d := maxWait
	if b.fails < 10 { // 1 s << 9 is past maxWait
		d = min(maxWait, firstWait<<(b.fails-1))
	}
	if permanent(res) {
		d = max(d, refusedWait)
	}
	return d + time.Duration(r*jitter*float64(d))
}

// permanent says whether res is a refusal that connecting again soon will
// not change: a status 400 to 403 or 429 (from RMS-Socket or something in
// front of it), or a close for the token's sake after the upgrade (4401,
// 4403).
func permanent(res *diagnosis.Result) bool {
	if res == nil {
		return false
	}
	if s := res.StatusCode; s != nil && (*s >= 400 && *s <= 403 || *s == 429) {
		return true
	}
	c := res.CloseCode
	return c != nil && (*c == 4401 || *c == 4403)
}

// ConnPerMinute is the most connection attempts the watcher makes in a
// minute over all its targets: half of RMS-Socket's limit per IP address
// (diagnosis.ServiceConnPerMinute), which it shares with the integration
// it watches, so the integration always keeps the other half.
const ConnPerMinute = diagnosis.ServiceConnPerMinute / 2

// budget is the watcher's count of its connection attempts, over all
// targets: never more than ConnPerMinute a minute, and none for
// diagnosis.RateLimitWait after a 429.
type budget struct {
	mu sync.Mutex // makes Wait and Record one step
	b  diagnosis.Budget
}

func newBudget() *budget { return &budget{b: diagnosis.Budget{Limit: ConnPerMinute}} }

// take waits until an attempt is allowed and counts it; false when ctx
// ended first.
func (b *budget) take(ctx context.Context, log *slog.Logger) bool {
	for {
		b.mu.Lock()
		now := time.Now()
		wait := b.b.Wait(now)
		if wait == 0 {
			b.b.Record(now)
		}
		b.mu.Unlock()
		if wait == 0 {
			return true
		}
		log.Info("waiting", "seconds", ceilSeconds(wait), "for", "the connection budget")
		if !sleep(ctx, wait) {
			return false
		}
	}
}

// rateLimited blocks every target's attempts after a 429.
func (b *budget) rateLimited() {
	b.b.Block(time.Now(), diagnosis.RateLimitWait)
}

func ceilSeconds(d time.Duration) int64 {
	return int64((d + time.Second - 1) / time.Second)
}
