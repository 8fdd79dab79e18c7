package diagnosis_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/pages"
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
	nginx := diagnosis.NameAnswer(502, pages.Nginx502, "")
	squid := diagnosis.NameAnswer(403, pages.SquidDeny, "")
	// The kinds an answer in RMS-Socket's place can select.
	inPlace := []diagnosis.Kind{diagnosis.KindUnknownStatus, diagnosis.KindServerError, diagnosis.KindRefusedByGateway, diagnosis.KindNotEngineIO}
	each := func(owner string, kinds []diagnosis.Kind) map[diagnosis.Kind]string {
		m := map[diagnosis.Kind]string{}
		for _, k := range kinds {
			m[k] = owner
		}
		return m
	}
	proxied := append([]diagnosis.Kind{diagnosis.KindUnreachable}, inPlace...)
	tunnel := []diagnosis.Kind{diagnosis.KindUnreachable}
	facts := []struct {
		name           string
		reached, joins bool
		reach          diagnosis.Reachability
		never          []string // in the rows a reader sees
		owner          map[diagnosis.Kind]string
		by             *diagnosis.Answerer // what answered in RMS-Socket's place
		kinds          []diagnosis.Kind    // the kinds the fact can come with; nil: all
	}{
		{"joined", true, true, diagnosis.ReachOK,
			[]string{"did not join", "not joined", "extraheaders", "add customerid"},
			map[diagnosis.Kind]string{diagnosis.KindNoMessages: diagnosis.OwnerNobody}, nil, nil},
		{"reached, never connected", true, false, diagnosis.ReachOK,
			[]string{"extraheaders", "add customerid", "firewall may drop"},
			map[diagnosis.Kind]string{diagnosis.KindTimeout: diagnosis.OwnerLSports}, nil, nil},
		{"nothing answered", false, false, diagnosis.ReachNetwork,
			[]string{"extraheaders", "answered without", "did not let this page read", "cors"}, nil, nil, nil},
		{"answered, not readable", false, false, diagnosis.ReachCORSBlocked,
			[]string{"extraheaders", "nothing at", "does not resolve"}, nil, nil, nil},
		{"a gateway in front of RMS-Socket answered", false, false, diagnosis.ReachOK,
			[]string{"your it", "your network", "proxy or web filter", "find who answered", "if the answer is your proxy", "rms-socket reported", "something"},
			each(diagnosis.OwnerLSports, inPlace), &nginx, inPlace},
		{"this computer's proxy answered", false, false, diagnosis.ReachOK,
			[]string{"lsports support", "find who answered", "access token sent", "gateway in front", "rms-socket reported", "something", "nothing at"},
			each(diagnosis.OwnerCustomerIT, proxied), &squid, proxied},
		{"the proxy refused the tunnel", false, false, diagnosis.ReachRefused,
			[]string{"lsports support", "nothing at", "nothing listens", "something"},
			each(diagnosis.OwnerCustomerIT, tunnel), &diagnosis.Answerer{Proxy: true, Status: 403}, tunnel},
	}
	for _, f := range facts {
		for _, e := range diagnosis.Table {
			if f.kinds != nil && !slices.Contains(f.kinds, e.Kind) {
				continue
			}
			// With and without a token: the token's advice must not bring
			// a contradiction back.
			for _, token := range []*diagnosis.Token{nil, {Format: diagnosis.TokenOpaque}} {
				r := seen(e.Kind, f.reached, f.joins, f.reach)
				r.AnsweredBy, r.Token = f.by, token
				got := r.Entry()
				if want, ok := f.owner[e.Kind]; ok && got.Owner != want {
					t.Errorf("%s, %s, token %v: owner %q, want %q", e.Kind, f.name, token != nil, got.Owner, want)
				}
				shown := strings.ToLower(strings.Join([]string{got.Title, got.Meaning, got.Resolution, got.Owner, got.Troubleshooting, diagnosis.ReachText(r)}, " "))
				for _, never := range f.never {
					if strings.Contains(shown, never) {
						t.Errorf("%s, %s, token %v: the advice says %q:\n%s", e.Kind, f.name, token != nil, never, shown)
					}
				}
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
