//go:build !js

package check_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lsports/defendcheck/check"
	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/scenario"
	"github.com/lsports/defendcheck/rmssim"
)

// jwt makes an unsigned compact JWT with the claims: the checker reads
// exp and iat, it never verifies.
func jwt(claims map[string]any) string {
	part := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return part(map[string]any{"alg": "HS256", "typ": "JWT"}) + "." + part(claims) + ".c2lnbmF0dXJl"
}

// refusingTarget is a loopback port with nothing listening.
func refusingTarget(t *testing.T) diagnosis.Target {
	t.Helper()
	addr, err := scenario.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	return target("http://" + addr)
}

// TestProbeOnlyWhenNothingWasRead: the probe runs when no request got an
// answer, and says what it found; a check with an answer is reachable and
// does not probe; a check that sent nothing has no reachability.
func TestProbeOnlyWhenNothingWasRead(t *testing.T) {
	sim, _ := simulator(t)
	var probed atomic.Int32
	probe := func(_ context.Context, tgt diagnosis.Target) diagnosis.Probe {
		probed.Add(1)
		return diagnosis.Probe{Reachability: diagnosis.ReachRefused, Detail: "dial " + tgt.Host() + ": refused", Proxy: "http://proxy.example:3128"}
	}

	cfg := config(refusingTarget(t), "12345")
	cfg.Probe = probe
	res := run(t, cfg)
	if res.Kind != diagnosis.KindUnreachable || probed.Load() != 1 {
		t.Fatalf("kind %s after %d probes, want unreachable after 1", res.Kind, probed.Load())
	}
	if res.Reachability == nil || *res.Reachability != diagnosis.ReachRefused || res.Proxy != "http://proxy.example:3128" ||
		!strings.Contains(res.Report, "Reachability:  refused: the connection was refused") ||
		!strings.Contains(res.Report, "Proxy:         http://proxy.example:3128") {
		t.Errorf("the probe's finding is not in the result and report: %v %q\n%s", res.Reachability, res.Proxy, res.Report)
	}

	cfg = config(sim, "402")
	cfg.Probe = probe
	res = run(t, cfg)
	if probed.Load() != 1 || res.Reachability == nil || *res.Reachability != diagnosis.ReachOK {
		t.Errorf("a refusal was read: want reachability ok and no probe; got %v after %d probes", res.Reachability, probed.Load())
	}

	cfg = config(sim, "12ab")
	cfg.Probe = probe
	res = run(t, cfg)
	if probed.Load() != 1 || res.Reachability != nil {
		t.Errorf("an ID that is not sent makes no request: want reachability null, got %v after %d probes", res.Reachability, probed.Load())
	}
}

// TestHandoffNamesTheTarget: a failure the customer's network owns gets a
// hand-off naming the real host and port; an account problem gets none.
func TestHandoffNamesTheTarget(t *testing.T) {
	tgt := refusingTarget(t)
	res := run(t, config(tgt, "12345"))
	if res.ITHandoff == nil {
		t.Fatalf("unreachable: no IT hand-off\n%s", res.Report)
	}
	for _, want := range []string{"Host:      127.0.0.1", "Port:      " + tgt.Port() + " (TCP)", "ws://127.0.0.1:" + tgt.Port() + rmssim.Path + "/", "handshake failed after", res.RunID} {
		if !strings.Contains(*res.ITHandoff, want) {
			t.Errorf("hand-off lacks %q:\n%s", want, *res.ITHandoff)
		}
	}
	if !strings.Contains(res.Report, "For the customer's IT or network team:\n  Network access needed") {
		t.Errorf("the report does not carry the hand-off:\n%s", res.Report)
	}
	if e := res.Entry(); !strings.Contains(e.Troubleshooting, "127.0.0.1 on port "+tgt.Port()) || port443.MatchString(e.Troubleshooting) {
		t.Errorf("advice does not name the target's host and port: %q", e.Troubleshooting)
	}

	sim, _ := simulator(t)
	if res := run(t, config(sim, "402")); res.ITHandoff != nil {
		t.Errorf("account-inactive is not the network's to fix, yet has a hand-off:\n%s", *res.ITHandoff)
	}
}

