// Package eventually is for tests only: the one poll of a condition until
// a deadline, for what a test cannot be told of and must look at again.
package eventually

import "time"

// True calls cond every interval until it returns true or d has passed,
// and says whether it did. cond is called at least once, and once more
// when d has passed, so a condition that holds by the deadline is seen.
func True(d, interval time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(min(interval, max(time.Until(deadline), 0)))
	}
}
