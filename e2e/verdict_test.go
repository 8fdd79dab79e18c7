package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/chromedp"
)

// viewport is a screen size the page must work at.
type viewport struct{ w, h int64 }

func (v viewport) String() string { return fmt.Sprintf("%dx%d", v.w, v.h) }

// viewports: a small phone and a laptop.
var viewports = []viewport{{360, 740}, {1280, 800}}

// sizedTab opens a tab at the viewport's size.
func sizedTab(t *testing.T, v viewport) context.Context {
	t.Helper()
	ctx := tab(t)
	do(t, ctx, chromedp.EmulateViewport(v.w, v.h))
	return ctx
}

// screenshot saves what the viewport shows as name.png and the whole page
// as name-full.png in $DEFENDCHECK_SCREENSHOTS, if set, for a person to
// look at.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("DEFENDCHECK_SCREENSHOTS")
	if dir == "" {
		return
	}
	for _, s := range []struct {
		file string
		shot chromedp.Action[[]byte]
	}{
		{name + ".png", chromedp.CaptureScreenshot()}, // first: the full one may scroll
		{name + "-full.png", chromedp.FullScreenshot(100)},
	} {
		png, err := chromedp.Run(ctx, s.shot)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, s.file), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// verdictView is what a person sees of the verdict once a check is done.
type verdictView struct {
	Heading  string   `json:"heading"`
	Active   string   `json:"active"`
	Top      float64  `json:"top"`
	Bottom   float64  `json:"bottom"`
	Height   float64  `json:"height"`
	Visible  []string `json:"visible"`  // the verdict's texts shown outside the technical details
	Details  string   `json:"details"`  // the technical details' text
	Open     bool     `json:"open"`     // whether they are open
	Status   string   `json:"status"`   // the status region's text
	Live     int      `json:"live"`     // live regions in the verdict: none, the status region says it
	CopyNear bool     `json:"copyNear"` // Copy report is inside the verdict
}

const readVerdict = `(() => {
  const h = document.getElementById("verdict-heading"), r = h.getBoundingClientRect();
  const v = document.getElementById("verdict"), d = document.getElementById("verdict-details");
  const visible = [document.getElementById("verdict-title").textContent,
    ...[...v.querySelectorAll(":scope > dl dd")].filter(dd => dd.checkVisibility()).map(dd => dd.textContent)];
  return {
    heading: h.textContent, active: document.activeElement ? document.activeElement.id : "",
    top: r.top, bottom: r.bottom, height: innerHeight, visible,
    details: d.textContent, open: d.open,
    status: document.getElementById("check-status").textContent,
    live: v.querySelectorAll("[aria-live]").length + (v.hasAttribute("aria-live") ? 1 : 0),
    copyNear: v.contains(document.getElementById("copy")) && v.contains(document.getElementById("download")),
  };
})()`

// TestVerdictIsShownAndFocused: after a check, at a phone's and a laptop's
// size, the verdict heading is in view and has the focus; it starts with
// the state in words; the status region says the same; no text is shown
// twice; the codes are in the closed technical details.
func TestVerdictIsShownAndFocused(t *testing.T) {
	cases := []struct {
		name, id, kind, word string
		target               int
	}{
		{"402", "402", "account-inactive", "Problem", targetSim},
		{"12345", "12345", "ok", "Working", targetSim},
		{"1006", "1006", "polling-only", "Warning", targetSim},
		{"204", "204", "no-messages", "Warning", targetSim},
		{"403", "403", "not-found", "Problem", targetSim},
		{"429", "429", "rate-limited", "Problem", targetSim},
		{"stripped", "12345", "missing-header", "Problem", targetStripper},
		{"gateway-502", "12345", "unknown-status", "Problem", targetGateway},
	}
	for _, v := range viewports {
		for _, c := range cases {
			t.Run(v.String()+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				ctx := sizedTab(t, v)
				open(t, ctx, "")
				res := check(t, ctx, c.target, c.id, "")
				if res.Kind != c.kind {
					t.Fatalf("kind %s, want %s", res.Kind, c.kind)
				}
				waitFor(t, ctx, `document.activeElement && document.activeElement.id === "verdict-heading"`, 5*time.Second)
				got := eval[verdictView](t, ctx, readVerdict)
				if got.Top < 0 || got.Bottom > got.Height {
					t.Errorf("the verdict heading is at y %.0f..%.0f, outside the %.0f px viewport", got.Top, got.Bottom, got.Height)
				}
				if !strings.HasPrefix(got.Heading, c.word+": ") {
					t.Errorf("heading %q, want it to start with %q", got.Heading, c.word+": ")
				}
				if got.Status != got.Heading {
					t.Errorf("the status region says %q, want the heading %q", got.Status, got.Heading)
				}
				if got.Live != 0 {
					t.Errorf("%d live regions in the verdict: the status region announces it, once", got.Live)
				}
				if !got.CopyNear {
					t.Error("Copy report and Download are not with the verdict")
				}
				seen := map[string]bool{}
				for _, s := range got.Visible {
					k := strings.Map(func(r rune) rune { // letters and digits: "customerid" repeats "customer ID"
						if unicode.IsLetter(r) || unicode.IsDigit(r) {
							return unicode.ToLower(r)
						}
						return -1
					}, s)
					if seen[k] {
						t.Errorf("%q is shown twice in the verdict", s)
					}
					seen[k] = true
				}
				if got.Open || !strings.Contains(got.Details, res.Verdict+" · "+res.Kind) || !strings.Contains(got.Details, "/rms-socket/socket.io") {
					t.Errorf("technical details (open %v): %q, want closed, with %s · %s and the endpoint's URL", got.Open, got.Details, res.Verdict, res.Kind)
				}
				for _, s := range got.Visible {
					if strings.Contains(s, res.Kind) {
						t.Errorf("the kind %q is shown outside the technical details: %q", res.Kind, s)
					}
				}
				screenshot(t, ctx, "verdict-"+c.name+"-"+v.String())
			})
		}
	}
}

