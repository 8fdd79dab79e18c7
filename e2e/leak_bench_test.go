package e2e

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// BenchmarkHundredChecksInOnePage runs 100 checks of mixed outcomes in one
// tab and prints, after the first check and every tenth, the page's
// goroutines, its open WebSockets and the event listeners on the window,
// the document and every element. The page keeps to RMS-Socket's 10
// connections per minute, so this takes about ten minutes:
//
//	go test ./e2e -run '^$' -bench HundredChecks -benchtime 1x -timeout 30m
func BenchmarkHundredChecksInOnePage(b *testing.B) {
	var open atomic.Int64
	ctx := tabWithin(b, 25*time.Minute, chromedp.WithListener(func(ev any) {
		switch ev.(type) {
		case *network.EventWebSocketCreated:
			open.Add(1)
		case *network.EventWebSocketClosed:
			open.Add(-1)
		}
	}))
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		b.Fatal(err)
	}
	do(b, ctx, chromedp.Navigate(pageURL))
	waitState(b, ctx, "ready")
	const listeners = `[window, document, ...document.querySelectorAll("*")].reduce((n, el) =>
		n + Object.values(getEventListeners(el)).reduce((m, l) => m + l.length, 0), 0)`
	ids := []string{"12345", "402", "4401", "1006", "403"}
	type sample struct{ check, goroutines, websockets, listeners int }
	var first, last sample
	for i := 1; i <= 100; i++ {
		waitFor(b, ctx, `!document.getElementById("check").disabled`, 2*time.Minute)
		eval[string](b, ctx, `document.getElementById("customer-id").value = "`+ids[i%len(ids)]+`"`)
		do(b, ctx, chromedp.Click(chromedp.CSS("#check")))
		waitFor(b, ctx, `document.documentElement.dataset.state === "done" && window.defendcheck.result.runId !== window.__lastRun`, time.Minute)
		eval[string](b, ctx, `window.__lastRun = window.defendcheck.result.runId`)
		if i == 1 || i%10 == 0 {
			// Sample with the page idle: the countdown of a spent budget
			// over, the last connection closed.
			waitFor(b, ctx, `!document.getElementById("check").disabled`, 2*time.Minute)
			do(b, ctx, chromedp.Sleep(2*time.Second))
			n, err := chromedp.Run(ctx, chromedp.EvaluateAsDevTools[int](listeners))
			if err != nil {
				b.Fatal(err)
			}
			s := sample{i, eval[int](b, ctx, `window.defendcheck.goroutines()`), int(open.Load()), n}
			fmt.Printf("after check %3d: %d goroutines, %d open WebSockets, %d event listeners\n", s.check, s.goroutines, s.websockets, s.listeners)
			if i == 1 {
				first = s
			}
			last = s
		}
	}
	if last.goroutines > first.goroutines || last.websockets > first.websockets || last.listeners > first.listeners {
		b.Errorf("grew from %+v after the first check to %+v after 100", first, last)
	}
}
