package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/scenario"
)

// TestEveryOutcome runs every case of package scenario (every row of the
// simulator's table, and the misbehaving targets) through the page: type,
// click, wait for done, then check the verdict, the codes, the text shown
// and the report.
func TestEveryOutcome(t *testing.T) {
	for _, tt := range scenario.Cases {
		t.Run(tt.Name, func(t *testing.T) {
			t.Parallel()
			ctx := tab(t)
			open(t, ctx, "")
			before := time.Now().Truncate(time.Second)
			res := check(t, ctx, int(tt.Server), tt.CustomerID, "")
			after := time.Now()

			if diff := tt.Mismatch(res.outcome()); diff != "" {
				t.Fatalf("%s\nreport:\n%s", diff, res.Report)
			}
			if res.CustomerID != tt.CustomerID {
				t.Errorf("customerId %q, want %q", res.CustomerID, tt.CustomerID)
			}
			ts, err := time.Parse(time.RFC3339, res.Timestamp)
			if err != nil || ts.Before(before) || ts.After(after) {
				t.Errorf("timestamp %q (%v) is not within the run [%s, %s]", res.Timestamp, err, before.Format(time.RFC3339), after.Format(time.RFC3339))
			}
			if len(res.Steps) != len(diagnosis.StepNames) {
				t.Errorf("%d steps, want %d", len(res.Steps), len(diagnosis.StepNames))
			}

			pageStepsTellTheTruth(t, ctx, res, tt)
			e := pageShowsTheEntry(t, ctx, res, tt)
			reportCarries(t, res, tt, e.Reason)
		})
	}
}

// pageShowsTheEntry: what the page shows is the view of the published
// result (diagnosis.NewView, as natively): the mapping table's row for the
// kind, which it returns, with the advice for what this check saw (no
// token is sent here, a case without an attempt is an ID not sent, a
// check that joined is not told to join), naming the target's own host and
// port, a sentence said once not said again. #report is the result's
// report.
func pageShowsTheEntry(t *testing.T, ctx context.Context, res result, tt scenario.Case) diagnosis.Entry {
	t.Helper()
	var dr diagnosis.Result
	if err := json.Unmarshal([]byte(eval[string](t, ctx, `JSON.stringify(window.defendcheck.result)`)), &dr); err != nil {
		t.Fatal(err)
	}
	if dr.NotSent != (tt.Attempts == 0) || dr.TokenSent() {
		t.Errorf("notSent %v, tokenSent %v, for %d attempts without a token", dr.NotSent, dr.TokenSent(), tt.Attempts)
	}
	v := diagnosis.NewView(&dr)
	shown := map[string]string{"verdict-title": v.Title, "verdict-code": v.Code, "verdict-documented": v.Documented}
	for _, row := range v.Rows {
		shown["verdict-"+row.Name] = row.Text
	}
	for id, want := range shown {
		if got := text(t, ctx, id); got != want {
			t.Errorf("#%s shows %q, want %q", id, got, want)
		}
	}
	if got := eval[string](t, ctx, `document.getElementById("verdict").dataset.verdict`); got != string(tt.Verdict) {
		t.Errorf("#verdict data-verdict %q", got)
	}
	// The check joined: a silent room is nobody's fault, and no one is
	// told to join.
	if owner := text(t, ctx, "verdict-owner"); tt.Kind == diagnosis.KindNoMessages && owner != diagnosis.OwnerNobody {
		t.Errorf("no messages after a join: owner %q, want %q", owner, diagnosis.OwnerNobody)
	}
	if got := text(t, ctx, "report"); got != res.Report {
		t.Errorf("#report shows something else than result.report:\n%s", got)
	}
	return dr.Entry()
}

// reportCarries: the support report carries what support needs (reason
// is the entry's, as the page shows it), and every message.
func reportCarries(t *testing.T, res result, tt scenario.Case, reason string) {
	t.Helper()
	for _, want := range []string{
		"Run ID:        " + res.RunID,
		"Customer ID:   " + tt.CustomerID,
		"Timestamp:     " + res.Timestamp,
		"(" + string(tt.Kind) + ")",
		"Reason:        " + reason,
		"Status code:   ",
		"Close code:    " + orDash(scenario.Code(tt.CloseCode)),
		"Target:        http://127.0.0.1:",
		"/rms-socket/socket.io",
		fmt.Sprintf("Attempts:      %d", tt.Attempts),
		"Checked from:  Mozilla/5.0",
		"Checker:       defendcheck " + diagnosis.Version,
	} {
		if !strings.Contains(res.Report, want) {
			t.Errorf("report lacks %q:\n%s", want, res.Report)
		}
	}
	for _, m := range res.Messages {
		if !strings.Contains(res.Report, m) {
			t.Errorf("report lacks the message %q", m)
		}
	}
	if tt.Kind != diagnosis.KindOK && tt.Kind != diagnosis.KindInvalidFormat && len(res.Messages) == 0 && tt.Kind != diagnosis.KindNoMessages {
		t.Errorf("a failure with no message")
	}
}

