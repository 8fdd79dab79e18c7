//go:build !js

package check_test

import (
	"strings"
	"testing"
	"time"

	"github.com/lsports/defendcheck/check"
	"github.com/lsports/defendcheck/diagnosis"
)

// TestPhaseBoundWinsOverTheRequestDeadline: with the product's bounds, a
// namespace CONNECT that is never answered (its POST and the polls held
// open) is reported as the namespace's bound, not as the request's own
// deadline running out at the same moment.
func TestPhaseBoundWinsOverTheRequestDeadline(t *testing.T) {
	srv := startCounted(t, &engineIO{upgrades: `["websocket"]`, poll: hold, post: hold})
	cfg := config(target(srv.URL), "12345")
	cfg.Bounds = check.DefaultBounds
	res := run(t, cfg)
	messages := strings.Join(res.Messages, "\n")
	if res.Kind != diagnosis.KindTimeout || !strings.Contains(messages, "namespace: no answer within 10s") || strings.Contains(messages, "deadline exceeded") {
		t.Errorf("kind %s, messages:\n%s\nwant timeout, the namespace's bound, no request deadline", res.Kind, messages)
	}
	srv.waitIdle(t, 5*time.Second)
}
