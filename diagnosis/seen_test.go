package diagnosis

import (
	"strings"
	"testing"
)

func TestSeenFrom(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.7":           "203.0.113.7",
		"::ffff:203.0.113.7":    "203.0.113.7",
		"2001:db8::1":           "2001:db8::1",
		"":                      "",
		"203.0.113.7:5000":      "",
		"203.0.113.7, 10.0.0.1": "",
		"<script>":              "",
		"evil.example":          "",
	} {
		if got := SeenFrom(in); got != want {
			t.Errorf("SeenFrom(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSeenFromInTheReport: the report names the address the page's
// server saw, says when a page's server did not say, and has no such line
// for a check that did not ask (the native command).
func TestSeenFromInTheReport(t *testing.T) {
	addr, none := "203.0.113.7", ""
	for _, tc := range []struct {
		seen *string
		want string
	}{
		{&addr, "Seen from:     203.0.113.7 (the address this page's server saw"},
		{&none, "Seen from:     not known: this page's server did not say"},
		{nil, ""},
	} {
		r := &Result{Verdict: Error, Kind: KindNotFound, CustomerID: "403", Attempts: 1, SeenFrom: tc.seen}
		report := Report(r)
		if tc.want == "" && strings.Contains(report, "Seen from") || tc.want != "" && !strings.Contains(report, tc.want) {
			t.Errorf("seenFrom %v: want %q in the report (none for nil):\n%s", tc.seen, tc.want, report)
		}
	}
}
