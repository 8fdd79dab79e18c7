package diagnosis

import (
	"encoding/json"
	"strings"
	"time"
)

// Version is the checker's version, printed in every report.
const Version = "0.1.0"

// RunIDParam is the query parameter of every request of a check that
// carries its run ID, so that RMS-Socket's logs can be matched with a
// support report. Socket.IO servers ignore query parameters they do not
// know.
const RunIDParam = "defendcheck_run"

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
	// StepHold, only in a check with a hold, keeps the connection open
	// after the check's verdict: a close or cut fails it.
	StepHold = "hold"
)

// StepNames lists the steps in the order the page shows them; StepHold
// follows them in a check with a hold.
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
	NotSent    bool     `json:"notSent"`
	Browser    string   `json:"browser"`
	// Reachability is whether anything answered at the target (nil: no
	// request was made); ReachDetail and Proxy are the probe's words
	// and the proxy it went through, when it probed.
	Reachability *Reachability `json:"reachability"`
	ReachDetail  string        `json:"reachabilityDetail,omitempty"`
	Proxy        string        `json:"proxy,omitempty"`
	// ITHandoff is the block for the customer's network team, nil when the
	// fix is not the customer network's (see Handoff).
	ITHandoff *string `json:"itHandoff"`
	// Token is what was read from the access token; nil when none was
	// typed. Whether it was sent is TokenSent, derived.
	Token *Token `json:"token"`
	// ClockSkewMS is this computer's clock minus the server's, in ms; nil
	// when unknown. Beyond MaxClockSkew, Timestamp is in server time.
	ClockSkewMS *int64 `json:"clockSkewMs"`
	// Hold is the hold after the check; nil without one.
	Hold *Hold `json:"hold"`
	// SupportURL is where to contact LSports support, as the page's
	// server was told (-support-url); "" for none.
	SupportURL string `json:"supportUrl,omitempty"`
	// SeenFrom is the address the page's server saw this computer at
	// (see SeenFromHeader): nil when the check did not ask (the native
	// command), "" when the server did not say (a static copy).
	SeenFrom *string `json:"seenFrom"`
	// AnsweredBy is what answered in RMS-Socket's place, as its answer
	// names it (see Answerer); nil when nothing did, or nothing is known
	// of it.
	AnsweredBy *Answerer `json:"answeredBy"`
	// PingInterval is the heartbeat the service announced in its
	// handshake (0: no handshake). It is not part of the page's contract.
	PingInterval time.Duration `json:"-"`
}

// TokenSent reports whether an attempt of the check carried the access
// token: one was typed and a connection was attempted (not for an ID
// caught before connecting, nor a check the budget stopped). The result's
// JSON has it as "tokenSent".
func (r *Result) TokenSent() bool { return r.Token != nil && r.Attempts > 0 }

// MarshalJSON writes the result with its derived "tokenSent".
func (r Result) MarshalJSON() ([]byte, error) {
	type fields Result // without this method
	return json.Marshal(struct {
		fields
		TokenSent bool `json:"tokenSent"`
	}{fields(r), r.TokenSent()})
}

// Hold is how a connection held open after the check went: seconds asked
// for and held, events received meanwhile, and, for a hold that a close or
// cut ended, when (seconds into the hold) and with which close code (nil
// for none). Stopped: the person stopped it early.
type Hold struct {
	RequestedS int  `json:"requestedS"`
	HeldS      int  `json:"heldS"`
	ClosedAtS  *int `json:"closedAtS"`
	CloseCode  *int `json:"closeCode"`
	Events     int  `json:"events"`
	Stopped    bool `json:"stopped"`
}

// Entry returns the mapping table's row for the result's kind, with the
// advice that fits what this check did and saw: the target's own host and
// port; without a token, the row's NoToken texts; a case for each fact
// the check saw (see Case); for a refusal of the credentials that no
// proxy made, what the token's expiry says; for an ID caught before it
// was sent, the person typing it owns the fix.
func (r *Result) Entry() Entry {
	e := Lookup(r.Kind)
	if !r.TokenSent() && e.NoTokenResolution != "" {
		e.Resolution = e.NoTokenResolution
	}
	if !r.TokenSent() && e.NoTokenTroubleshooting != "" {
		e.Troubleshooting = e.NoTokenTroubleshooting
	}
	for _, c := range e.Cases {
		if r.saw(c.When) {
			c.apply(&e, r.TokenSent())
		}
	}
	if r.tokenJudged() {
		e.Resolution, e.Troubleshooting = r.tokenAdvice(e)
		if t := r.Token; t != nil && t.Expired {
			e.Owner = OwnerCustomerDev // the token, not the network
		}
	}
	if r.NotSent {
		e.Owner = OwnerTypist
	}
	rep := r.placeholders()
	for _, f := range []*string{&e.Title, &e.Reason, &e.Meaning, &e.Resolution, &e.Troubleshooting, &e.Documented} {
		*f = rep.Replace(*f)
	}
	return e
}

