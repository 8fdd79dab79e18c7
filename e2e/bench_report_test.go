package e2e

import (
	"fmt"
	"slices"
	"strings"
)

// benchRow is a line of the table: a metric, what it is, and its goal if it
// has one: ours at most ratio times the page vs (on medians: "peer" or
// "floor"), or ours at most limit.
type benchRow struct {
	metric, label string
	ratio, limit  float64
	vs            string
}

// benchRows is the table in order; a metric not listed is printed after
// them under its own name. The goals are issue 20's.
var benchRows = []benchRow{
	{metric: "bytes", label: "bytes, cold load (as served)"},
	{metric: "wasm-bytes", label: "of which the WebAssembly (brotli, as served)", limit: 950e3},
	{metric: "nav-to-ready-ms", label: "navigation → ready", ratio: 1.5, vs: "floor"},
	{metric: "compiled-ms", label: "of which fetch + compile of the wasm"},
	{metric: "slow-bytes", label: "bytes at 10 Mbit/s, 40 ms"},
	{metric: "slow-nav-to-ready-ms", label: "navigation → ready at 10 Mbit/s, 40 ms"},
	{metric: "portal-accepted-ms", label: "portal link → verdict, accepted (`12345`)"},
	{metric: "portal-rejected-402-ms", label: "portal link → verdict, rejected (`402`)", ratio: 2.5, vs: "peer"},
	{metric: "portal-clickable-ms", label: "of which navigation → Check takes a click (first frame)"},
	{metric: "portal-click-ms", label: "of which navigation → the click delivered"},
	{metric: "accepted-ms", label: "click → verdict, accepted (`12345`)", ratio: 1.2, vs: "peer"},
	{metric: "rejected-402-ms", label: "click → verdict, rejected (`402`)", ratio: 1.5, vs: "peer"},
	{metric: "close-4401-ms", label: "click → verdict, close after upgrade (`4401`)"},
	{metric: "polling-only-ms", label: "click → verdict, polling only (`1006`)"},
	{metric: "warm-nav-to-ready-ms", label: "warm reload: navigation → ready"},
	{metric: "warm-compiled-ms", label: "warm reload: of which fetch + compile of the wasm"},
	{metric: "warm-bytes", label: "warm reload: bytes over the network"},
}

// benchPages are the pages of the table, ours first; ratios are ours over
// each of the others.
var benchPages = []string{"ours", "peer", "floor"}

// summarize gives, for each metric, each page's median and p90 (of the
// pages that have the metric) and ratio_peer, ratio_floor: ours' median
// over theirs.
func summarize(results map[string]series) map[string]map[string]float64 {
	out := map[string]map[string]float64{}
	for metric := range results["ours"] {
		m := map[string]float64{}
		for _, who := range benchPages {
			if v := results[who][metric]; len(v) > 0 {
				m[who+"_median"], m[who+"_p90"] = median(v), percentile(v, 0.9)
				if who != "ours" && m[who+"_median"] > 0 {
					m["ratio_"+who] = m["ours_median"] / m[who+"_median"]
				}
			}
		}
		out[metric] = m
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
		ratio, hasRatio := s["ratio_"+r.vs]
		switch {
		case !ok:
		case r.ratio > 0 && hasRatio:
			out[r.metric] = goalResult{fmt.Sprintf("≤ %gx %s", r.ratio, r.vs), ratio, ratio <= r.ratio}
		case r.limit > 0:
			out[r.metric] = goalResult{fmt.Sprintf("≤ %.0f B", r.limit), s["ours_median"], s["ours_median"] <= r.limit}
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
	b.WriteString("| metric | ours median | ours p90 | peer median | peer p90 | floor median | floor p90 | ours/peer | ours/floor | goal |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|\n")
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
		cells := []string{r.label}
		for _, who := range benchPages {
			cells = append(cells, cell(s, who+"_median", "%.0f"), cell(s, who+"_p90", "%.0f"))
		}
		cells = append(cells, cell(s, "ratio_peer", "%.2f"), cell(s, "ratio_floor", "%.2f"), goal)
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	return b.String()
}

// cell is s[key] in format, or "-" for a figure that page does not have.
func cell(s map[string]float64, key, format string) string {
	v, ok := s[key]
	if !ok {
		return "-"
	}
	return fmt.Sprintf(format, v)
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
