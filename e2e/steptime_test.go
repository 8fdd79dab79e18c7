package e2e

import (
	"strings"
	"testing"
)

// TestReportAndPageShowTheSameStepTimes: the steps on the page and in the
// support report come from one view, so they give every step the same
// time, and a step that never ran none in either ("-" in the report).
func TestReportAndPageShowTheSameStepTimes(t *testing.T) {
	ctx := tab(t)
	open(t, ctx, "")
	for _, tc := range []struct {
		id            string
		timed, untime int // at least this many steps with and without a time
	}{{"12345", 7, 0}, {"403", 3, 3}} {
		check(t, ctx, 0, tc.id, "")
		// The result and the list, read at once.
		seen := eval[struct {
			Result result            `json:"result"`
			Page   map[string]string `json:"page"`
		}](t, ctx, `({result: window.defendcheck.result, page: Object.fromEntries([...document.querySelectorAll("#steps li")].map(
			(li) => [li.dataset.step, li.querySelector(".step-ms").textContent]))})`)
		res, page := seen.Result, seen.Page
		report := reportStepTimes(res.Report)
		if len(page) != len(res.Steps) || len(report) != len(res.Steps) {
			t.Fatalf("%s: %d steps on the page, %d in the report, %d in the result:\npage %v\n%s",
				tc.id, len(page), len(report), len(res.Steps), page, res.Report)
		}
		timed, untimed := 0, 0
		for _, s := range res.Steps {
			want := page[s.Name]
			if want == "" {
				want = "-"
				untimed++
			} else {
				timed++
			}
			if report[s.Name] != want {
				t.Errorf("%s: step %s (%s): the page shows %q, the report %q", tc.id, s.Name, s.Status, page[s.Name], report[s.Name])
			}
		}
		if timed < tc.timed || untimed < tc.untime {
			t.Errorf("%s: %d steps with a time, %d without; want at least %d and %d: page %v", tc.id, timed, untimed, tc.timed, tc.untime, page)
		}
	}
}

// reportStepTimes reads the time column of the report's "Steps:" block:
// "12 ms", or "-" for none.
func reportStepTimes(report string) map[string]string {
	times := map[string]string{}
	_, block, _ := strings.Cut(report, "\nSteps:\n")
	for _, line := range strings.Split(block, "\n") {
		f := strings.Fields(line)
		if !strings.HasPrefix(line, "  ") || len(f) < 3 {
			break
		}
		times[f[0]] = f[2]
		if f[2] != "-" && len(f) > 3 {
			times[f[0]] += " " + f[3]
		}
	}
	return times
}