// TestTokenAndClock: the token's expiry is judged by server time. The
// server's clock (as Config.Clock measures it) is 40 minutes behind this
// computer's; a token that expires 10 minutes from server time is valid,
// though by this computer's clock it expired half an hour ago; the
// timestamp is server time.
func TestTokenAndClock(t *testing.T) {
	sim, _ := simulator(t)
	skew := 40 * time.Minute
	serverNow := time.Now().Add(-skew)
	cfg := config(sim, "4401")
	cfg.Token = jwt(map[string]any{"exp": serverNow.Add(10 * time.Minute).Unix(), "iat": serverNow.Add(-20 * time.Minute).Unix(), "sub": "12345"})
	cfg.Clock = func(context.Context) diagnosis.PageServer {
		return diagnosis.PageServer{Skew: skew, SkewKnown: true, SeenFrom: "192.0.2.7"}
	}
	before := time.Now()
	res := run(t, cfg)
	if res.Token == nil || res.Token.Format != diagnosis.TokenJWT || res.Token.Expired || res.Token.SecondsLeft == nil ||
		*res.Token.SecondsLeft < 9*60 || *res.Token.SecondsLeft > 10*60 || res.Token.IssuedAt == nil {
		t.Fatalf("token %+v, want a JWT valid for about 10 more minutes by server time", res.Token)
	}
	if res.ClockSkewMS == nil || *res.ClockSkewMS != skew.Milliseconds() {
		t.Errorf("clockSkewMs %v, want %d", res.ClockSkewMS, skew.Milliseconds())
	}
	stamp, err := time.Parse(time.RFC3339, res.Timestamp)
	if err != nil || stamp.Sub(before.Add(-skew)).Abs() > 2*time.Second {
		t.Errorf("timestamp %s, want server time (about %s)", res.Timestamp, before.Add(-skew).UTC().Format(time.RFC3339))
	}
	if !strings.Contains(res.Report, "(server time: this computer's clock is off)") || !strings.Contains(res.Report, "Clock:         this computer's clock is 40 min 0 s ahead of the server's") {
		t.Errorf("the report does not say the clock is off and the time is the server's:\n%s", res.Report)
	}
	if res.SeenFrom == nil || *res.SeenFrom != "192.0.2.7" || !strings.Contains(res.Report, "Seen from:     192.0.2.7 (the address this page's server saw") {
		t.Errorf("seenFrom %v: want the page server's 192.0.2.7, in the report too:\n%s", res.SeenFrom, res.Report)
	}
	if e := res.Entry(); !strings.Contains(e.Troubleshooting, "was valid until") {
		t.Errorf("4401 with a valid token: troubleshooting %q should say the token's age is not the cause", e.Troubleshooting)
	}

	cfg.Token = jwt(map[string]any{"exp": serverNow.Add(-5 * time.Minute).Unix()})
	res = run(t, cfg)
	if res.Token == nil || !res.Token.Expired {
		t.Fatalf("token %+v, want expired by server time", res.Token)
	}
	if e := res.Entry(); !strings.Contains(e.Troubleshooting, "had expired at") || !strings.Contains(e.Resolution, "fresh access token") {
		t.Errorf("4401 with an expired token: %q / %q", e.Resolution, e.Troubleshooting)
	}
	for _, where := range []string{res.Report, strings.Join(res.Messages, " "), *res.Token.ExpiresAt} {
		if strings.Contains(where, cfg.Token) || strings.Contains(where, strings.Split(cfg.Token, ".")[1]) {
			t.Errorf("the token appears in %q", where)
		}
	}
}

