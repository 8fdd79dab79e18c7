package watch

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestEventLabelsStayBounded: any name but the two bet events is other.
func TestEventLabelsStayBounded(t *testing.T) {
	m := newMetrics()
	m.start("t")
	for _, name := range []string{"RESERVE_BET_ACCEPT", "RESERVE_BET_REJECT", "x", "reserve_bet_accept", strings.Repeat("y", 1000)} {
		m.event("t", name, time.Now())
	}
	rec := httptest.NewRecorder()
	m.handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	var lines []string
	for line := range strings.Lines(rec.Body.String()) {
		if strings.HasPrefix(line, "defendcheck_events_total{") {
			lines = append(lines, strings.TrimSpace(line))
		}
	}
	want := []string{
		`defendcheck_events_total{event="RESERVE_BET_ACCEPT",target="t"} 1`,
		`defendcheck_events_total{event="RESERVE_BET_REJECT",target="t"} 1`,
		`defendcheck_events_total{event="other",target="t"} 3`,
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}
