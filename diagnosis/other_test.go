package diagnosis_test

import (
	"strings"
	"testing"
	"time"

	"github.com/lsports/defendcheck/diagnosis"
)

func TestParseCustomerID(t *testing.T) {
	tests := []struct {
		raw     string
		value   string
		trimmed bool
		valid   bool
		empty   bool
	}{
		{raw: "", empty: true},
		{raw: "   \t", empty: true},
		{raw: "12345", value: "12345", valid: true},
		{raw: " 12345\n", value: "12345", trimmed: true, valid: true},
		{raw: "12a45", value: "12a45"},
		{raw: "-1", value: "-1"},
		{raw: "١٢٣", value: "١٢٣"}, // Arabic-Indic digits are not ASCII digits
		{raw: "12 45", value: "12 45"},
		{raw: strings.Repeat("9", 65), value: strings.Repeat("9", 64) + "…"},
	}
	for _, tt := range tests {
		id, err := diagnosis.ParseCustomerID(tt.raw)
		if tt.empty {
			if err != diagnosis.ErrEmptyCustomerID {
				t.Errorf("ParseCustomerID(%q) error = %v, want ErrEmptyCustomerID", tt.raw, err)
			}
			continue
		}
		if err != nil || id.Value != tt.value || id.Trimmed != tt.trimmed || id.Valid != tt.valid {
			t.Errorf("ParseCustomerID(%q) = %+v, %v; want {%q %v %v}", tt.raw, id, err, tt.value, tt.trimmed, tt.valid)
		}
	}
}

func TestBudget(t *testing.T) {
	var b diagnosis.Budget
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for i := 0; i < diagnosis.ServiceConnPerMinute; i++ {
		now := t0.Add(time.Duration(i) * time.Second)
		if w := b.Wait(now); w != 0 {
			t.Fatalf("attempt %d: wait %s, want none", i+1, w)
		}
		b.Record(now)
	}
	at := t0.Add(20 * time.Second)
	if w := b.Wait(at); w != 40*time.Second {
		t.Errorf("11th attempt at +20s: wait %s, want 40s (until the first attempt is a minute old)", w)
	}
	if n := b.Recent(at); n != 10 {
		t.Errorf("Recent = %d, want 10", n)
	}
	if w := b.Wait(t0.Add(time.Minute)); w != 0 {
		t.Errorf("a minute after the first attempt: wait %s, want none", w)
	}

	var blocked diagnosis.Budget
	blocked.Block(t0, time.Minute)
	if w := blocked.Wait(t0.Add(15 * time.Second)); w != 45*time.Second {
		t.Errorf("after a 429: wait %s, want 45s", w)
	}
	blocked.Block(t0, time.Second) // a shorter block does not shorten the wait
	if w := blocked.Wait(t0.Add(15 * time.Second)); w != 45*time.Second {
		t.Errorf("after a shorter block: wait %s, want 45s", w)
	}
}

func TestReport(t *testing.T) {
	status := 402
	r := &diagnosis.Result{
		Verdict: diagnosis.Error, Kind: diagnosis.KindAccountInactive, StatusCode: &status,
		CustomerID: "12345", Trimmed: true, Timestamp: "2026-11-25T12:00:00Z", RunID: "dc-test-1",
		Messages:  []string{`connect_error: "Account inactive or expired" data {"statusCode":402}`, "line one\nline two"},
		Transport: "polling", Attempts: 1, Token: sent(true), Browser: "TestBrowser/1.0",
		Target: diagnosis.Target{Origin: "https://rms.lsports.eu", Path: "/rms-socket/socket.io"},
		Steps: []diagnosis.Step{
			{Name: "customer-id", Status: diagnosis.StepOK},
			{Name: "handshake", Status: diagnosis.StepOK, MS: 42},
			{Name: "namespace", Status: diagnosis.StepFailed, MS: 7, Detail: "connect_error: Account inactive or expired"},
			{Name: "upgrade", Status: diagnosis.StepNotReached},
		},
	}
	got := diagnosis.Report(r)
	for _, want := range []string{
		"Run ID:        dc-test-1",
		"Customer ID:   12345 (surrounding whitespace removed)",
		"Timestamp:     2026-11-25T12:00:00Z",
		"Verdict:       ERROR: Account inactive or expired (account-inactive)",
		"Reason:        Account inactive or expired",
		"Resolution:    Contact LSports support",
		"Status code:   402",
		"Close code:    -",
		"Target:        https://rms.lsports.eu/rms-socket/socket.io",
		"Transport:     polling",
		"Access token:  sent (not shown)",
		`  - connect_error: "Account inactive or expired" data {"statusCode":402}`,
		`  - line one\nline two`,
		"  handshake    ok             42 ms",
		"  upgrade      not-reached        -",
		"Checked from:  TestBrowser/1.0",
		"Checker:       defendcheck " + diagnosis.Version,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	for i, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		if strings.ContainsAny(line, "\r\t") {
			t.Errorf("line %d has a control character: %q", i+1, line)
		}
	}

	r.NotSent, r.StatusCode, r.Kind = true, nil, diagnosis.KindInvalidFormat
	got = diagnosis.Report(r)
	if !strings.Contains(got, "Status code:   - (not sent: caught before connecting; RMS-Socket refuses such an ID with 400)") {
		t.Errorf("a not-sent ID must show the 400 row as not sent:\n%s", got)
	}
	if !strings.Contains(got, "Fix owner:     "+diagnosis.OwnerTypist) {
		t.Errorf("a not-sent ID is for the person typing it to fix:\n%s", got)
	}

	r.NotSent, r.Kind, r.Verdict = false, diagnosis.KindOK, diagnosis.OK
	if got := diagnosis.Report(r); !strings.Contains(got, "Resolution:    -\nFix owner:     -\n") {
		t.Errorf("a success has nothing to resolve and no owner:\n%s", got)
	}
}

