package diagnosis_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lsports/defendcheck/diagnosis"
)

func TestBrowserBlocked(t *testing.T) {
	http := diagnosis.Target{Origin: "http://rms.example.com", Path: "/x"}
	local := diagnosis.Target{Origin: "http://127.0.0.1:9090", Path: "/x"}
	for _, tc := range []struct {
		name     string
		online   bool
		protocol string
		target   diagnosis.Target
		want     diagnosis.Reachability // "" for not blocked
	}{
		{"offline", false, "http:", http, diagnosis.ReachOffline},
		{"https page, http target", true, "https:", http, diagnosis.ReachMixedContent},
		{"https page, http loopback", true, "https:", local, ""},
		{"http page", true, "http:", http, ""},
	} {
		p, blocked := diagnosis.BrowserBlocked(tc.online, tc.protocol, tc.target)
		if blocked != (tc.want != "") || p.Reachability != tc.want || blocked && p.Detail == "" {
			t.Errorf("%s: %+v, blocked %v; want %q", tc.name, p, blocked, tc.want)
		}
	}
}

func TestNoCORSProbe(t *testing.T) {
	if p := diagnosis.NoCORSProbe(nil, false, time.Second); p.Reachability != diagnosis.ReachCORSBlocked {
		t.Errorf("an answered no-cors request: %+v", p)
	}
	p := diagnosis.NoCORSProbe(errors.New("TypeError: Failed to fetch"), false, time.Second)
	if p.Reachability != diagnosis.ReachNetwork || !strings.Contains(p.Detail, "Failed to fetch") {
		t.Errorf("a failed no-cors request: %+v", p)
	}
	p = diagnosis.NoCORSProbe(errors.New("AbortError"), true, 4600*time.Millisecond)
	if p.Reachability != diagnosis.ReachNetwork || !strings.Contains(p.Detail, "no answer within 5s") {
		t.Errorf("a no-cors request that timed out: %+v", p)
	}
}

func TestClockSkewFromHeaders(t *testing.T) {
	sent := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	received := sent.Add(200 * time.Millisecond)
	date := sent.Add(-10 * time.Minute).Format(time.RFC1123)
	date = strings.Replace(date, "UTC", "GMT", 1)
	skew, ok := diagnosis.ClockSkewFromHeaders(sent, received, date, "")
	if !ok || skew < 9*time.Minute || skew > 11*time.Minute {
		t.Errorf("skew %v ok %v, want about 10 min ahead", skew, ok)
	}
	aged, ok := diagnosis.ClockSkewFromHeaders(sent, received, date, "60")
	if !ok || skew-aged != time.Minute {
		t.Errorf("Age 60 moved the skew from %v to %v, want a minute less", skew, aged)
	}
	for _, bad := range [][2]string{{"", ""}, {"yesterday", ""}, {date, "soon"}} {
		if _, ok := diagnosis.ClockSkewFromHeaders(sent, received, bad[0], bad[1]); ok {
			t.Errorf("Date %q Age %q gave a skew", bad[0], bad[1])
		}
	}
}
