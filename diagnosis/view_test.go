package diagnosis_test

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lsports/defendcheck/diagnosis"
)

// allStatuses are the step states, each of which the view must name.
var allStatuses = []diagnosis.StepStatus{
	diagnosis.StepPending, diagnosis.StepRunning, diagnosis.StepOK, diagnosis.StepWarning,
	diagnosis.StepFailed, diagnosis.StepSkipped, diagnosis.StepNotReached,
}

func TestViewStepForEveryStatus(t *testing.T) {
	marks := map[string]diagnosis.StepStatus{}
	for _, st := range allStatuses {
		s := diagnosis.Step{Name: diagnosis.StepHandshake, Status: st, MS: 42, Detail: "d"}
		v := diagnosis.ViewStep(s)
		ended := st == diagnosis.StepOK || st == diagnosis.StepWarning || st == diagnosis.StepFailed
		if wantTime := map[bool]string{true: "42 ms", false: ""}[ended]; v.Time != wantTime {
			t.Errorf("%s: Time %q, want %q", st, v.Time, wantTime)
		}
		// The mark carries the status in words, not only as a sign.
		if !strings.Contains(v.Mark, strings.ReplaceAll(string(st), "-", " ")) {
			t.Errorf("%s: mark %q does not name the status", st, v.Mark)
		}
		if other, dup := marks[v.Mark]; dup {
			t.Errorf("%s and %s share the mark %q", st, other, v.Mark)
		}
		marks[v.Mark] = st
		if v.Name != s.Name || v.Status != st || v.Detail != "d" {
			t.Errorf("%s: view %+v lost the step's facts", st, v)
		}
	}
}

func TestStepLabelForEveryStep(t *testing.T) {
	labels := map[string]bool{}
	for _, name := range append(slices.Clone(diagnosis.StepNames), diagnosis.StepHold) {
		l := diagnosis.StepLabel(name)
		if l == "" || l == name || labels[l] {
			t.Errorf("step %s: label %q is empty, the protocol's name or another step's", name, l)
		}
		labels[l] = true
	}
	if got := diagnosis.StepLabel("unheard-of"); got != "unheard-of" {
		t.Errorf("an unknown step keeps its name, got %q", got)
	}
}

// TestViewForEveryKind renders the view of every row of the table, with
// and without a token, and checks what every reader is told.
func TestViewForEveryKind(t *testing.T) {
	target := diagnosis.Target{Origin: "https://rms.example.com:8443", Path: "/rms-socket/socket.io"}
	for _, e := range diagnosis.Table {
		for _, token := range []bool{false, true} {
			r := &diagnosis.Result{Kind: e.Kind, Verdict: e.Verdict, Target: target, Token: sent(token), Attempts: 1,
				Steps: []diagnosis.Step{{Name: diagnosis.StepHandshake, Status: diagnosis.StepFailed, MS: 7}}}
			r.ITHandoff = diagnosis.Handoff(r)
			v := diagnosis.NewView(r)
			name := string(e.Kind)
			want := map[diagnosis.Verdict]string{diagnosis.OK: "Working", diagnosis.Warning: "Warning", diagnosis.Error: "Problem"}[e.Verdict]
			if v.State != want || v.Announce != want+": "+e.Title || v.Title != e.Title {
				t.Errorf("%s: state %q, announce %q; want %q and %q", name, v.State, v.Announce, want, want+": "+e.Title)
			}
			if v.Kind != string(e.Verdict)+" · "+name {
				t.Errorf("%s: kind line %q", name, v.Kind)
			}
			checkRows(t, name, v, r.Entry(), token)
			if (v.Handoff != "") != (r.Entry().Owner == diagnosis.OwnerCustomerIT) {
				t.Errorf("%s: hand-off %q for owner %q", name, v.Handoff, r.Entry().Owner)
			}
			if len(v.Steps) != 1 || v.Steps[0].Time != "7 ms" || v.Target != target.String() || v.Attempts != "1" {
				t.Errorf("%s: steps %+v, target %q, attempts %q", name, v.Steps, v.Target, v.Attempts)
			}
		}
	}
}