func TestClean(t *testing.T) {
	const token = "eyJhbGciOi.c2VjcmV0/+x=.sig"
	long := strings.Repeat("a", 1<<20)
	tests := []struct {
		name, in, want string
	}{
		{"plain text stays", `denied: {"statusCode":401} <b>x</b> \ é 漢`, `denied: {"statusCode":401} <b>x</b> \ é 漢`},
		{"the token as sent", "denied for Bearer " + token + "!", "denied for Bearer [redacted]!"},
		{"the token as JSON with \\/", `{"auth":"Bearer eyJhbGciOi.c2VjcmV0\/+x=.sig"}`, `{"auth":"Bearer [redacted]"}`},
		{"the token URL-escaped", "?t=eyJhbGciOi.c2VjcmV0%2F%2Bx%3D.sig", "?t=[redacted]"},
		{"the token in a path", "/t/eyJhbGciOi.c2VjcmV0%2F+x=.sig", "/t/[redacted]"},
		{"control characters", "a\nb\r\tc\x1b[31md\x00", `a\nb\r\tc\x1b[31md\x00`},
		{"bidi and separators", "abc\u202edcba\u2066x\u2069 l1\u2028l2\u2029p\u0085e\u200b", `abc\u202edcba\u2066x\u2069 l1\u2028l2\u2029p\u0085e\u200b`},
		{"bytes that are not UTF-8", "a\xffb\xc3", `a\xffb\xc3`},
		{"a megabyte is cut to 500 characters", long, strings.Repeat("a", 500) + "… [1048076 more characters cut]"},
		{"an escape counts as its length", strings.Repeat("\u202e", 200), strings.Repeat(`\u202e`, 83) + "… [117 more characters cut]"},
		{"characters, not bytes", strings.Repeat("é", 501), strings.Repeat("é", 500) + "… [1 more characters cut]"},
		{"redacted before the cut", strings.Repeat("x", 490) + token + strings.Repeat("y", 600), strings.Repeat("x", 490) + "[redacted]" + "… [600 more characters cut]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := diagnosis.Clean(tt.in, token)
			if got != tt.want {
				t.Errorf("Clean = %.200q…, want %.200q…", got, tt.want)
			}
			if strings.Contains(got, "c2VjcmV0") {
				t.Errorf("a part of the token survived: %.200q", got)
			}
			if again := diagnosis.Clean(got, token); len(got) < diagnosis.MaxText && again != got {
				t.Errorf("cleaning twice changed %q to %q", got, again)
			}
		})
	}
	if got := diagnosis.Clean("no token here", ""); got != "no token here" {
		t.Errorf("an empty secret changed the text: %q", got)
	}
}

func TestReportEscapesWhatItPrints(t *testing.T) {
	r := &diagnosis.Result{
		Kind: diagnosis.KindUnknownStatus, Verdict: diagnosis.Error, CustomerID: "12\u202e34",
		Messages: []string{"evil\u2028line\u0085next"},
		Steps:    []diagnosis.Step{{Name: "handshake", Status: diagnosis.StepFailed, Detail: "x\u202ey"}},
	}
	got := diagnosis.Report(r)
	for _, want := range []string{`12\u202e34`, `evil\u2028line\u0085next`, `x\u202ey`} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	if strings.ContainsAny(got, "\u202e\u2028\u0085") {
		t.Errorf("report keeps a spoofing character:\n%q", got)
	}
}

// TestBudgetLimit: a budget with a Limit allows that many attempts a
// minute, not the service's whole limit.
func TestBudgetLimit(t *testing.T) {
	b := &diagnosis.Budget{Limit: 5}
	t0 := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	for i := range 5 {
		if w := b.Wait(t0); w != 0 {
			t.Fatalf("attempt %d waits %s", i+1, w)
		}
		b.Record(t0)
	}
	if w := b.Wait(t0.Add(10 * time.Second)); w != 50*time.Second {
		t.Errorf("the sixth attempt waits %s, want 50s", w)
	}
}
