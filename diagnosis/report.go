package diagnosis

import (
	"fmt"
	"strconv"
	"strings"
)

// Report renders the support report: plain text, one fact a line, that
// survives email and chat. It never contains the access token, which the
// Result does not hold (check keeps every string through Clean); it
// escapes what it prints again, for a Result made elsewhere.
func Report(r *Result) string {
	e := r.Entry()
	var b strings.Builder
	line := func(label, value string) { fmt.Fprintf(&b, "%-14s %s\n", label+":", value) }

	b.WriteString("LSports DEFEND RMS-Socket connection check\n")
	line("Run ID", r.RunID)
	id := escape(r.CustomerID, -1)
	if r.Trimmed {
		id += " (surrounding whitespace removed)"
	}
	line("Customer ID", id)
	line("Timestamp", r.Timestamp)
	line("Verdict", fmt.Sprintf("%s: %s (%s)", strings.ToUpper(string(r.Verdict)), e.Title, r.Kind))
	line("Reason", e.Reason)
	line("Resolution", orDash(e.Resolution))
	line("Fix owner", orDash(e.Owner))
	status := codeText(r.StatusCode)
	if r.NotSent {
		status = strconv.Itoa(e.StatusCode) + " (not sent: caught before connecting)"
	}
	line("Status code", status)
	line("Close code", codeText(r.CloseCode))
	line("Target", r.Target.String())
	line("Transport", orDash(r.Transport))
	line("Attempts", strconv.Itoa(r.Attempts))
	if r.TokenSent {
		line("Access token", "sent (not shown)")
	} else {
		line("Access token", "not sent")
	}
	b.WriteString("Messages:\n")
	if len(r.Messages) == 0 {
		b.WriteString("  (none)\n")
	}
	for _, m := range r.Messages {
		b.WriteString("  - " + escape(m, -1) + "\n")
	}
	b.WriteString("Steps:\n")
	for _, s := range r.Steps {
		ms := "-"
		if s.Status != StepPending && s.Status != StepSkipped && s.Status != StepNotReached {
			ms = strconv.FormatInt(s.MS, 10) + " ms"
		}
		fmt.Fprintf(&b, "  %-12s %-11s %8s", s.Name, s.Status, ms)
		if s.Detail != "" {
			b.WriteString("  " + escape(s.Detail, -1))
		}
		b.WriteString("\n")
	}
	line("Browser", orDash(r.Browser))
	line("Checker", "defendcheck "+Version)
	return b.String()
}

func codeText(c *int) string {
	if c == nil {
		return "-"
	}
	return strconv.Itoa(*c)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
