package rmssim

import (
	"sync"
	"time"
)

// limiter is a sliding-window count of connection attempts per client IP.
// It forgets an IP once its last attempt is older than the window, so that
// its memory holds the clients of the last two windows at most, not of
// all time.
type limiter struct {
	max    int
	window time.Duration

	mu    sync.Mutex
	seen  map[string][]time.Time
	swept time.Time // the last sweep of the whole map
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
	l.sweep(now)
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

// sweep removes, at most once a window, every IP whose last attempt is a
// window old: a whole-map pass per window keeps each attempt's cost
// constant however many IPs there are.
func (l *limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < l.window {
		return
	}
	l.swept = now
	for ip, times := range l.seen {
		if now.Sub(times[len(times)-1]) >= l.window {
			delete(l.seen, ip)
		}
	}
}
