package diagnosis_test

import (
	"strings"
	"testing"

	"github.com/lsports/defendcheck/diagnosis"
)

// allKinds is the page's public list of kinds (README, result contract).
var allKinds = []diagnosis.Kind{
	"ok", "invalid-format", "missing-header", "account-inactive", "not-found",
	"rate-limited", "server-error", "unknown-status", "timeout", "unreachable",
	"closed-normal", "going-away", "auth-failed-after-upgrade", "authorization-revoked",
	"connection-lost", "polling-only", "no-messages",
	"not-engineio", "closed-before-connect", "session-lost", "refused-by-gateway",
	"unreadable-packet",
}

func TestTableHasOneCompleteRowPerKind(t *testing.T) {
	seen := map[diagnosis.Kind]bool{}
	for _, e := range diagnosis.Table {
		if seen[e.Kind] {
			t.Errorf("kind %s has two rows", e.Kind)
		}
		seen[e.Kind] = true
		for field, v := range map[string]string{"Title": e.Title, "Reason": e.Reason, "Meaning": e.Meaning} {
			if v == "" {
				t.Errorf("kind %s: %s is empty", e.Kind, field)
			}
		}
		// A success has nothing to fix: no resolution, owner or
		// troubleshooting; every other row has all three.
		for field, v := range map[string]string{"Resolution": e.Resolution, "Owner": e.Owner, "Troubleshooting": e.Troubleshooting} {
			if (v == "") != (e.Verdict == diagnosis.OK) {
				t.Errorf("kind %s (verdict %s): %s is %q", e.Kind, e.Verdict, field, v)
			}
		}
		switch e.Verdict {
		case diagnosis.OK, diagnosis.Warning, diagnosis.Error:
		default:
			t.Errorf("kind %s: verdict %q", e.Kind, e.Verdict)
		}
	}
	for _, k := range allKinds {
		if !seen[k] {
			t.Errorf("kind %s has no row", k)
		}
	}
	if len(seen) != len(allKinds) {
		t.Errorf("table has %d kinds, the contract lists %d", len(seen), len(allKinds))
	}
}

// TestSeedRows checks that every row of the LSports error-handling page
// (shared/docs/error-handling.md) is mapped with its exact words.
func TestSeedRows(t *testing.T) {
	statuses := []struct {
		code       int
		kind       diagnosis.Kind
		reason     string
		resolution string
	}{
		{400, "invalid-format", "Invalid customerid format", "Use numeric characters only"},
		{401, "missing-header", "Missing customerid header", "Add customerid to extraHeaders"},
		{402, "account-inactive", "Account inactive or expired", "Contact LSports support"},
		{403, "not-found", "Customer ID not found", "Verify your Customer ID"},
		{429, "rate-limited", "Rate limit exceeded", "Wait before reconnecting"},
		{500, "server-error", "Server error", "Retry with backoff"},
	}
	for _, s := range statuses {
		k := diagnosis.KindForStatus(s.code)
		if k != s.kind {
			t.Errorf("KindForStatus(%d) = %s, want %s", s.code, k, s.kind)
			continue
		}
		e := diagnosis.Lookup(k)
		// The docs' row is the documented one, word for word. The 401's
		// resolution is for an integration that left the header out, and
		// the 500's asks to retry: the check sent the header and already
		// retried, so its own advice says what follows from that.
		if e.Reason != s.reason || !strings.Contains(e.Documented, s.reason+": "+s.resolution) ||
			e.Resolution != s.resolution && s.code != 401 && s.code != 500 {
			t.Errorf("status %d: reason %q, resolution %q, documented %q; want %q, %q", s.code, e.Reason, e.Resolution, e.Documented, s.reason, s.resolution)
		}
		if e.Verdict != diagnosis.Error {
			t.Errorf("status %d: verdict %s, want error", s.code, e.Verdict)
		}
	}
	for _, code := range []int{0, 404, 418, 502, 503} {
		if k := diagnosis.KindForStatus(code); k != diagnosis.KindUnknownStatus {
			t.Errorf("KindForStatus(%d) = %s, want unknown-status", code, k)
		}
	}

	closes := []struct {
		code    int
		kind    diagnosis.Kind
		reason  string
		verdict diagnosis.Verdict
	}{
		{1000, "closed-normal", "Normal closure", diagnosis.Warning},
		{1001, "going-away", "Server going away (maintenance)", diagnosis.Warning},
		{4401, "auth-failed-after-upgrade", "Authentication failed after upgrade", diagnosis.Error},
		{4403, "authorization-revoked", "Authorization revoked", diagnosis.Error},
		{1006, "connection-lost", "Connection closed abnormally", diagnosis.Error},
		{1011, "connection-lost", "Connection closed abnormally", diagnosis.Error},
		{4000, "connection-lost", "Connection closed abnormally", diagnosis.Error},
	}
	for _, c := range closes {
		k := diagnosis.KindForClose(c.code)
		e := diagnosis.Lookup(k)
		if k != c.kind || e.Reason != c.reason || e.Verdict != c.verdict {
			t.Errorf("close %d: %s %q %s; want %s %q %s", c.code, k, e.Reason, e.Verdict, c.kind, c.reason, c.verdict)
		}
	}

	// The docs' troubleshooting table, "cause: solution", is documented.
	troubleshooting := map[diagnosis.Kind]string{
		"missing-header":   "Header not included in connection: Add customerid to extraHeaders",
		"timeout":          "Network or firewall issues: Check connectivity; whitelist WSS port",
		"invalid-format":   "Non-numeric customer ID: Use numeric Customer ID only",
		"account-inactive": "Subscription expired: Contact LSports support",
		"no-messages":      "Not joined to room: Emit join event after connecting",
	}
	for k, want := range troubleshooting {
		if got := diagnosis.Lookup(k).Documented; !contains(got, want) {
			t.Errorf("%s documented %q lacks %q", k, got, want)
		}
	}
}

