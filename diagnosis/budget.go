package diagnosis

import (
	"sync"
	"time"
)

// Connection limits of RMS-Socket and of this checker.
const (
	// ServiceConnPerMinute is the service's limit per IP address.
	ServiceConnPerMinute = 10
	// MaxAttemptsPerCheck bounds the connections one check makes.
	MaxAttemptsPerCheck = 3
	// RateLimitWait is how long the page waits after a 429.
	RateLimitWait = time.Minute
)

// Budget counts this page's own connection attempts in the last minute so
// that a check never pushes the customer's IP over the service's limit.
// It is safe for concurrent use.
type Budget struct {
	// Limit is how many attempts a minute the budget allows; 0 is
	// ServiceConnPerMinute, the service's whole limit.
	Limit int

	mu       sync.Mutex
	attempts []time.Time
	blocked  time.Time // no attempts before this (after a 429)
}

// Wait reports how long to wait before an attempt at now is allowed; zero
// means go ahead.
func (b *Budget) Wait(now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.prune(now)
	wait := b.blocked.Sub(now)
	limit := b.Limit
	if limit == 0 {
		limit = ServiceConnPerMinute
	}
	if len(b.attempts) >= limit {
		if w := b.attempts[0].Add(time.Minute).Sub(now); w > wait {
			wait = w
		}
	}
	if wait < 0 {
		return 0
	}
	return wait
}

// Record counts an attempt made at now.
func (b *Budget) Record(now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.prune(now)
	b.attempts = append(b.attempts, now)
}

// Block forbids attempts until now+d, as after a 429.
func (b *Budget) Block(now time.Time, d time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if until := now.Add(d); until.After(b.blocked) {
		b.blocked = until
	}
}

// Recent is how many attempts were made in the minute before now.
func (b *Budget) Recent(now time.Time) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.prune(now)
	return len(b.attempts)
}

func (b *Budget) prune(now time.Time) {
	i := 0
	for i < len(b.attempts) && now.Sub(b.attempts[i]) >= time.Minute {
		i++
	}
	b.attempts = b.attempts[i:]
}

// RetryDelays are the waits before the second and third attempt after a
// server error (500); no other kind is retried.
var RetryDelays = []time.Duration{time.Second, 2 * time.Second}