// TestHoldSeesACut: customer ID 5006 is cut 5 s after join, after the
// check's verdict; a hold sees the cut, and it becomes the verdict, with
// when in the hold it came and the events before it.
func TestHoldSeesACut(t *testing.T) {
	sim, _ := simulator(t)
	cfg := config(sim, "5006")
	cfg.Hold = 10 * time.Second
	res := run(t, cfg)
	if res.Kind != diagnosis.KindConnectionLost || res.CloseCode == nil || *res.CloseCode != 1006 {
		t.Fatalf("kind %s close %v, want connection-lost 1006\n%s", res.Kind, res.CloseCode, res.Report)
	}
	h := res.Hold
	// The cut comes rmssim.CutDelay after join; the hold starts after the
	// first event and the settle watch, so a few seconds into it.
	if h == nil || h.RequestedS != 10 || h.ClosedAtS == nil || *h.ClosedAtS < 2 || *h.ClosedAtS > int(rmssim.CutDelay/time.Second) ||
		h.CloseCode == nil || *h.CloseCode != 1006 || h.Events < 1 || h.Stopped {
		t.Fatalf("hold %+v, want closed 2-5 s into a 10 s hold with code 1006 and events", h)
	}
	last := res.Steps[len(res.Steps)-1]
	if last.Name != diagnosis.StepHold || last.Status != diagnosis.StepFailed || !strings.HasPrefix(last.Detail, "cut without a close message (code 1006)") {
		t.Errorf("last step %+v, want the hold failed by the cut", last)
	}
	if !strings.Contains(res.Report, "Hold:          closed ") || res.ITHandoff == nil {
		t.Errorf("the report lacks the hold, or the cut has no hand-off:\n%s", res.Report)
	}
}

// TestHoldStaysUpAndStops: a healthy connection held 2 s stays up and
// counts its events; a Stop ends a long hold at once.
func TestHoldStaysUpAndStops(t *testing.T) {
	sim, _ := simulator(t)
	cfg := config(sim, "12345")
	cfg.Hold = 2 * time.Second
	res := run(t, cfg)
	if h := res.Hold; res.Kind != diagnosis.KindOK || h == nil || h.HeldS != 2 || h.ClosedAtS != nil || h.CloseCode != nil || h.Events < 2 || h.Stopped {
		t.Fatalf("kind %s hold %+v, want ok, held 2 s with events (one each 200 ms)", res.Kind, res.Hold)
	}
	if last := res.Steps[len(res.Steps)-1]; last.Name != diagnosis.StepHold || last.Status != diagnosis.StepOK {
		t.Errorf("last step %+v, want the hold ok", last)
	}

	stop := make(chan struct{})
	cfg.Hold, cfg.StopHold = 5*time.Minute, stop
	cfg.OnProgress = func(p check.Progress) {
		if last := p.Steps[len(p.Steps)-1]; last.Name == diagnosis.StepHold && strings.HasPrefix(last.Detail, "held 1 s of 300 s") {
			select {
			case <-stop:
			default:
				close(stop)
			}
		}
	}
	start := time.Now()
	res = run(t, cfg)
	if h := res.Hold; h == nil || !h.Stopped || h.HeldS > 10 || res.Kind != diagnosis.KindOK {
		t.Fatalf("kind %s hold %+v, want ok and stopped after about a second", res.Kind, res.Hold)
	}
	if took := time.Since(start); took > time.Minute {
		t.Errorf("a stopped 5 min hold took %s", took)
	}
}

// TestTokenWithQuotesEchoedInARefusal: a refusal that quotes a token with
// quotes, "<" and a backslash is redacted before the message is quoted.
func TestTokenWithQuotesEchoedInARefusal(t *testing.T) {
	const tok = `Ab"c<d>&e'f\gSECRET1234`
	srv := startCounted(t, &engineIO{poll: after40(connectError("token rejected: "+tok, map[string]any{"statusCode": 402, "token": tok}))})
	cfg := config(target(srv.URL), "12345")
	cfg.Token = tok
	res := run(t, cfg)
	if res.Kind != diagnosis.KindAccountInactive {
		t.Fatalf("kind %s, want account-inactive\n%s", res.Kind, res.Report)
	}
	b, _ := json.Marshal(res)
	if strings.Contains(string(b), "SECRET") || strings.Contains(res.Report, "SECRET") {
		t.Errorf("the token is in the result or report:\n%s", res.Report)
	}
	if !strings.Contains(res.Report, `connect_error: "token rejected: [redacted]" data {"statusCode":402,"token":"[redacted]"}`) {
		t.Errorf("the refusal is not shown redacted:\n%s", res.Report)
	}
}

// port443 finds advice about port 443 (not 44357).
var port443 = regexp.MustCompile(`port 443\b`)
