package diagnosis_test

import (
	"strings"
	"testing"

	"github.com/lsports/defendcheck/diagnosis"
)

// seen builds a result of kind k whose steps and probe show what a check
// saw: the handshake's answer, the join, and the probe's reachability.
func seen(k diagnosis.Kind, reached, joined bool, reach diagnosis.Reachability) *diagnosis.Result {
	status := func(ok bool) diagnosis.StepStatus {
		if ok {
			return diagnosis.StepOK
		}
		return diagnosis.StepNotReached
	}
	r := &diagnosis.Result{Kind: k, Verdict: diagnosis.Lookup(k).Verdict, Attempts: 1,
		Target: diagnosis.Target{Origin: "https://rms.example.com", Path: "/rms-socket/socket.io"},
		Steps: []diagnosis.Step{
			{Name: diagnosis.StepHandshake, Status: status(reached)},
			{Name: diagnosis.StepJoin, Status: status(joined)},
		}}
	if reach != "" {
		r.Reachability = &reach
	}
	return r
}

// TestAdviceNeverContradictsWhatWasSeen: for every kind and each fact
// that can change its advice, the rows a reader sees (meaning, what to
// change, owner, troubleshooting) never contradict the check: no "emit
// join" after it joined, no "add the header" after it sent it, no network
// advice when the network answered, no "something answered" when nothing
// did. The docs' own words stay, as the documented row.
func TestAdviceNeverContradictsWhatWasSeen(t *testing.T) {
	facts := []struct {
		name           string
		reached, joins bool
		reach          diagnosis.Reachability
		never          []string // in the rows a reader sees
		owner          map[diagnosis.Kind]string
	}{
		{"joined", true, true, diagnosis.ReachOK,
			[]string{"did not join", "not joined", "extraheaders", "add customerid"},
			map[diagnosis.Kind]string{diagnosis.KindNoMessages: diagnosis.OwnerNobody}},
		{"reached, never connected", true, false, diagnosis.ReachOK,
			[]string{"extraheaders", "add customerid", "firewall may drop"},
			map[diagnosis.Kind]string{diagnosis.KindTimeout: diagnosis.OwnerLSports}},
		{"nothing answered", false, false, diagnosis.ReachNetwork,
			[]string{"extraheaders", "answered without", "did not let this page read", "cors"}, nil},
		{"answered, not readable", false, false, diagnosis.ReachCORSBlocked,
			[]string{"extraheaders", "nothing at", "does not resolve"}, nil},
	}
	for _, f := range facts {
		for _, e := range diagnosis.Table {
			r := seen(e.Kind, f.reached, f.joins, f.reach)
			got := r.Entry()
			shown := strings.ToLower(strings.Join([]string{got.Meaning, got.Resolution, got.Owner, got.Troubleshooting}, " "))
			for _, never := range f.never {
				if strings.Contains(shown, never) {
					t.Errorf("%s, %s: the advice says %q:\n%s", e.Kind, f.name, never, shown)
				}
			}
			if want, ok := f.owner[e.Kind]; ok && got.Owner != want {
				t.Errorf("%s, %s: owner %q, want %q", e.Kind, f.name, got.Owner, want)
			}
		}
	}
}

// TestDocumentedRowStaysAsTheDocsSayIt: where our advice follows what was
// seen, the docs' row is still there, in the technical details, word for
// word.
func TestDocumentedRowStaysAsTheDocsSayIt(t *testing.T) {
	r := seen(diagnosis.KindNoMessages, true, true, diagnosis.ReachOK)
	v := diagnosis.NewView(r)
	if !strings.Contains(v.Documented, "Emit join event after connecting") {
		t.Errorf("the documented row %q lost the docs' words", v.Documented)
	}
	if report := diagnosis.Report(r); !strings.Contains(report, "Documented:    No messages received: Not joined to room: Emit join event after connecting.") {
		t.Errorf("the report lacks the documented row:\n%s", report)
	}
}