func TestMissingHeaderSaysTheHeaderWasStripped(t *testing.T) {
	e := diagnosis.Lookup(diagnosis.KindMissingHeader)
	if !contains(e.Meaning, "sent the customerid header") || !contains(e.Meaning, "proxy") {
		t.Errorf("401 meaning must say the page sent the header and a proxy removed it: %q", e.Meaning)
	}
}

// TestHTTPRefusalsComeFromInFront: RMS-Socket refuses with a connect_error,
// so an HTTP 401 or 403 is something in front of it, while the same codes
// in a connect_error keep the seed's rows.
func TestHTTPRefusalsComeFromInFront(t *testing.T) {
	for _, code := range []int{401, 403} {
		if k := diagnosis.KindForHTTPStatus(code); k != diagnosis.KindRefusedByGateway {
			t.Errorf("KindForHTTPStatus(%d) = %s, want refused-by-gateway", code, k)
		}
	}
	for code, want := range map[int]diagnosis.Kind{400: "invalid-format", 402: "account-inactive", 429: "rate-limited", 500: "server-error", 502: "unknown-status"} {
		if k := diagnosis.KindForHTTPStatus(code); k != want {
			t.Errorf("KindForHTTPStatus(%d) = %s, want %s", code, k, want)
		}
	}
	if k := diagnosis.KindForStatus(401); k != diagnosis.KindMissingHeader {
		t.Errorf("KindForStatus(401) = %s, want missing-header", k)
	}
	if e := diagnosis.Lookup(diagnosis.KindRefusedByGateway); contains(e.Meaning, "removed") || !contains(e.Meaning, "in front of") {
		t.Errorf("refused-by-gateway must say something in front refused, not that a header was removed: %q", e.Meaning)
	}
}

// TestAdviceFitsTheFacts: Result.Entry gives token advice only when a
// token was sent, says so when none was for a 4401, and leaves an ID
// caught before it was sent to the person typing it.
func TestAdviceFitsTheFacts(t *testing.T) {
	for _, tt := range []struct {
		name               string
		res                diagnosis.Result
		owner              string
		has, lacks         string // in Resolution or Troubleshooting
		resolution, advice string // exact, where not ""
	}{
		{name: "4401 with a token", res: diagnosis.Result{Kind: "auth-failed-after-upgrade", Token: sent(true), Attempts: 1},
			owner: diagnosis.OwnerCustomerDev, has: "tokens live 30 minutes",
			resolution: "Check your access token and customerid, then reconnect"},
		{name: "4401 without a token", res: diagnosis.Result{Kind: "auth-failed-after-upgrade"},
			owner: diagnosis.OwnerCustomerDev, has: "No access token was sent", lacks: "30 minutes",
			advice: "No access token was sent with this check, so RMS-Socket had none to accept."},
		{name: "gateway without a token", res: diagnosis.Result{Kind: "refused-by-gateway"},
			owner: diagnosis.OwnerCustomerIT, has: "no access token was sent", lacks: "check the access token"},
		{name: "gateway with a token", res: diagnosis.Result{Kind: "refused-by-gateway", Token: sent(true), Attempts: 1},
			owner: diagnosis.OwnerCustomerIT, has: "check the access token", lacks: "no access token was sent"},
		{name: "ID typed badly, not sent", res: diagnosis.Result{Kind: "invalid-format", NotSent: true},
			owner: diagnosis.OwnerTypist, resolution: "Use numeric characters only", lacks: "developers"},
		{name: "400 from the server", res: diagnosis.Result{Kind: "invalid-format", StatusCode: ptr(400)},
			owner: diagnosis.OwnerCustomerDev, resolution: "Use numeric characters only"},
		{name: "402 without a token keeps the seed's words", res: diagnosis.Result{Kind: "account-inactive"},
			owner: diagnosis.OwnerLSports, resolution: "Contact LSports support"},
		{name: "success", res: diagnosis.Result{Kind: "ok", Token: sent(true), Attempts: 1}, lacks: "not joined"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.res.Entry()
			advice := e.Resolution + " " + e.Troubleshooting + " " + e.Owner
			if e.Owner != tt.owner {
				t.Errorf("owner %q, want %q", e.Owner, tt.owner)
			}
			if tt.has != "" && !contains(advice, tt.has) {
				t.Errorf("advice %q lacks %q", advice, tt.has)
			}
			if tt.lacks != "" && contains(advice, tt.lacks) {
				t.Errorf("advice %q has %q", advice, tt.lacks)
			}
			if tt.resolution != "" && e.Resolution != tt.resolution {
				t.Errorf("resolution %q, want %q", e.Resolution, tt.resolution)
			}
			if tt.advice != "" && e.Troubleshooting != tt.advice {
				t.Errorf("troubleshooting %q, want %q", e.Troubleshooting, tt.advice)
			}
		})
	}
}

