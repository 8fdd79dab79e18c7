package e2e

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// axeFile is axe-core's browser bundle, installed from
// e2e/testdata/axe/package-lock.json.
var axeFile = filepath.Join("testdata", "axe", "node_modules", "axe-core", "axe.min.js")

// axeSource returns axe-core's script. Without it the test fails: the
// accessibility checks are part of the suite, never skipped.
func axeSource(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(axeFile)
	if err != nil {
		t.Fatalf("axe-core is not installed (%v): run `npm ci --prefix e2e/testdata/axe`", err)
	}
	return string(b)
}

// axeViolation is one failed rule of axe.run, with the elements it failed on.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// axeTab opens a tab at the viewport's size that ignores the page's CSP,
// so that axe-core can be injected; only these tests use one.
func axeTab(t *testing.T, v viewport) context.Context {
	t.Helper()
	ctx := sizedTab(t, v)
	if _, err := chromedp.Call(ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// assertNoAxeViolations injects axe-core into the page as it is now and
// fails the test for each violation it reports.
func assertNoAxeViolations(t *testing.T, ctx context.Context, src, where string) {
	t.Helper()
	if !eval[bool](t, ctx, `typeof window.axe === "object"`) {
		eval[bool](t, ctx, src+"\n;true")
	}
	vs := eval[[]axeViolation](t, ctx, `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations)`)
	for _, v := range vs {
		var nodes []string
		for _, n := range v.Nodes {
			nodes = append(nodes, fmt.Sprintf("%v: %s", n.Target, strings.ReplaceAll(n.Summary, "\n", " ")))
		}
		t.Errorf("%s: axe-core %s (%s): %s\n\t%s", where, v.ID, v.Impact, v.Help, strings.Join(nodes, "\n\t"))
	}
}

// TestA11yAxe runs axe-core on the ready page and on the page done with a
// refused check (402), its technical details closed and open, at a phone's
// and a laptop's size: no violations.
func TestA11yAxe(t *testing.T) {
	src := axeSource(t)
	for _, v := range viewports {
		t.Run(v.String(), func(t *testing.T) {
			t.Parallel()
			ctx := axeTab(t, v)
			open(t, ctx, "")
			assertNoAxeViolations(t, ctx, src, "ready page")
			screenshot(t, ctx, "ready-"+v.String())

			res := check(t, ctx, targetSim, "402", "")
			if res.Kind != "account-inactive" {
				t.Fatalf("kind %s, want account-inactive", res.Kind)
			}
			assertNoAxeViolations(t, ctx, src, "done page")
			eval[bool](t, ctx, `document.getElementById("verdict-details").open = true`)
			assertNoAxeViolations(t, ctx, src, "done page, technical details open")
		})
	}
}

// focusRing is the focused element's outline and what is behind it.
type focusRing struct {
	ID     string `json:"id"`
	Style  string `json:"style"`
	Width  string `json:"width"`
	Color  string `json:"color"`
	Behind string `json:"behind"` // the first opaque background among the element's ancestors
}

const readFocusRing = `(() => {
  const el = document.activeElement, cs = getComputedStyle(el);
  let behind = "rgb(255, 255, 255)";
  for (let p = el.parentElement; p; p = p.parentElement) {
    const bg = getComputedStyle(p).backgroundColor;
    if (bg !== "transparent" && !bg.startsWith("rgba(0, 0, 0, 0")) { behind = bg; break; }
  }
  return {id: el.id || el.tagName.toLowerCase(), style: cs.outlineStyle, width: cs.outlineWidth, color: cs.outlineColor, behind};
})()`

// TestA11yFocusRings tabs through every control of the done page with the
// keyboard and requires a solid focus ring at least 2 px wide with 3:1
// contrast against what surrounds it (WCAG 2.2, 1.4.11 and 2.4.7).
func TestA11yFocusRings(t *testing.T) {
	ctx := tab(t)
	open(t, ctx, "")
	check(t, ctx, targetSim, "402", "")
	waitFor(t, ctx, `document.activeElement && document.activeElement.id === "verdict-heading"`, 5*time.Second)
	// From the first control, one Tab at a time, until the focus leaves
	// the page's last control.
	eval[bool](t, ctx, `document.getElementById("customer-id").focus(), true`)
	seen := map[string]bool{}
	for i := 0; i < 30; i++ {
		if i > 0 {
			do(t, ctx, chromedp.KeyEvent("\t"))
		}
		r := eval[focusRing](t, ctx, readFocusRing)
		if r.ID == "body" || seen[r.ID] {
			break
		}
		seen[r.ID] = true
		c := contrast(t, r.Color, r.Behind)
		width, err := strconv.ParseFloat(strings.TrimSuffix(r.Width, "px"), 64)
		if err != nil {
			t.Errorf("#%s: outline width %q", r.ID, r.Width)
		}
		if r.Style != "solid" || width < 2 || c < 3 {
			t.Errorf("#%s: focus ring %s %s %s on %s, contrast %.1f:1, want solid, 2 px or more, 3:1", r.ID, r.Style, r.Width, r.Color, r.Behind, c)
		}
	}
	for _, id := range []string{"customer-id", "token", "target", "check", "copy", "download", "summary", "report"} {
		if !seen[id] {
			t.Errorf("Tab never reached #%s (reached %v)", id, seen)
		}
	}
}

// contrast is the WCAG contrast ratio of two CSS rgb() colours.
func contrast(t *testing.T, a, b string) float64 {
	t.Helper()
	la, lb := luminance(t, a), luminance(t, b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

func luminance(t *testing.T, css string) float64 {
	t.Helper()
	var r, g, b float64
	var alpha float64 = 1
	if _, err := fmt.Sscanf(css, "rgb(%g, %g, %g)", &r, &g, &b); err != nil {
		if _, err := fmt.Sscanf(css, "rgba(%g, %g, %g, %g)", &r, &g, &b, &alpha); err != nil || alpha != 1 {
			t.Fatalf("colour %q: want an opaque rgb()", css)
		}
	}
	lin := func(c float64) float64 {
		c /= 255
		if c <= 0.03928 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}
