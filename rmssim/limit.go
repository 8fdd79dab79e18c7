package rmssim

import (
	"sync"
	"time"
)

// limiter is a sliding-window count of connection attempts per client IP.
type limiter struct {
	max    int
	window time.Duration

	mu   sync.Mutex
	seen map[string][]time.Time
}

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, seen: map[string][]time.Time{}}
}

// allow records an attempt from ip at now and reports whether it is within
// the limit. A limit of 0 allows everything and records nothing.
func (l *limiter) allow(ip string, now time.Time) bool {
	if l.max <= 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	recent := l.seen[ip][:0]
	for _, t := range l.seen[ip] {
		if now.Sub(t) < l.window {
			recent = append(recent, t)
		}
	}
	if len(recent) >= l.max {
		l.seen[ip] = recent
		return false
	}
	l.seen[ip] = append(recent, now)
	return true
}
