package diagnosis

import (
	"strconv"
	"strings"
	"time"
)

// View is what a reader sees of a Result: every word, mark and time of the
// verdict and the steps, decided once. The page moves its values into the
// DOM as they are; Report and the command's output render the same values.
type View struct {
	Verdict   Verdict
	State     string // the verdict in one word: "Working", "Warning", "Problem"
	Title     string
	Announce  string // what the page's status region says: "Problem: Customer ID not found"
	Rows      []Row  // the verdict's list, in the order shown; RowNames gives the order
	Kind      string // "error · not-found"
	Code      string // the status and close codes, in words
	Transport string // the transport, or "none"
	Target    string
	Attempts  string
	SeenFrom  string // the address the page's server saw, or why not known; "" when not asked
	Handoff   string // the block for the customer's IT team, or ""
	// Documented is the LSports documentation's own row for the kind, in
	// its words (the technical details), or "" where it has none.
	Documented string
	// Support is where to contact LSports support when the fix is theirs
	// (the result's SupportURL), or "".
	Support string
	Steps   []StepView
}

// Row is one row of the verdict's list. A row whose Text is "" has
// nothing to say for this result and is not shown.
type Row struct {
	Name string // one of RowNames
	Text string
}

// RowNames are the rows of a verdict's list, in the order shown: the
// table's five texts, then what this check saw of reachability, the
// token, the clock and the hold.
var RowNames = []string{"reason", "meaning", "resolution", "owner", "troubleshooting", "reach", "token", "clock", "hold"}

// StepView is a step as a reader sees it.
type StepView struct {
	Name   string // the protocol's name, as the report shows it
	Label  string // the step in a customer's words
	Status StepStatus
	Mark   string // the status with its sign: "✓ ok", "… running"
	Time   string // "123 ms" once the step has ended, else ""
	Detail string
}

// NewView decides what a reader sees of r.
func NewView(r *Result) View {
	e := r.Entry()
	state := VerdictWord(r.Verdict)
	texts := Unrepeated(e.Title, []string{e.Reason, e.Meaning, e.Resolution, e.Owner, e.Troubleshooting})
	texts = append(texts, reachText(r), tokenRow(r), clockRow(r), holdRow(r))
	rows := make([]Row, len(RowNames))
	for i, name := range RowNames {
		rows[i] = Row{Name: name, Text: texts[i]}
	}
	handoff := ""
	if r.ITHandoff != nil {
		handoff = *r.ITHandoff
	}
	return View{
		Verdict:    r.Verdict,
		State:      state,
		Title:      e.Title,
		Announce:   state + ": " + e.Title,
		Rows:       rows,
		Kind:       string(r.Verdict) + " · " + string(r.Kind),
		Code:       codeLine(r, e),
		Transport:  orNone(r.Transport),
		Target:     r.Target.String(),
		Attempts:   strconv.Itoa(r.Attempts),
		SeenFrom:   SeenFromText(r),
		Handoff:    handoff,
		Documented: e.Documented,
		Support:    supportLink(r, e),
		Steps:      ViewSteps(r.Steps),
	}
}

// Holding is what the page shows while a check holds its connection open,
// before the verdict: ok while the hold step runs, with how far it got
// ("held 12 s of 60 s, 3 events").
func Holding(steps []Step) (detail string, ok bool) {
	for _, s := range steps {
		if s.Name == StepHold && s.Status == StepRunning {
			return Sentence(s.Detail), true
		}
	}
	return "", false
}

// VerdictWord is a verdict in one word, which a verdict's heading starts
// with: its colour and icon only repeat it.
func VerdictWord(v Verdict) string {
	switch v {
	case OK:
		return "Working"
	case Warning:
		return "Warning"
	}
	return "Problem"
}

// ViewSteps is steps as a reader sees them.
func ViewSteps(steps []Step) []StepView {
	out := make([]StepView, len(steps))
	for i, s := range steps {
		out[i] = ViewStep(s)
	}
	return out
}

// ViewStep is a step as a reader sees it.
func ViewStep(s Step) StepView {
	return StepView{Name: s.Name, Label: StepLabel(s.Name), Status: s.Status, Mark: StatusMark(s.Status), Time: StepTime(s), Detail: s.Detail}
}

// StepLabel names a step in a customer's words; the report keeps the
// protocol's names.
func StepLabel(name string) string {
	switch name {
	case StepCustomerID:
		return "Customer ID"
	case StepHandshake:
		return "Reach RMS-Socket, with your headers"
	case StepNamespace:
		return "Connect to RMS-Socket"
	case StepUpgrade:
		return "Switch to WebSocket"
	case StepJoin:
		return "Join your room"
	case StepFirstEvent:
		return "First message"
	case StepStaysOpen:
		return "Stays connected"
	case StepHold:
		return "Held open"
	}
	return name
}

// StatusMark is a step's status with its sign, so that the sign is never
// the only carrier of the meaning.
func StatusMark(s StepStatus) string {
	switch s {
	case StepOK:
		return "✓ ok"
	case StepWarning:
		return "! warning"
	case StepFailed:
		return "✗ failed"
	case StepRunning:
		return "… running"
	case StepSkipped:
		return "– skipped"
	case StepNotReached:
		return "– not reached"
	}
	return "· pending"
}

// StepTime is how long a step took, once it has ended (ok, warning or
// failed); "" while it runs or when it never ran.
func StepTime(s Step) string {
	if s.Status == StepOK || s.Status == StepWarning || s.Status == StepFailed {
		return strconv.FormatInt(s.MS, 10) + " ms"
	}
	return ""
}

// reachText says, when a check got no answer it could read, whether
// anything answered at all; "" when an answer was read or nothing sent.
func reachText(r *Result) string {
	if r.Reachability == nil || *r.Reachability == ReachOK {
		return ""
	}
	return Sentence(ReachText(r))
}

// tokenRow says what was read from the access token, never the token; ""
// when none was sent, or when the advice above already says when it
// expires (a refusal of the credentials).
func tokenRow(r *Result) string {
	t := TokenText(r)
	if t == "" || r.TokenInAdvice() {
		return ""
	}
	return "Sent: " + t + "."
}

// clockRow warns when this computer's clock is off; "" when it is not.
func clockRow(r *Result) string {
	if !r.ClockOff() {
		return ""
	}
	return "This computer's clock is " + SkewText(time.Duration(*r.ClockSkewMS)*time.Millisecond) +
		". The times on this page and in the report are the server's, so that support can match them with its logs."
}

// holdRow says how the hold went; "" without one.
func holdRow(r *Result) string {
	if r.Hold == nil {
		return ""
	}
	return Sentence(HoldText(r.Hold))
}

// codeLine is the status and close codes in words.
func codeLine(r *Result, e Entry) string {
	switch {
	case r.NotSent:
		return "Not sent: caught before connecting (RMS-Socket refuses such an ID with status " + strconv.Itoa(e.StatusCode) + ")"
	case r.StatusCode != nil && r.CloseCode != nil:
		return "Status " + strconv.Itoa(*r.StatusCode) + ", close code " + strconv.Itoa(*r.CloseCode)
	case r.StatusCode != nil:
		return "Status " + strconv.Itoa(*r.StatusCode)
	case r.CloseCode != nil:
		return "WebSocket close code " + strconv.Itoa(*r.CloseCode)
	}
	return "No status or close code"
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// supportLink is the result's SupportURL when the fix is LSports support's.
func supportLink(r *Result, e Entry) string {
	if e.Owner != OwnerLSports && !strings.Contains(e.Resolution, "LSports support") {
		return ""
	}
	return r.SupportURL
}
