package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// timelineJS is the last check's timeline, in ms from its click: each
// request (fetch start, response start and end) and each data-state mark.
const timelineJS = `(() => {
  const clicks = window.__marks.filter(m => m[0] === "click");
  const t0 = clicks[clicks.length - 1][1];
  const rows = [];
  for (const e of performance.getEntriesByType("resource")) {
    if (e.startTime < t0) continue;
    const u = new URL(e.name);
    rows.push([e.startTime - t0, e.initiatorType + " " + u.pathname + u.search.slice(0, 40) +
      " response " + (e.responseStart - t0).toFixed(1) + ".." + (e.responseEnd - t0).toFixed(1)]);
  }
  for (const m of performance.getEntriesByType("mark")) if (m.startTime >= t0) rows.push([m.startTime - t0, "perf " + m.name]);
  for (const m of window.__marks) if (m[1] >= t0) rows.push([m[1] - t0, "mark " + m[0]]);
  rows.sort((a, b) => a[0] - b[0]);
  return rows.map(r => r[0].toFixed(1).padStart(7) + "  " + r[1]).join("\n");
})()`

// BenchmarkRefusalTimeline prints, for ours and the peer, the timeline of
// a tab's first and second refusal (402): where between the requests the
// page spends its time. Ours is clicked idle seconds after ready, so that
// work the page does once when idle is done by then.
//
//	go test ./e2e -run '^$' -bench RefusalTimeline -benchtime 1x
func BenchmarkRefusalTimeline(b *testing.B) {
	pages := map[string]string{"ours": pageURL, "peer": servePeer(b)}
	var out strings.Builder
	for _, who := range []string{"ours", "peer"} {
		ctx := benchTab(b, true)
		do(b, ctx, chromedp.Navigate(pages[who]))
		benchWait(b, ctx, markJS("ready")+` >= 0`, 100*time.Second)
		time.Sleep(time.Second)
		for i := 1; i <= 2; i++ {
			benchWait(b, ctx, `!document.getElementById("check").disabled`, 2*time.Minute)
			n := eval[int](b, ctx, `window.__marks.length`)
			eval[string](b, ctx, `document.getElementById("customer-id").value = "402"`)
			do(b, ctx, chromedp.Click(chromedp.CSS("#check")))
			benchWait(b, ctx, fmt.Sprintf(`window.__marks.slice(%d).some(m => m[0] === "done")`, n), 60*time.Second)
			time.Sleep(300 * time.Millisecond) // the close's requests
			fmt.Fprintf(&out, "%s, refusal %d:\n%s\n", who, i, eval[string](b, ctx, timelineJS))
		}
		closeTab(ctx)
	}
	fmt.Print(out.String())
}