// pageStepsTellTheTruth: the page's step rows show the result's statuses;
// no step after a failed one is ok; an error verdict has a failed step;
// and a close after the connect (4401, ...) is the failed last step.
func pageStepsTellTheTruth(t *testing.T, ctx context.Context, res result, tt scenario.Case) {
	t.Helper()
	shown := eval[[]string](t, ctx, `[...document.querySelectorAll("#steps li")].map(li => li.dataset.status)`)
	failed := ""
	for i, s := range res.Steps {
		if len(shown) != len(res.Steps) || shown[i] != s.Status {
			t.Errorf("the page shows step statuses %q, the result %+v", shown, res.Steps)
			break
		}
	}
	for _, s := range res.Steps {
		if failed != "" && s.Status == string(diagnosis.StepOK) {
			t.Errorf("step %s is ok after %s failed: %+v", s.Name, failed, res.Steps)
		}
		if failed == "" && s.Status == string(diagnosis.StepFailed) {
			failed = s.Name
		}
	}
	if tt.Verdict == diagnosis.Error && failed == "" {
		t.Errorf("no step failed under an error verdict: %+v", res.Steps)
	}
	if tt.CloseCode != nil && tt.Transport == "websocket" {
		if last := res.Steps[len(res.Steps)-1]; last.Name != diagnosis.StepStaysOpen || last.Status != string(diagnosis.StepFailed) {
			t.Errorf("a close %d after the connect: last step %s %s, want %s failed", *tt.CloseCode, last.Name, last.Status, diagnosis.StepStaysOpen)
		}
	}
}

func orDash(s string) string {
	if s == "null" {
		return "-"
	}
	return s
}

func TestNotSentIDShowsThe400Row(t *testing.T) {
	ctx := tab(t)
	open(t, ctx, "")
	before := strings.Count(simLog.String(), "connection attempt")
	res := check(t, ctx, targetSim, "12-34", "")
	if res.Kind != "invalid-format" || res.StatusCode != nil {
		t.Fatalf("got %s %s", res.Kind, scenario.Code(res.StatusCode))
	}
	if got := text(t, ctx, "verdict-code"); got != "Not sent: caught before connecting (RMS-Socket refuses such an ID with status 400)" {
		t.Errorf("#verdict-code %q", got)
	}
	if after := strings.Count(simLog.String(), "connection attempt"); after != before {
		t.Errorf("an invalid ID reached the server")
	}
}

func TestServerStringsAreShownAsText(t *testing.T) {
	ctx := tab(t)
	open(t, ctx, "")
	res := check(t, ctx, targetHTML, "12345", "")
	if !strings.Contains(res.Report, scenario.HTMLMessage) {
		t.Fatalf("the refusal message is not in the report verbatim:\n%s", res.Report)
	}
	if eval[bool](t, ctx, `document.getElementById("injected") !== null || document.title === "pwned"`) {
		t.Error("a server string was parsed as HTML")
	}
}

func TestTrimmedIDAndEmptyPrompt(t *testing.T) {
	ctx := tab(t)
	open(t, ctx, "")
	do(t, ctx, chromedp.Click(chromedp.CSS("#check")))
	waitFor(t, ctx, `!document.getElementById("customer-id-error").hidden`, 10*time.Second)
	if got := text(t, ctx, "customer-id-error"); !strings.Contains(got, "Enter your customer ID") {
		t.Errorf("empty ID prompt %q", got)
	}
	if s := eval[string](t, ctx, `document.documentElement.dataset.state`); s != "ready" {
		t.Errorf("an empty ID changed the state to %q", s)
	}
	res := check(t, ctx, targetSim, "  402 ", "")
	if res.CustomerID != "402" || res.Kind != "account-inactive" || !strings.Contains(res.Report, "402 (surrounding whitespace removed)") {
		t.Errorf("got %q %s\n%s", res.CustomerID, res.Kind, res.Report)
	}
	if !eval[bool](t, ctx, `document.getElementById("customer-id-error").hidden`) {
		t.Error("the empty-ID prompt stayed visible after a valid check")
	}
}

func TestPrefillFromSupportPortalLinkDoesNotStartACheck(t *testing.T) {
	ctx := tab(t)
	open(t, ctx, "?customerid=777001")
	if got := eval[string](t, ctx, `document.getElementById("customer-id").value`); got != "777001" {
		t.Fatalf("customer ID field %q, want the prefilled 777001", got)
	}
	// Give an unwanted automatic check time to show, then require none.
	do(t, ctx, chromedp.Sleep(time.Second))
	if s := eval[string](t, ctx, `document.documentElement.dataset.state`); s != "ready" {
		t.Errorf("state %q after load, want ready until the user clicks", s)
	}
	if strings.Contains(simLog.String(), "customer_id=777001") {
		t.Error("the prefilled ID was sent without a click")
	}
	res := check(t, ctx, targetSim, "", "") // the field keeps the prefill; nothing typed
	if res.CustomerID != "777001" || res.Kind != "ok" {
		t.Errorf("got %q %s", res.CustomerID, res.Kind)
	}
}
