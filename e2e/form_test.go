package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestLinkPrefillAndHoldOutOfRange: after a support link with the
// customer ID, the focus is on Check, so Enter runs the check; a ?hold=
// the page cannot take is said next to the hold list, which stays off,
// and the error goes once a check starts with what the list holds.
func TestLinkPrefillAndHoldOutOfRange(t *testing.T) {
	ctx := tab(t)
	open(t, ctx, "?customerid=12345&hold=5000")
	if got := eval[string](t, ctx, `document.activeElement.id`); got != "check" {
		t.Errorf("after a ?customerid= link the focus is on #%s, want #check", got)
	}
	msg := eval[string](t, ctx, `(() => { const e = document.getElementById("hold-error"); return e.hidden ? "" : e.textContent })()`)
	if !strings.Contains(msg, "5000") || !strings.Contains(msg, "900 seconds") {
		t.Errorf("#hold-error says %q, want the refused 5000 and the longest hold, 900 seconds", msg)
	}
	if got := eval[string](t, ctx, `document.getElementById("hold").value`); got != "0" {
		t.Errorf("the hold list holds %q after a refused ?hold=, want 0 (off)", got)
	}
	do(t, ctx, chromedp.KeyEvent("\r"))
	waitState(t, ctx, "done")
	if res := published(t, ctx); res.Kind != "ok" || res.CustomerID != "12345" {
		t.Errorf("Enter after the link gave %s for %q, want ok for 12345", res.Kind, res.CustomerID)
	}
	if hidden := eval[bool](t, ctx, `document.getElementById("hold-error").hidden`); !hidden {
		t.Error("the hold error is still shown after a check with the list's value")
	}
}

// supportURL is the page's -support-url in these tests.
const supportURL = "https://support.example.com/defend"

// TestSupportLink: where LSports support owns the fix (402), "Contact
// LSports support" links to the server's -support-url and the report
// names it; where the customer's developers do (403), no link.
func TestSupportLink(t *testing.T) {
	ctx := tab(t)
	open(t, ctx, "")
	for id, shown := range map[string]bool{"402": true, "403": false} {
		res := check(t, ctx, 0, id, "")
		visible := eval[bool](t, ctx, `!document.getElementById("verdict-support").hidden`)
		href := eval[string](t, ctx, `document.getElementById("verdict-support-link").href`)
		if visible != shown || shown && href != supportURL {
			t.Errorf("%s: support link shown %v (%q), want %v", id, visible, href, shown)
		}
		if !strings.Contains(res.Report, "Support:       "+supportURL) {
			t.Errorf("%s: the report lacks the support line:\n%s", id, res.Report)
		}
	}
}
