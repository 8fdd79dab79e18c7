package diagnosis

// Version is the checker's version, printed in every report.
const Version = "0.1.0"

// The steps of a check, in order.
const (
	StepCustomerID = "customer-id"
	StepHandshake  = "handshake"
	StepNamespace  = "namespace"
	StepUpgrade    = "upgrade"
	StepJoin       = "join"
	StepFirstEvent = "first-event"
	// StepStaysOpen runs from the namespace connect to the attempt's end:
	// a close of the connection (4401, 1000, ...) fails it.
	StepStaysOpen = "stays-open"
)

// StepNames lists the steps in the order the page shows them.
var StepNames = []string{StepCustomerID, StepHandshake, StepNamespace, StepUpgrade, StepJoin, StepFirstEvent, StepStaysOpen}

// StepStatus is the state of one step.
type StepStatus string

// The step states.
const (
	StepPending StepStatus = "pending"
	StepRunning StepStatus = "running"
	StepOK      StepStatus = "ok"
	StepWarning StepStatus = "warning"
	StepFailed  StepStatus = "failed"
	StepSkipped StepStatus = "skipped" // deliberately not done (budget spent)
	// StepNotReached: an earlier step failed, so this one never ran, or
	// ran in parallel to no use.
	StepNotReached StepStatus = "not-reached"
)

// Step is one named phase of a check. MS is how long it took, counted from
// the moment the step could start.
type Step struct {
	Name   string     `json:"name"`
	Status StepStatus `json:"status"`
	MS     int64      `json:"ms"`
	Detail string     `json:"detail,omitempty"`
}

// Target is a Socket.IO endpoint: an http(s) origin and a path.
type Target struct {
	Origin string `json:"origin"`
	Path   string `json:"path"`
}

// String is the endpoint as support reads it.
func (t Target) String() string { return t.Origin + t.Path }

// Result is the outcome of one check: the page's window.defendcheck.result
// and the source of the support report.
type Result struct {
	Verdict    Verdict  `json:"verdict"`
	Kind       Kind     `json:"kind"`
	StatusCode *int     `json:"statusCode"`
	CloseCode  *int     `json:"closeCode"`
	CustomerID string   `json:"customerId"`
	Timestamp  string   `json:"timestamp"`
	RunID      string   `json:"runId"`
	Messages   []string `json:"messages"`
	Transport  string   `json:"transport"`
	Steps      []Step   `json:"steps"`
	Report     string   `json:"report"`
	Target     Target   `json:"target"`
	Attempts   int      `json:"attempts"`
	Trimmed    bool     `json:"trimmed"`
	TokenSent  bool     `json:"tokenSent"`
	NotSent    bool     `json:"notSent"`
	Browser    string   `json:"browser"`
}

// Entry returns the mapping table's row for the result's kind, with the
// advice that fits what this check did: without a token, the row's
// NoToken texts; for an ID caught before it was sent, the person typing
// it owns the fix.
func (r *Result) Entry() Entry {
	e := Lookup(r.Kind)
	if !r.TokenSent && e.NoTokenResolution != "" {
		e.Resolution = e.NoTokenResolution
	}
	if !r.TokenSent && e.NoTokenTroubleshooting != "" {
		e.Troubleshooting = e.NoTokenTroubleshooting
	}
	if r.NotSent {
		e.Owner = OwnerTypist
	}
	return e
}