// checkRows checks the verdict's list: every row in order, the table's
// first rows from the entry, none repeating the title, and of what was
// seen only the token, when one was sent.
func checkRows(t *testing.T, name string, v diagnosis.View, e diagnosis.Entry, token bool) {
	t.Helper()
	if len(v.Rows) != len(diagnosis.RowNames) {
		t.Fatalf("%s: %d rows, want %d", name, len(v.Rows), len(diagnosis.RowNames))
	}
	for i, row := range v.Rows {
		if row.Name != diagnosis.RowNames[i] {
			t.Errorf("%s: row %d is %q, want %q", name, i, row.Name, diagnosis.RowNames[i])
		}
		if row.Text != "" && strings.EqualFold(row.Text, e.Title) {
			t.Errorf("%s: row %s repeats the title", name, row.Name)
		}
	}
	if e.Meaning != "" && v.Rows[1].Text == "" && v.Rows[0].Text == "" {
		t.Errorf("%s: neither reason nor meaning is shown", name)
	}
	for _, row := range v.Rows[5:] {
		if row.Name == "token" && token {
			if row.Text != "Sent: not a JWT, so not read." {
				t.Errorf("%s: token row %q for an opaque token sent", name, row.Text)
			}
			continue
		}
		if row.Text != "" {
			t.Errorf("%s: row %s says %q with nothing seen", name, row.Name, row.Text)
		}
	}
}

func TestViewCodeLine(t *testing.T) {
	n := func(i int) *int { return &i }
	for _, tc := range []struct {
		r    diagnosis.Result
		want string
	}{
		{diagnosis.Result{Kind: diagnosis.KindInvalidFormat, NotSent: true}, "Not sent: caught before connecting (RMS-Socket refuses such an ID with status 400)"},
		{diagnosis.Result{Kind: diagnosis.KindNotFound, StatusCode: n(403)}, "Status 403"},
		{diagnosis.Result{Kind: diagnosis.KindAuthorizationRevoked, CloseCode: n(4403)}, "WebSocket close code 4403"},
		{diagnosis.Result{Kind: diagnosis.KindUnknownStatus, StatusCode: n(502), CloseCode: n(1006)}, "Status 502, close code 1006"},
		{diagnosis.Result{Kind: diagnosis.KindTimeout}, "No status or close code"},
	} {
		if got := diagnosis.NewView(&tc.r).Code; got != tc.want {
			t.Errorf("%s: code line %q, want %q", tc.r.Kind, got, tc.want)
		}
	}
}

func TestViewRowsOfWhatWasSeen(t *testing.T) {
	reach := diagnosis.ReachNetwork
	skew := int64(10 * 60 * 1000)
	closedAt, code := 42, 1006
	r := &diagnosis.Result{Kind: diagnosis.KindOK, Verdict: diagnosis.OK, Attempts: 1,
		Token:        sent(true),
		Reachability: &reach, ClockSkewMS: &skew,
		Hold: &diagnosis.Hold{RequestedS: 60, HeldS: 42, ClosedAtS: &closedAt, CloseCode: &code, Events: 1}}
	rows := map[string]string{}
	for _, row := range diagnosis.NewView(r).Rows {
		rows[row.Name] = row.Text
	}
	for name, want := range map[string]string{
		"reach": diagnosis.Sentence(reach.Text()),
		"token": "Sent: not a JWT, so not read.",
		"clock": "This computer's clock is " + diagnosis.SkewText(10*60e9),
		"hold":  "Closed 42 s into a 60 s hold, close code 1006, 1 event received.",
	} {
		if !strings.HasPrefix(rows[name], want) {
			t.Errorf("row %s: %q, want it to start with %q", name, rows[name], want)
		}
	}
	if r.Token, r.Attempts = nil, 0; diagnosis.NewView(r).Rows[6].Text != "" {
		t.Error("a token row without a token")
	}
}