// TestVerdictEmptySubmitClearsThePreviousCheck: a submit with no ID after a
// check takes the check off the page and out of the result, and marks the
// field; a valid submit takes the mark away, and so does fixing the field.
func TestVerdictEmptySubmitClearsThePreviousCheck(t *testing.T) {
	ctx := tab(t)
	open(t, ctx, "")
	check(t, ctx, targetSim, "402", "")

	eval[string](t, ctx, `document.getElementById("customer-id").value = ""`)
	do(t, ctx, chromedp.Click(chromedp.CSS("#check")))
	waitFor(t, ctx, `document.documentElement.dataset.state === "ready" && window.defendcheck.result === null`, 10*time.Second)
	type cleared struct {
		Verdict, Steps, Report bool
		StepRows               int
		ReportText             string
		Invalid                string
		Error                  string
		ErrorShown             bool
		DescribedBy            string
		Active                 string
	}
	got := eval[cleared](t, ctx, `(() => {
  const f = document.getElementById("customer-id"), e = document.getElementById("customer-id-error");
  return {
    Verdict: !document.getElementById("verdict").hidden,
    Steps: !document.getElementById("progress-section").hidden,
    Report: !document.getElementById("report-section").hidden,
    StepRows: document.getElementById("steps").children.length,
    ReportText: document.getElementById("report").textContent,
    Invalid: f.getAttribute("aria-invalid") || "",
    Error: e.textContent, ErrorShown: e.checkVisibility(),
    DescribedBy: f.getAttribute("aria-describedby") || "",
    Active: document.activeElement ? document.activeElement.id : "",
  };
})()`)
	if got.Verdict || got.Steps || got.Report || got.StepRows != 0 || got.ReportText != "" {
		t.Errorf("after an empty submit: verdict shown %v, steps shown %v (%d rows), report shown %v (%q)",
			got.Verdict, got.Steps, got.StepRows, got.Report, got.ReportText)
	}
	if got.Invalid != "true" || !got.ErrorShown || !strings.Contains(got.Error, "Enter your customer ID") {
		t.Errorf("field: aria-invalid %q, error shown %v: %q", got.Invalid, got.ErrorShown, got.Error)
	}
	if !strings.Contains(" "+got.DescribedBy+" ", " customer-id-error ") || got.Active != "customer-id" {
		t.Errorf("aria-describedby %q, focus on #%s: want the error tied to the focused field", got.DescribedBy, got.Active)
	}

	// A valid submit (the value set without typing, so no input event
	// helps) takes the mark away.
	recheck(t, ctx, "402")
	fieldClean := `!document.getElementById("customer-id").hasAttribute("aria-invalid") &&
  document.getElementById("customer-id-error").hidden && document.getElementById("customer-id-error").textContent === ""`
	if !eval[bool](t, ctx, fieldClean) {
		t.Error("the field error stayed after a valid submit")
	}

	// A badly typed ID is a field error too, with the check's verdict; typing
	// a valid ID removes it.
	res := recheck(t, ctx, "12ab")
	if res.Kind != "invalid-format" {
		t.Fatalf("kind %s for 12ab", res.Kind)
	}
	waitFor(t, ctx, `document.activeElement && document.activeElement.id === "customer-id"`, 5*time.Second)
	if got := eval[string](t, ctx, `document.getElementById("customer-id").getAttribute("aria-invalid") + " " + document.getElementById("customer-id-error").textContent`); !strings.HasPrefix(got, "true Use digits only") {
		t.Errorf("after 12ab: aria-invalid and error %q", got)
	}
	do(t, ctx, chromedp.KeyEvent("\b"))
	if eval[bool](t, ctx, fieldClean) {
		t.Error("the field error went away while the field still holds a letter")
	}
	do(t, ctx, chromedp.KeyEvent("\b"))
	waitFor(t, ctx, fieldClean, 5*time.Second)
}

// recheck runs another check in a tab that has done one: it sets the field
// (without typing) and clicks Check, and waits for a result of a new run.
func recheck(t *testing.T, ctx context.Context, customerID string) result {
	t.Helper()
	eval[string](t, ctx, `window.__prevRun = window.defendcheck.result ? window.defendcheck.result.runId : ""`)
	eval[string](t, ctx, `document.getElementById("customer-id").value = `+jsString(customerID))
	do(t, ctx, chromedp.Click(chromedp.CSS("#check")))
	waitFor(t, ctx, `document.documentElement.dataset.state === "done" && window.defendcheck.result && window.defendcheck.result.runId !== window.__prevRun`, 30*time.Second)
	return published(t, ctx)
}
