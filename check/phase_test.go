//go:build !js

package check_test

import (
	"strings"
	"testing"
	"time"

	"github.com/lsports/defendcheck/diagnosis"
)

// TestEventWithTheConnect: a server that sends an event in the same answer
// as the namespace's connect, which the Socket.IO client reports after the
// event (both are read at the engine, see transport.EventName): the event
// counts as the first, from the connect, and the check does not wait out
// the first-event bound.
func TestEventWithTheConnect(t *testing.T) {
	srv := startCounted(t, &engineIO{poll: after40(reply("40{\"sid\":\"early\"}\x1e42[\"RESERVE_BET_ACCEPT\",{}]"))})
	cfg := config(target(srv.URL), "12345")
	cfg.Bounds.Upgrade = 300 * time.Millisecond // the server offers no upgrade
	res := run(t, cfg)

	if res.Kind != diagnosis.KindPollingOnly {
		t.Errorf("kind %s, want polling-only\n%s", res.Kind, res.Report)
	}
	want := map[string]diagnosis.StepStatus{
		diagnosis.StepNamespace: diagnosis.StepOK, diagnosis.StepFirstEvent: diagnosis.StepOK, diagnosis.StepStaysOpen: diagnosis.StepOK,
	}
	for _, s := range res.Steps {
		if w, ok := want[s.Name]; ok && s.Status != w {
			t.Errorf("step %s is %s (%s), want %s\n%s", s.Name, s.Status, s.Detail, w, res.Report)
		}
		if s.Name == diagnosis.StepFirstEvent && s.Detail != "received RESERVE_BET_ACCEPT" {
			t.Errorf("first-event detail %q, want the event received", s.Detail)
		}
	}
	if messages := strings.Join(res.Messages, "\n"); strings.Contains(messages, "no event within") {
		t.Errorf("the messages say no event came:\n%s", messages)
	}
	srv.waitIdle(t, 2*time.Second)
}
