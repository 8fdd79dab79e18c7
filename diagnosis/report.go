package diagnosis

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Report renders the support report: plain text, one fact a line, that
// survives email and chat, from the same View the page shows. It never
// contains the access token, which the Result does not hold (check keeps
// every string through Clean); it escapes what it prints again, for a
// Result made elsewhere.
func Report(r *Result) string {
	v := NewView(r)
	w := &reportWriter{}
	w.b.WriteString("LSports DEFEND RMS-Socket connection check\n")
	w.verdict(r, v)
	w.facts(r)
	w.messages(r.Messages)
	w.steps(v.Steps)
	if r.SupportURL != "" {
		w.line("Support", r.SupportURL)
	}
	w.line("Checked from", orDash(r.Browser))
	w.line("Checker", "defendcheck "+Version)
	if v.Handoff != "" {
		w.b.WriteString("For the customer's IT or network team:\n")
		for _, l := range strings.SplitAfter(strings.TrimSuffix(v.Handoff, "\n"), "\n") {
			w.b.WriteString("  " + l)
		}
		w.b.WriteString("\n")
	}
	return w.b.String()
}

// reportWriter writes the report's lines.
type reportWriter struct{ b strings.Builder }

func (w *reportWriter) line(label, value string) { fmt.Fprintf(&w.b, "%-14s %s\n", label+":", value) }

// verdict writes who, when and what the verdict is.
func (w *reportWriter) verdict(r *Result, v View) {
	e := r.Entry()
	w.line("Run ID", r.RunID)
	id := escape(r.CustomerID, -1)
	if r.Trimmed {
		id += " (surrounding whitespace removed)"
	}
	w.line("Customer ID", id)
	ts := r.Timestamp
	if r.ClockOff() {
		ts += " (server time: this computer's clock is off)"
	}
	w.line("Timestamp", ts)
	w.line("Verdict", fmt.Sprintf("%s: %s (%s)", strings.ToUpper(string(r.Verdict)), v.Title, r.Kind))
	w.line("Reason", e.Reason)
	w.line("Resolution", orDash(e.Resolution))
	if e.Documented != "" {
		w.line("Documented", e.Documented)
	}
	w.line("Fix owner", orDash(e.Owner))
	status := codeText(r.StatusCode)
	if r.NotSent {
		status = "- (not sent: caught before connecting; RMS-Socket refuses such an ID with " + strconv.Itoa(e.StatusCode) + ")"
	}
	w.line("Status code", status)
	w.line("Close code", codeText(r.CloseCode))
}

// facts writes what the check saw around the verdict.
func (w *reportWriter) facts(r *Result) {
	w.line("Target", r.Target.String())
	w.line("Transport", orDash(r.Transport))
	w.line("Attempts", strconv.Itoa(r.Attempts))
	token := "not sent"
	if r.TokenSent() {
		token = "sent (not shown)"
		if t := TokenText(r); t != "" {
			token += ": " + t
		}
	}
	w.line("Access token", token)
	if r.Reachability != nil {
		w.line("Reachability", string(*r.Reachability)+": "+ReachText(r))
	}
	if r.ReachDetail != "" {
		w.line("Probe detail", escape(r.ReachDetail, -1))
	}
	if r.Proxy != "" {
		w.line("Proxy", escape(r.Proxy, -1))
	}
	if by := r.AnsweredBy; by.Known() {
		w.line("Answered by", by.Who()+", with "+by.Said())
	}
	if t := SeenFromText(r); t != "" {
		w.line("Seen from", t)
	}
	if r.ClockSkewMS != nil {
		w.line("Clock", "this computer's clock is "+SkewText(r.clockSkew()))
	} else {
		w.line("Clock", "not compared with the server's")
	}
	if r.Hold != nil {
		w.line("Hold", HoldText(r.Hold))
	}
}

func (w *reportWriter) messages(msgs []string) {
	w.b.WriteString("Messages:\n")
	if len(msgs) == 0 {
		w.b.WriteString("  (none)\n")
	}
	for _, m := range msgs {
		w.b.WriteString("  - " + escape(m, -1) + "\n")
	}
}

// steps writes the steps with the protocol's names and the page's times.
func (w *reportWriter) steps(steps []StepView) {
	w.b.WriteString("Steps:\n")
	for _, s := range steps {
		fmt.Fprintf(&w.b, "  %-12s %-11s %8s", s.Name, s.Status, orDash(s.Time))
		if s.Detail != "" {
			w.b.WriteString("  " + escape(s.Detail, -1))
		}
		w.b.WriteString("\n")
	}
}

// TokenText says what was read from the access token sent, never the
// token: "a JWT valid until …", "not a JWT, so not read", …; "" when none
// was sent.
func TokenText(r *Result) string {
	t := r.Token
	switch {
	case !r.TokenSent():
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
	events := Events(h.Events) + " received"
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

// Events counts events in words: "1 event", "3 events".
func Events(n int) string {
	if n == 1 {
		return "1 event"
	}
	return strconv.Itoa(n) + " events"
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