// TestReportShowsTheViewsStepTimes: the report and the page (which shows
// the view) give a step the same time, a running one none.
func TestReportShowsTheViewsStepTimes(t *testing.T) {
	r := &diagnosis.Result{Kind: diagnosis.KindOK, Verdict: diagnosis.OK, Steps: []diagnosis.Step{
		{Name: diagnosis.StepJoin, Status: diagnosis.StepOK, MS: 12},
		{Name: diagnosis.StepHold, Status: diagnosis.StepRunning, MS: 3456},
	}}
	report := diagnosis.Report(r)
	if !strings.Contains(report, "  join         ok             12 ms") {
		t.Errorf("report lacks the join's 12 ms:\n%s", report)
	}
	if strings.Contains(report, "3456") || !strings.Contains(report, "  hold         running            -") {
		t.Errorf("a running step has no time yet, in the report as on the page:\n%s", report)
	}
}

// sent is the Token of a result whose attempts carried an opaque token,
// or nil for none.
func sent(token bool) *diagnosis.Token {
	if !token {
		return nil
	}
	return &diagnosis.Token{Format: diagnosis.TokenOpaque}
}

// TestTokenSentOnlyWhenAnAttemptCarriedIt: a token typed for an ID caught
// before connecting, or a check the budget stopped, was never sent, and
// the report and the result's JSON say so.
func TestTokenSentOnlyWhenAnAttemptCarriedIt(t *testing.T) {
	for _, tc := range []struct {
		attempts int
		token    bool
		want     bool
	}{{0, true, false}, {1, true, true}, {3, false, false}} {
		r := &diagnosis.Result{Kind: diagnosis.KindInvalidFormat, NotSent: tc.attempts == 0, Attempts: tc.attempts, Token: sent(tc.token)}
		if r.TokenSent() != tc.want {
			t.Errorf("%d attempts, token %v: TokenSent() %v", tc.attempts, tc.token, r.TokenSent())
		}
		b, err := json.Marshal(r)
		if err != nil || !strings.Contains(string(b), `"tokenSent":`+strconv.FormatBool(tc.want)) || !strings.Contains(string(b), `"kind":"invalid-format"`) {
			t.Errorf("JSON %s (%v) lacks tokenSent %v or the other fields", b, err, tc.want)
		}
		if got := diagnosis.Report(r); strings.Contains(got, "Access token:  sent") == !tc.want {
			t.Errorf("%d attempts, token %v: the report says:\n%s", tc.attempts, tc.token, got)
		}
	}
}

func TestEventsInWords(t *testing.T) {
	for n, want := range map[int]string{0: "0 events", 1: "1 event", 2: "2 events"} {
		if got := diagnosis.Events(n); got != want {
			t.Errorf("Events(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestHolding(t *testing.T) {
	steps := []diagnosis.Step{{Name: diagnosis.StepStaysOpen, Status: diagnosis.StepOK},
		{Name: diagnosis.StepHold, Status: diagnosis.StepRunning, Detail: "held 12 s of 60 s, 1 event"}}
	if d, ok := diagnosis.Holding(steps); !ok || d != "Held 12 s of 60 s, 1 event." {
		t.Errorf("holding: %q %v", d, ok)
	}
	steps[1].Status = diagnosis.StepOK
	if _, ok := diagnosis.Holding(steps); ok {
		t.Error("a hold that ended is still holding")
	}
}

// TestSupportLinkWhenTheFixIsLSports: the support URL is offered where
// LSports support owns the fix, and the report names it.
func TestSupportLinkWhenTheFixIsLSports(t *testing.T) {
	const u = "https://support.example.com/defend"
	for kind, want := range map[diagnosis.Kind]string{diagnosis.KindAccountInactive: u, diagnosis.KindNotFound: ""} {
		r := &diagnosis.Result{Kind: kind, SupportURL: u}
		if got := diagnosis.NewView(r).Support; got != want {
			t.Errorf("%s: support link %q, want %q", kind, got, want)
		}
		if report := diagnosis.Report(r); !strings.Contains(report, "Support:       "+u) {
			t.Errorf("%s: the report lacks the support line:\n%s", kind, report)
		}
	}
}
