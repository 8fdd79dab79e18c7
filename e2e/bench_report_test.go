package e2e

import (
	"fmt"
	"slices"
	"strings"
)

// benchRow is a line of the table: a metric, what it is, and its goal if it
// has one: ours/peer at most ratio (on medians), or ours at most limit.
type benchRow struct {
	metric, label string
	ratio, limit  float64
}

// benchRows is the table in order; a metric not listed is printed after
// them under its own name.
var benchRows = []benchRow{
	{metric: "bytes", label: "bytes, cold load (as served)"},
	{metric: "wasm-bytes", label: "of which the WebAssembly (brotli, as served)", limit: 1e6},
	{metric: "nav-to-ready-ms", label: "navigation → ready", ratio: 2},
	{metric: "compiled-ms", label: "of which fetch + compile of the wasm"},
	{metric: "slow-bytes", label: "bytes at 10 Mbit/s, 40 ms"},
	{metric: "slow-nav-to-ready-ms", label: "navigation → ready at 10 Mbit/s, 40 ms"},
	{metric: "portal-accepted-ms", label: "portal link → verdict, accepted (`12345`)", ratio: 2},
	{metric: "portal-rejected-402-ms", label: "portal link → verdict, rejected (`402`)", ratio: 2},
	{metric: "portal-clickable-ms", label: "of which navigation → Check takes a click (first frame)"},
	{metric: "portal-click-ms", label: "of which navigation → the click delivered"},
	{metric: "accepted-ms", label: "click → verdict, accepted (`12345`)", ratio: 1.2},
	{metric: "rejected-402-ms", label: "click → verdict, rejected (`402`)", ratio: 1.2},
	{metric: "close-4401-ms", label: "click → verdict, close after upgrade (`4401`)"},
	{metric: "polling-only-ms", label: "click → verdict, polling only (`1006`)"},
	{metric: "warm-nav-to-ready-ms", label: "warm reload: navigation → ready"},
	{metric: "warm-compiled-ms", label: "warm reload: of which fetch + compile of the wasm"},
	{metric: "warm-bytes", label: "warm reload: bytes over the network"},
}

func summarize(results map[string]series) map[string]map[string]float64 {
	out := map[string]map[string]float64{}
	for metric := range results["ours"] {
		o, p := results["ours"][metric], results["peer"][metric]
		if len(p) == 0 { // a figure only this page has
			out[metric] = map[string]float64{"ours_median": median(o), "ours_p90": percentile(o, 0.9)}
			continue
		}
		out[metric] = map[string]float64{
			"ours_median": median(o), "ours_p90": percentile(o, 0.9),
			"peer_median": median(p), "peer_p90": percentile(p, 0.9),
			"ratio_median": median(o) / median(p),
		}
	}
	return out
}

type goalResult struct {
	Goal  string  `json:"goal"`
	Value float64 `json:"value"` // the ratio of medians, or ours' median
	Met   bool    `json:"met"`
}

// goals checks each row's goal against the medians.
func goals(results map[string]series) map[string]goalResult {
	sum := summarize(results)
	out := map[string]goalResult{}
	for _, r := range benchRows {
		s, ok := sum[r.metric]
		switch {
		case !ok:
		case r.ratio > 0 && s["peer_median"] > 0:
			out[r.metric] = goalResult{fmt.Sprintf("≤ %gx peer", r.ratio), s["ratio_median"], s["ratio_median"] <= r.ratio}
		case r.limit > 0:
			out[r.metric] = goalResult{fmt.Sprintf("≤ %.1f MB", r.limit/1e6), s["ours_median"], s["ours_median"] <= r.limit}
		}
	}
	return out
}

func report(results map[string]series) string {
	sum := summarize(results)
	met := goals(results)
	rows := slices.Clone(benchRows)
	var rest []string
	for m := range sum {
		if !slices.ContainsFunc(rows, func(r benchRow) bool { return r.metric == m }) {
			rest = append(rest, m)
		}
	}
	slices.Sort(rest)
	for _, m := range rest {
		rows = append(rows, benchRow{metric: m, label: m})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "| metric | ours median | ours p90 | peer median | peer p90 | ours/peer | goal |\n|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		s, ok := sum[r.metric]
		if !ok {
			continue
		}
		goal := ""
		if g, ok := met[r.metric]; ok {
			goal = g.Goal + ": met"
			if !g.Met {
				goal = g.Goal + ": **not met**"
			}
		}
		if _, ok := s["peer_median"]; !ok {
			fmt.Fprintf(&b, "| %s | %.0f | %.0f | - | - | - | %s |\n", r.label, s["ours_median"], s["ours_p90"], goal)
			continue
		}
		fmt.Fprintf(&b, "| %s | %.0f | %.0f | %.0f | %.0f | %.2f | %s |\n", r.label, s["ours_median"], s["ours_p90"], s["peer_median"], s["peer_p90"], s["ratio_median"], goal)
	}
	return b.String()
}

func median(v []float64) float64 { return percentile(v, 0.5) }

// percentile is the nearest-rank percentile of v.
func percentile(v []float64, p float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	i := int(p*float64(len(s))+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}
