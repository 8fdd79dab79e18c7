package scenario

import (
	"time"

	"github.com/lsports/defendcheck/check"
)

// The suites' timings, one copy for the check, command and browser tests.
var (
	// Bounds are the check's bounds in the suites: the product's own
	// (check.DefaultBounds), not shorter ones. A case that hit a bound by
	// mistake would be classified wrongly, and a busy machine running
	// -race is slow; a case that fails within these bounds fails for the
	// product too.
	Bounds = check.DefaultBounds

	// RetryDelays are the waits before the retries after a server error:
	// short, as no outcome depends on their length.
	RetryDelays = []time.Duration{20 * time.Millisecond, 20 * time.Millisecond}
)

// EventInterval is the simulator's event interval in the suites: a tenth
// of its default (rmssim.DefaultEventInterval), so that a check's watch
// and a short hold see several events.
const EventInterval = 200 * time.Millisecond
