package diagnosis_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lsports/defendcheck/diagnosis"
)

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func jwtOf(header, payload string) string { return b64(header) + "." + b64(payload) + ".c2ln" }

func TestReadToken(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	hdr := `{"alg":"RS256","typ":"JWT"}`
	for _, tt := range []struct {
		name, token string
		want        string // JSON of the Token, or "null"
	}{
		{"none", "", "null"},
		{"valid", jwtOf(hdr, `{"exp":1795868400,"iat":1795866600}`),
			`{"format":"jwt","expiresAt":"2026-11-28T12:20:00Z","issuedAt":"2026-11-28T11:50:00Z","expired":false,"secondsLeft":1200}`},
		{"expired", jwtOf(hdr, `{"exp":1795865400}`),
			`{"format":"jwt","expiresAt":"2026-11-28T11:30:00Z","issuedAt":null,"expired":true,"secondsLeft":-1800}`},
		{"expires exactly now", jwtOf(hdr, `{"exp":1795867200}`),
			`{"format":"jwt","expiresAt":"2026-11-28T12:00:00Z","issuedAt":null,"expired":true,"secondsLeft":0}`},
		{"fractional exp", jwtOf(hdr, `{"exp":1795867200.5}`),
			`{"format":"jwt","expiresAt":"2026-11-28T12:00:00Z","issuedAt":null,"expired":false,"secondsLeft":0}`},
		{"padded parts", b64(hdr) + "==." + b64(`{"exp":1795867260}`) + "=.sig",
			`{"format":"jwt","expiresAt":"2026-11-28T12:01:00Z","issuedAt":null,"expired":false,"secondsLeft":60}`},
		{"no exp", jwtOf(hdr, `{"sub":"12345"}`), `{"format":"jwt","expiresAt":null,"issuedAt":null,"expired":false,"secondsLeft":null}`},
		{"exp not a number", jwtOf(hdr, `{"exp":"tomorrow","iat":true}`), `{"format":"jwt","expiresAt":null,"issuedAt":null,"expired":false,"secondsLeft":null}`},
		{"huge exp", jwtOf(hdr, `{"exp":1e300,"iat":-5}`), `{"format":"jwt","expiresAt":null,"issuedAt":null,"expired":false,"secondsLeft":null}`},
		{"exp past year 9999", jwtOf(hdr, `{"exp":253402300800}`), `{"format":"jwt","expiresAt":null,"issuedAt":null,"expired":false,"secondsLeft":null}`},
		{"opaque", "0123456789abcdef", `{"format":"opaque","expiresAt":null,"issuedAt":null,"expired":false,"secondsLeft":null}`},
		{"two parts", b64(hdr) + "." + b64(`{"exp":1}`), `{"format":"opaque","expiresAt":null,"issuedAt":null,"expired":false,"secondsLeft":null}`},
		{"header without alg", jwtOf(`{"typ":"JWT"}`, `{"exp":1795868400}`), `{"format":"opaque","expiresAt":null,"issuedAt":null,"expired":false,"secondsLeft":null}`},
		{"payload not JSON", b64(hdr) + ".!!!.sig", `{"format":"opaque","expiresAt":null,"issuedAt":null,"expired":false,"secondsLeft":null}`},
		{"payload an array", jwtOf(hdr, `[1,2]`), `{"format":"opaque","expiresAt":null,"issuedAt":null,"expired":false,"secondsLeft":null}`},
		{"payload null", jwtOf(hdr, `null`), `{"format":"opaque","expiresAt":null,"issuedAt":null,"expired":false,"secondsLeft":null}`},
		{"too long to be a token", jwtOf(hdr, `{"exp":1795868400,"x":"`+strings.Repeat("a", 20000)+`"}`), `{"format":"opaque","expiresAt":null,"issuedAt":null,"expired":false,"secondsLeft":null}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(diagnosis.ReadToken(tt.token, now))
			if err != nil || string(got) != tt.want {
				t.Errorf("ReadToken = %s, %v\nwant %s", got, err, tt.want)
			}
		})
	}
}

func TestClockSkew(t *testing.T) {
	date, err := diagnosis.ParseHTTPDate("Sat, 28 Nov 2026 12:00:00 GMT")
	if err != nil || !date.Equal(time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)) {
		t.Fatalf("ParseHTTPDate = %v, %v", date, err)
	}
	for _, bad := range []string{"", "2026-11-28T12:00:00Z", "Sat, 28 Nov 2026 12:00:00 PST", "yesterday"} {
		if _, err := diagnosis.ParseHTTPDate(bad); err == nil {
			t.Errorf("ParseHTTPDate(%q) accepted", bad)
		}
	}
	for _, tt := range []struct {
		sent, received time.Time
		want           time.Duration
		text           string
	}{
		// The server's second 12:00:00 is taken as 12:00:00.5.
		{date.Add(400 * time.Millisecond), date.Add(600 * time.Millisecond), 0, "within 30 s of the server's"},
		{date.Add(35*time.Minute + 100*time.Millisecond), date.Add(35*time.Minute + 300*time.Millisecond), 35*time.Minute - 300*time.Millisecond, "35 min 0 s ahead of the server's"},
		{date.Add(-2 * time.Hour), date.Add(-2*time.Hour + time.Second), -2 * time.Hour, "2 h 0 min behind the server's"},
		{date.Add(31 * time.Second), date.Add(31 * time.Second), 30500 * time.Millisecond, "31 s ahead of the server's"},
	} {
		got, ok := diagnosis.ClockSkew(tt.sent, tt.received, date, 0)
		if got != tt.want || !ok {
			t.Errorf("ClockSkew(%s, %s) = %s, want %s", tt.sent.Format(time.StampMilli), tt.received.Format(time.StampMilli), got, tt.want)
		}
		if text := diagnosis.SkewText(got); text != tt.text {
			t.Errorf("SkewText(%s) = %q, want %q", got, text, tt.text)
		}
	}
	// A cache's answer: Date is as old as its Age says.
	now := date.Add(10 * time.Minute)
	if got, ok := diagnosis.ClockSkew(now, now, date, 10*time.Minute); !ok || got != -500*time.Millisecond {
		t.Errorf("a cached answer 10 min old: skew %s %v, want -0.5s (the Date header's truncation)", got, ok)
	}
	// Absurd headers are not believed, and nothing overflows.
	for _, bad := range []struct {
		date time.Time
		age  time.Duration
	}{
		{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), 0},
		{time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), 0},
		{date.Add(-400 * 24 * time.Hour), 0},
		{date, -time.Second},
		{date, 1 << 62},
	} {
		if got, ok := diagnosis.ClockSkew(date, date, bad.date, bad.age); ok {
			t.Errorf("Date %s Age %s: skew %s accepted", bad.date, bad.age, got)
		}
	}
}

// TestHandoffForTheNetworksFixesOnly: every kind whose fix is the customer
// network's gets a hand-off naming the target's host, port, scheme and
// path, what to allow and what the check saw; no other kind gets one.
func TestHandoffForTheNetworksFixesOnly(t *testing.T) {
	network := map[diagnosis.Kind]bool{
		diagnosis.KindTimeout: true, diagnosis.KindUnreachable: true, diagnosis.KindMissingHeader: true,
		diagnosis.KindPollingOnly: true, diagnosis.KindConnectionLost: true, diagnosis.KindNotEngineIO: true,
		diagnosis.KindRefusedByGateway: true,
	}
	for _, target := range []diagnosis.Target{
		{Origin: "https://rms.lsports.eu", Path: "/rms-socket/socket.io"},
		{Origin: "http://10.1.2.3:8080", Path: "/custom"},
	} {
		for _, k := range allKinds {
			reach := diagnosis.ReachCORSBlocked
			r := &diagnosis.Result{Kind: k, Target: target, RunID: "dc-test-2", Timestamp: "2026-11-28T12:00:00Z", CustomerID: "12345",
				Messages: []string{"handshake: TypeError: Failed to fetch"}, Reachability: &reach, Token: sent(true), Attempts: 1,
				Steps: []diagnosis.Step{{Name: "handshake", Status: diagnosis.StepFailed, MS: 10012, Detail: "no answer within 10s"}}}
			h := diagnosis.Handoff(r)
			if (h != nil) != network[k] {
				t.Errorf("%s at %s: hand-off %v, want one: %v", k, target, h != nil, network[k])
				continue
			}
			if h == nil {
				continue
			}
			wants := []string{"Host:      " + target.Host(), "Port:      " + target.Port() + " (TCP)", "Path:      " + target.Path + "/",
				"customerid and Authorization request headers", "Upgrade and Connection", "idle timeout",
				"handshake failed after 10012 ms", "Failed to fetch", "cors-blocked", "dc-test-2", "2026-11-28T12:00:00Z",
				"curl -v -H 'customerid: 12345' '" + target.Origin + target.Path + "/?EIO=4&transport=polling'"}
			if target.Scheme() == "https" {
				wants = append(wants, "Port:      443 (TCP)", "wss://rms.lsports.eu:443/rms-socket/socket.io/", "no TLS inspection (SSL interception) for rms.lsports.eu")
			} else {
				wants = append(wants, "ws://10.1.2.3:8080/custom/", "Scheme:    http, then ws")
			}
			for _, want := range wants {
				if !strings.Contains(*h, want) {
					t.Errorf("%s at %s: hand-off lacks %q:\n%s", k, target, want, *h)
				}
			}
			if target.Scheme() == "http" && strings.Contains(*h, "TLS") {
				t.Errorf("%s at %s: hand-off asks about TLS for an http target", k, target)
			}
		}
	}
}

// TestAdviceNamesTheTargetAndNeverRepeats: with a target, no advice
// mentions port 443 for another port or leaves a placeholder; and what the
// page shows (title, then the rows without what was said) repeats no
// sentence, for every kind, with and without a token.
func TestAdviceNamesTheTargetAndNeverRepeats(t *testing.T) {
	target := diagnosis.Target{Origin: "http://127.0.0.1:9090", Path: "/rms-socket/socket.io"}
	for _, k := range allKinds {
		for _, token := range []bool{false, true} {
			r := &diagnosis.Result{Kind: k, Target: target, Token: sent(token), Attempts: 1}
			e := r.Entry()
			texts := []string{e.Reason, e.Meaning, e.Resolution, e.Owner, e.Troubleshooting}
			all := strings.Join(append([]string{e.Title}, texts...), " ")
			if strings.ContainsAny(all, "{}") || strings.Contains(all, "443") || strings.Contains(all, "the host on") {
				t.Errorf("%s (token %v): advice does not name the target: %q", k, token, all)
			}
			shown := diagnosis.Unrepeated(e.Title, texts)
			seen := map[string]string{}
			for _, s := range append([]string{e.Title}, shown...) {
				for _, sentence := range strings.SplitAfter(s, ". ") {
					key := strings.ToLower(strings.Trim(sentence, " .:"))
					if key == "" {
						continue
					}
					if prev, ok := seen[key]; ok {
						t.Errorf("%s (token %v): %q is said twice (%q, %q)", k, token, sentence, prev, s)
					}
					seen[key] = s
				}
			}
		}
	}
	// The seed's 402: Contact LSports support once.
	e := (&diagnosis.Result{Kind: diagnosis.KindAccountInactive}).Entry()
	shown := diagnosis.Unrepeated(e.Title, []string{e.Reason, e.Meaning, e.Resolution, e.Owner, e.Troubleshooting})
	if n := strings.Count(strings.Join(shown, " "), "Contact LSports support"); n != 1 {
		t.Errorf("402 shows Contact LSports support %d times: %q", n, shown)
	}
}

func TestUnrepeated(t *testing.T) {
	got := diagnosis.Unrepeated("Connection timeout: no answer", []string{
		"Connection timeout",
		"Check connectivity; whitelist WSS port 443 for rms.lsports.eu",
		"Connection timeout: network or firewall issues. Check connectivity and whitelist rms.lsports.eu on port 443.",
		"Check connectivity.",
	})
	want := []string{"", "Check connectivity; whitelist WSS port 443 for rms.lsports.eu", "Network or firewall issues. Check connectivity and whitelist rms.lsports.eu on port 443.", ""}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Unrepeated =\n%q\nwant\n%q", got, want)
	}
}

// TestRedactEveryEcho: the token is redacted however a server echoes it:
// as sent; in JSON as Go and as JavaScript write it; URL-escaped as Go's
// url package and JavaScript's encodeURIComponent do; HTML-escaped with
// decimal, hexadecimal or named entities; in base64; and for a JWT, any of
// its three parts alone. Clean quotes nothing before it redacts.
func TestRedactEveryEcho(t *testing.T) {
	const tok = `Ab"c<d>&e'f\gSECRET1234/+=`
	echoes := []string{
		tok,
		`Ab\"c\u003cd\u003e\u0026e'f\\gSECRET1234/+=`,    // Go json.Marshal
		`Ab\"c<d>&e'f\\gSECRET1234/+=`,                   // JSON.stringify
		`Ab\"c<d>&e'f\\gSECRET1234\/+=`,                  // PHP json_encode
		`Ab%22c%3Cd%3E%26e%27f%5CgSECRET1234%2F%2B%3D`,   // url.QueryEscape
		`Ab%22c%3Cd%3E&e%27f%5CgSECRET1234%2F+=`,         // url.PathEscape
		`Ab%22c%3Cd%3E%26e'f%5CgSECRET1234%2F%2B%3D`,     // encodeURIComponent
		`Ab&#34;c&lt;d&gt;&amp;e&#39;f\gSECRET1234/+=`,   // html.EscapeString
		`Ab&quot;c&lt;d&gt;&amp;e&#x27;f\gSECRET1234/+=`, // Python html.escape
		`Ab&quot;c&lt;d&gt;&amp;e&apos;f\gSECRET1234/+=`, // XML
		base64.StdEncoding.EncodeToString([]byte(tok)),
	}
	for _, echo := range echoes {
		got := diagnosis.Clean("denied: "+echo+" (end)", tok)
		if strings.Contains(got, "SECRET") || strings.Contains(got, base64.StdEncoding.EncodeToString([]byte(tok))[:20]) || got != "denied: [redacted] (end)" {
			t.Errorf("echo %s: Clean kept %q", echo, got)
		}
	}
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSIsImV4cCI6MX0.c2lnbmF0dXJlLXNlY3JldA"
	parts := strings.Split(jwt, ".")
	for _, echo := range []string{parts[0] + "." + parts[1], parts[2], parts[1] + "." + parts[2]} {
		if got := diagnosis.Clean("token "+echo, jwt); strings.Contains(got, parts[2]) || strings.Contains(got, parts[1]) {
			t.Errorf("part of a JWT %s: Clean kept %q", echo, got)
		}
	}
}

// TestExpiredTokenRefusedByAGatewayIsNotTheNetworks: a gateway's 401 with
// an expired token is the token's fault: the developers own it, and the
// network team gets no hand-off.
func TestExpiredTokenRefusedByAGatewayIsNotTheNetworks(t *testing.T) {
	exp, left := "2026-11-28T11:00:00Z", int64(-3600)
	r := &diagnosis.Result{Kind: diagnosis.KindRefusedByGateway, Attempts: 1, Target: diagnosis.Target{Origin: "https://rms.lsports.eu", Path: "/rms-socket/socket.io"},
		Token: &diagnosis.Token{Format: diagnosis.TokenJWT, ExpiresAt: &exp, Expired: true, SecondsLeft: &left}}
	if e := r.Entry(); e.Owner != diagnosis.OwnerCustomerDev || !strings.Contains(e.Troubleshooting, "had expired at 2026-11-28T11:00:00Z, 1 h 0 min before") {
		t.Errorf("owner %q, troubleshooting %q", e.Owner, e.Troubleshooting)
	}
	if h := diagnosis.Handoff(r); h != nil {
		t.Errorf("an expired token got an IT hand-off:\n%s", *h)
	}
	r.Token.Expired, left = false, 600
	if diagnosis.Handoff(r) == nil {
		t.Error("a gateway's refusal of a valid token (a web filter, perhaps) lost its IT hand-off")
	}
}

// TestNoJargonInTheVerdict: what the page shows before "Technical
// details" says what happened in a customer's words: no protocol or
// library terms (the report and the technical details keep them).
func TestNoJargonInTheVerdict(t *testing.T) {
	for _, k := range allKinds {
		for _, token := range []bool{false, true} {
			e := (&diagnosis.Result{Kind: k, Token: sent(token), Attempts: 1}).Entry()
			for _, text := range []string{e.Title, e.Reason, e.Meaning, e.Resolution, e.Owner, e.Troubleshooting} {
				for _, jargon := range []string{"Engine.IO", "namespace", "connect_error", "Socket.IO", "maxPayload", "handshake",
					"whitelist", "backoff", "CORS", "extraHeaders", "ARENA360", "TLS-inspecting"} {
					if strings.Contains(strings.ToLower(text), strings.ToLower(jargon)) {
						t.Errorf("%s (token %v): %q says %q", k, token, text, jargon)
					}
				}
			}
		}
	}
}