// apply puts c's texts that are not "" in place of e's.
func (c Case) apply(e *Entry, tokenSent bool) {
	if !tokenSent && c.NoTokenTroubleshooting != "" {
		c.Troubleshooting = c.NoTokenTroubleshooting
	}
	for dst, src := range map[*string]string{&e.Title: c.Title, &e.Meaning: c.Meaning, &e.Resolution: c.Resolution, &e.Owner: c.Owner, &e.Troubleshooting: c.Troubleshooting} {
		if src != "" {
			*dst = src
		}
	}
}

// tokenJudged reports whether the advice says what the token's expiry
// means for the refusal: a refusal of the credentials, unless this
// computer's proxy made it (a proxy does not read RMS-Socket's tokens).
func (r *Result) tokenJudged() bool {
	return refusesCredentials(r.Kind) && !r.saw(FactProxy)
}

// saw reports whether the check saw f.
func (r *Result) saw(f Fact) bool {
	switch f {
	case FactJoined:
		return r.stepOK(StepJoin)
	case FactReached:
		return r.stepOK(StepHandshake)
	case FactNoAnswer:
		return r.Reachability != nil && *r.Reachability != ReachOK && *r.Reachability != ReachCORSBlocked
	case FactAnsweredHidden:
		return r.Reachability != nil && *r.Reachability == ReachCORSBlocked
	case FactGateway:
		return r.AnsweredBy.Known() && !r.AnsweredBy.Proxy
	case FactProxy:
		return r.AnsweredBy.Known() && r.AnsweredBy.Proxy
	}
	return false
}

func (r *Result) stepOK(name string) bool {
	for _, s := range r.Steps {
		if s.Name == name {
			return s.Status == StepOK
		}
	}
	return false
}

// refusesCredentials reports whether k refuses the credentials: its row
// has advice for a token whose expiry is known (see tokenAdvice).
func refusesCredentials(k Kind) bool {
	return Lookup(k).TokenValid != ""
}

// TokenInAdvice reports whether the advice of Entry already says when the
// token sent expires, so that nothing else need say it again.
func (r *Result) TokenInAdvice() bool {
	return r.Token != nil && r.Token.ExpiresAt != nil && r.tokenJudged()
}

// tokenAdvice is the advice on a refusal of the credentials once the
// token's expiry is known, from the row's Token fields: an expired token
// is the likely cause; a valid one is not.
func (r *Result) tokenAdvice(e Entry) (resolution, troubleshooting string) {
	t := r.Token
	if t == nil || t.ExpiresAt == nil || t.SecondsLeft == nil {
		return e.Resolution, e.Troubleshooting
	}
	if !t.Expired {
		return e.Resolution, "The access token sent was valid until " + *t.ExpiresAt + " by the server's clock, so " + e.TokenValid
	}
	resolution, troubleshooting = e.Resolution, e.Troubleshooting
	if e.TokenExpiredResolution != "" {
		resolution = e.TokenExpiredResolution
	}
	if e.TokenExpiredTroubleshooting != "" {
		troubleshooting = e.TokenExpiredTroubleshooting
	}
	return resolution, "The access token sent had expired at " + *t.ExpiresAt + ", " +
		roughDuration(time.Duration(-*t.SecondsLeft)*time.Second) + " before this check by the server's clock. " + troubleshooting
}

// placeholders fills the table's {host}, {port}, {http} and {ws} with the
// target's (see Target.placeholders), and {answerer}, {Answerer} and
// {said} with what answered in RMS-Socket's place and what it said.
func (r *Result) placeholders() *strings.Replacer {
	var by Answerer
	if r.AnsweredBy != nil {
		by = *r.AnsweredBy
	}
	who := by.Who()
	return strings.NewReplacer(append(r.Target.placeholders(),
		"{answerer}", who, "{Answerer}", strings.ToUpper(who[:1])+who[1:], "{said}", by.Said())...)
}

// placeholders are the table's {host}, {port}, {http} and {ws} with the
// target's, or with words that fit any target when there is none, as
// strings.NewReplacer takes them.
func (t Target) placeholders() []string {
	if t.Origin == "" {
		return []string{"{host}", "the RMS-Socket host", "{port}", "443", "{http}", "HTTPS", "{ws}", "WSS"}
	}
	return []string{"{host}", t.Host(), "{port}", t.Port(),
		"{http}", strings.ToUpper(t.Scheme()), "{ws}", strings.ToUpper(t.WebSocketScheme())}
}
