package diagnosis

import (
	"fmt"
	"strconv"
	"strings"
	"time"
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
	ts := r.Timestamp
	if r.ClockOff() {
		ts += " (server time: this computer's clock is off)"
	}
	line("Timestamp", ts)
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
	token := "not sent"
	if r.TokenSent {
		token = "sent (not shown)"
		if t := TokenText(r); t != "" {
			token += ": " + t
		}
	}
	line("Access token", token)
	if r.Reachability != nil {
		line("Reachability", string(*r.Reachability)+": "+r.Reachability.Text())
	}
	if r.ReachDetail != "" {
		line("Probe detail", escape(r.ReachDetail, -1))
	}
	if r.Proxy != "" {
		line("Proxy", escape(r.Proxy, -1))
	}
	if r.ClockSkewMS != nil {
		line("Clock", "this computer's clock is "+SkewText(r.clockSkew()))
	} else {
		line("Clock", "not compared with the server's")
	}
	if r.Hold != nil {
		line("Hold", HoldText(r.Hold))
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
	line("Checked from", orDash(r.Browser))
	line("Checker", "defendcheck "+Version)
	if r.ITHandoff != nil {
		b.WriteString("For the customer's IT or network team:\n")
		for _, l := range strings.SplitAfter(strings.TrimSuffix(*r.ITHandoff, "\n"), "\n") {
			b.WriteString("  " + l)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TokenText says what was read from the access token sent, never the
// token: "a JWT valid until …", "not a JWT, so not read", …; "" when none
// was sent.
func TokenText(r *Result) string {
	t := r.Token
	switch {
	case !r.TokenSent || t == nil:
		return ""
	case t.Format != TokenJWT:
		return "not a JWT, so not read"
	case t.ExpiresAt == nil:
		return "a JWT without an expiry"
	case t.Expired:
		return "a JWT that expired at " + *t.ExpiresAt + ", " +
			roughDuration(time.Duration(-*t.SecondsLeft)*time.Second) + " before this check by the server's clock"
	}
	return "a JWT valid until " + *t.ExpiresAt + ", " +
		roughDuration(time.Duration(*t.SecondsLeft)*time.Second) + " after this check by the server's clock"
}

// HoldText says how a hold went, in one line.
func HoldText(h *Hold) string {
	n := strconv.Itoa
	events := n(h.Events) + " events received"
	if h.Events == 1 {
		events = "1 event received"
	}
	switch {
	case h.ClosedAtS != nil && h.CloseCode != nil:
		return "closed " + n(*h.ClosedAtS) + " s into a " + n(h.RequestedS) + " s hold, close code " + n(*h.CloseCode) + ", " + events
	case h.ClosedAtS != nil:
		return "closed " + n(*h.ClosedAtS) + " s into a " + n(h.RequestedS) + " s hold, " + events
	case h.Stopped:
		return "stopped after " + n(h.HeldS) + " s of a " + n(h.RequestedS) + " s hold, not closed, " + events
	}
	return "held " + n(h.HeldS) + " s, not closed, " + events
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
