package check

import (
	"testing"
	"time"

	"github.com/lsports/defendcheck/diagnosis"
)

// TestStopAfterARefusal: an upgrade that finished in parallel before the
// namespace was refused is not shown ok, and nothing after a failure is.
func TestStopAfterARefusal(t *testing.T) {
	now := time.Now()
	s := newSteps(nil, "", false)
	for _, n := range []string{diagnosis.StepCustomerID, diagnosis.StepHandshake} {
		s.start(n, now)
		s.finish(n, diagnosis.StepOK, "", now)
	}
	s.start(diagnosis.StepNamespace, now)
	s.start(diagnosis.StepUpgrade, now)
	s.finish(diagnosis.StepUpgrade, diagnosis.StepOK, "upgraded to WebSocket", now)
	s.finish(diagnosis.StepNamespace, diagnosis.StepFailed, "connect_error: Account inactive or expired", now)
	s.stop(diagnosis.StepNamespace)

	want := map[string]diagnosis.StepStatus{
		diagnosis.StepCustomerID: diagnosis.StepOK,
		diagnosis.StepHandshake:  diagnosis.StepOK,
		diagnosis.StepNamespace:  diagnosis.StepFailed,
		diagnosis.StepUpgrade:    diagnosis.StepNotReached,
		diagnosis.StepJoin:       diagnosis.StepNotReached,
		diagnosis.StepFirstEvent: diagnosis.StepNotReached,
		diagnosis.StepStaysOpen:  diagnosis.StepNotReached,
	}
	for _, st := range s.snapshot() {
		if st.Status != want[st.Name] {
			t.Errorf("step %s is %s, want %s", st.Name, st.Status, want[st.Name])
		}
		if st.Name == diagnosis.StepUpgrade && st.Detail != "done in parallel, but not used: an earlier step failed" {
			t.Errorf("upgrade detail %q does not say it went unused", st.Detail)
		}
	}
}
