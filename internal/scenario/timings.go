package scenario

import (
	"time"

	"github.com/lsports/defendcheck/check"
)

// The timings of the native check and command suites, one copy.
var (
	// Bounds are the check's bounds in the suites: the product's own
	// (check.DefaultBounds), as a case that hit a bound by mistake would be
	// classified wrongly and a busy machine running -race is slow; a case
	// that fails within them fails for the product too. The one exception
	// is the namespace's, shorter than a request's own deadline
	// (transport.DefaultTimeout) and the upgrade's bound, so that a namespace CONNECT left unanswered
	// ends on its own bound and says so, not in a race with those two.
	Bounds = func() check.Bounds {
		b := check.DefaultBounds
		b.Namespace = 4 * time.Second
		return b
	}()

	// RetryDelays are the waits before the retries after a server error:
	// short, as no outcome depends on their length.
	RetryDelays = []time.Duration{20 * time.Millisecond, 20 * time.Millisecond}
)

// EventInterval is the simulator's event interval in the suites: a tenth
// of its default (rmssim.DefaultEventInterval), so that a check's watch
// and a short hold see several events.
const EventInterval = 200 * time.Millisecond