func TestLookupUnknownKind(t *testing.T) {
	if got := diagnosis.Lookup("no-such-kind").Kind; got != diagnosis.KindUnknownStatus {
		t.Errorf("Lookup(unknown) = %s, want unknown-status", got)
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		obs  diagnosis.Observation
		want diagnosis.Kind
	}{
		{"invalid before connecting", diagnosis.Observation{InvalidID: true}, "invalid-format"},
		{"own budget spent", diagnosis.Observation{LocalLimit: true}, "rate-limited"},
		{"connect_error 402", diagnosis.Observation{Refused: true, StatusCode: 402}, "account-inactive"},
		{"connect_error 401", diagnosis.Observation{Refused: true, StatusCode: 401}, "missing-header"},
		{"connect_error 418", diagnosis.Observation{Refused: true, StatusCode: 418}, "unknown-status"},
		{"connect_error without data", diagnosis.Observation{Refused: true}, "unknown-status"},
		{"HTTP 429 on polling", diagnosis.Observation{HTTPStatus: 429}, "rate-limited"},
		{"HTTP 502 on polling", diagnosis.Observation{HTTPStatus: 502}, "unknown-status"},
		{"no response", diagnosis.Observation{Unreachable: true}, "unreachable"},
		{"no answer", diagnosis.Observation{Timeout: true}, "timeout"},
		{"close 4401 after upgrade", diagnosis.Observation{Connected: true, Upgraded: true, EventReceived: true, Closed: true, CloseCode: 4401}, "auth-failed-after-upgrade"},
		{"close 1001", diagnosis.Observation{Connected: true, Closed: true, CloseCode: 1001}, "going-away"},
		{"closed without a code", diagnosis.Observation{Connected: true, Closed: true}, "connection-lost"},
		{"never upgraded", diagnosis.Observation{Connected: true, EventReceived: true}, "polling-only"},
		{"never upgraded and no event", diagnosis.Observation{Connected: true}, "polling-only"},
		{"no event", diagnosis.Observation{Connected: true, Upgraded: true}, "no-messages"},
		{"all good", diagnosis.Observation{Connected: true, Upgraded: true, EventReceived: true}, "ok"},
		{"refusal beats timeout", diagnosis.Observation{Refused: true, StatusCode: 500, Timeout: true}, "server-error"},
		{"HTTP 401 from a gateway", diagnosis.Observation{HTTPStatus: 401}, "refused-by-gateway"},
		{"HTTP 403 from a gateway", diagnosis.Observation{HTTPStatus: 403}, "refused-by-gateway"},
		{"HTTP 402 on polling", diagnosis.Observation{HTTPStatus: 402}, "account-inactive"},
		{"HTTP 500 on polling", diagnosis.Observation{HTTPStatus: 500}, "server-error"},
		{"session unknown", diagnosis.Observation{HTTPStatus: 400, SessionLost: true}, "session-lost"},
		{"session unknown after connecting", diagnosis.Observation{Connected: true, Closed: true, HTTPStatus: 400, SessionLost: true}, "session-lost"},
		{"HTTP 400 on the handshake", diagnosis.Observation{HTTPStatus: 400}, "invalid-format"},
		{"not Engine.IO", diagnosis.Observation{NotEngineIO: true}, "not-engineio"},
		{"not Engine.IO after connecting", diagnosis.Observation{Connected: true, Closed: true, NotEngineIO: true}, "not-engineio"},
		{"closed before connect", diagnosis.Observation{Closed: true}, "closed-before-connect"},
		{"closed before connect, upgrade code ignored", diagnosis.Observation{Closed: true, UpgradeCode: 4401}, "closed-before-connect"},
		{"polling-only keeps the upgrade's code out", diagnosis.Observation{Connected: true, EventReceived: true, UpgradeCode: 1006}, "polling-only"},
		{"a close without a code after a failed upgrade", diagnosis.Observation{Connected: true, EventReceived: true, Closed: true, UpgradeCode: 4401}, "connection-lost"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := diagnosis.Classify(tt.obs); got != tt.want {
				t.Errorf("Classify(%+v) = %s, want %s", tt.obs, got, tt.want)
			}
		})
	}
}

func ptr(n int) *int { return &n }

func contains(s, sub string) bool {
	return strings.Contains(s, sub)
}
