package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/lsports/defendcheck/internal/eventually"
)

func TestCopyPutsTheExactReportOnTheClipboard(t *testing.T) {
	ctx := tab(t)
	open(t, ctx, "")
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name},
			Setting:    browser.PermissionSettingGranted,
			Origin:     strings.TrimSuffix(pageURL, "/"),
		}); err != nil {
			t.Fatal(err)
		}
	}
	res := check(t, ctx, targetSim, "403", "")
	do(t, ctx, chromedp.Click(chromedp.CSS("#copy")))
	waitFor(t, ctx, `document.getElementById("copy-status").textContent !== ""`, 10*time.Second)
	if got := text(t, ctx, "copy-status"); got != "Copied to the clipboard." {
		t.Fatalf("copy confirmation %q", got)
	}
	if got := eval[string](t, ctx, `navigator.clipboard.readText()`); got != res.Report {
		t.Errorf("clipboard holds:\n%s\nwant the report:\n%s", got, res.Report)
	}
}

func TestDownloadSavesTheReport(t *testing.T) {
	ctx := tab(t)
	open(t, ctx, "")
	dir := t.TempDir()
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir,
	}); err != nil {
		t.Fatal(err)
	}
	res := check(t, ctx, targetSim, "1001", "")
	do(t, ctx, chromedp.Click(chromedp.CSS("#download")))
	want := filepath.Join(dir, "defendcheck-"+res.RunID+".txt")
	var got []byte
	var err error
	if !eventually.True(15*time.Second, 50*time.Millisecond, func() bool {
		got, err = os.ReadFile(want)
		return err == nil && string(got) == res.Report
	}) {
		entries, _ := os.ReadDir(dir)
		t.Fatalf("no %s with the report (read: %v; folder has %v)", want, err, entries)
	}
}

// TestTokenNeverLeaks types a token and looks for it everywhere the page
// and the servers could have put it.
func TestTokenNeverLeaks(t *testing.T) {
	const token = "eyJhbGciOiJIUzI1NiJ9.e2e-secret-token.c2lnbmF0dXJl"
	ctx := tab(t)
	open(t, ctx, "?customerid=4401")
	res := check(t, ctx, targetSim, "", token)
	if res.Kind != "auth-failed-after-upgrade" {
		t.Fatalf("kind %s", res.Kind)
	}
	if !strings.Contains(res.Report, "Access token:  sent (not shown") {
		t.Errorf("the report does not say a token was sent:\n%s", res.Report)
	}
	// Token advice is for a check that sent one (the 4401 case of
	// TestEveryOutcome sends none and is told so).
	if got := text(t, ctx, "verdict-troubleshooting"); !strings.Contains(got, "tokens live 30 minutes") {
		t.Errorf("a 4401 with a token sent: #verdict-troubleshooting %q lacks the token advice", got)
	}
	places := map[string]string{
		"report":         res.Report,
		"result":         eval[string](t, ctx, `JSON.stringify(window.defendcheck.result)`),
		"URL":            eval[string](t, ctx, `location.href`),
		"localStorage":   eval[string](t, ctx, `JSON.stringify(Object.entries(localStorage))`),
		"sessionStorage": eval[string](t, ctx, `JSON.stringify(Object.entries(sessionStorage))`),
		"cookies":        eval[string](t, ctx, `document.cookie`),
		"page text":      eval[string](t, ctx, `document.body.innerText`),
		"simulator log":  simLog.String(),
	}
	for where, s := range places {
		if strings.Contains(s, token) || strings.Contains(s, "e2e-secret-token") {
			t.Errorf("the token is in the %s", where)
		}
	}
	if !strings.Contains(simLog.String(), "customer_id=4401 customer_id_present=true authorization=present") {
		t.Errorf("the simulator did not receive the Authorization header:\n%s", simLog.String())
	}
}

// TestRateLimitCountdown: after a 429 the page waits a minute before it
// allows another check, and says so.
func TestRateLimitCountdown(t *testing.T) {
	ctx := tab(t)
	open(t, ctx, "")
	res := check(t, ctx, targetHTTP429, "12345", "")
	if res.Kind != "rate-limited" || !strings.Contains(strings.Join(res.Messages, " "), "HTTP 429 on GET") {
		t.Fatalf("got %s %q", res.Kind, res.Messages)
	}
	// The countdown is in the verdict, where the reader is.
	waitFor(t, ctx, `document.getElementById("verdict-wait").textContent.includes("You can check again in")`, 5*time.Second)
	if !eval[bool](t, ctx, `document.getElementById("check").disabled`) {
		t.Error("the Check button is enabled during the countdown")
	}
	if inside := eval[bool](t, ctx, `document.getElementById("verdict").contains(document.getElementById("verdict-wait")) && !document.getElementById("verdict-wait").hidden`); !inside {
		t.Error("the countdown is not shown inside the verdict")
	}
	first := text(t, ctx, "verdict-wait")
	waitFor(t, ctx, `document.getElementById("verdict-wait").textContent !== `+jsString(first), 5*time.Second)
	if !strings.Contains(first, "in 60 s") && !strings.Contains(first, "in 59 s") {
		t.Errorf("countdown starts at %q, want about 60 s", first)
	}
}

// TestLayoutFitsAPhone checks the page at 360 px wide: nothing may force a
// horizontal scroll, with a long report shown.
func TestLayoutFitsAPhone(t *testing.T) {
	ctx := tab(t)
	do(t, ctx, chromedp.EmulateViewport(360, 740))
	open(t, ctx, "")
	check(t, ctx, targetSim, "1006", "")
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 360 {
		t.Errorf("the page is %d px wide in a 360 px viewport", w)
	}
	if dir := os.Getenv("DEFENDCHECK_SCREENSHOTS"); dir != "" {
		for _, width := range []int64{360, 1280} {
			do(t, ctx, chromedp.EmulateViewport(width, 900))
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "page-"+strings.TrimSpace(itoa(width))+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
