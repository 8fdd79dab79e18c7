package scenario

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/rmssim"
)

// Server names one of the servers Start serves. Its value is also the
// target's index in Servers.Targets.
type Server int

// The servers.
const (
	Sim         Server = iota // the simulator (rmssim), with the options given to Start
	Stripper                  // a proxy to Sim that removes the customerid header
	HTTP429                   // a rate limiter in front that answers every request with HTTP 429
	Refused                   // a loopback port nobody listens on
	Silent                    // accepts connections, never answers
	HTMLRefuser               // a Socket.IO server that refuses with status 418 and an HTML message
	Gateway502                // nginx in front of a service that is down: 502 and its page, readable by a page

	serverCount = iota
)

// Case is one check the tests run and how it must end.
type Case struct {
	Name       string // the subtest's name
	Server     Server // what the check connects to
	CustomerID string // as typed into the checker
	Verdict    diagnosis.Verdict
	Kind       diagnosis.Kind
	StatusCode *int   // the result's statusCode; nil for null
	CloseCode  *int   // the result's closeCode; nil for null
	Transport  string // as Result.Transport has it; "" where it is not asserted
	Attempts   int    // connection attempts; 0 when the ID is not sent
}

// Outcome is how a check ended, as the result contract shows it: what a
// Case asserts.
type Outcome struct {
	Verdict, Kind         string
	StatusCode, CloseCode *int
	Transport             string
}

// OutcomeOf is res's Outcome.
func OutcomeOf(res *diagnosis.Result) Outcome {
	return Outcome{
		Verdict: string(res.Verdict), Kind: string(res.Kind),
		StatusCode: res.StatusCode, CloseCode: res.CloseCode, Transport: res.Transport,
	}
}

// Mismatch says how got differs from the outcome c must end with, or ""
// when it matches: verdict, kind, statusCode, closeCode and, where c
// asserts it, the transport. The check and browser suites both compare
// with it, each from its own view of the result.
func (c Case) Mismatch(got Outcome) string {
	var diffs []string
	if got.Verdict != string(c.Verdict) || got.Kind != string(c.Kind) {
		diffs = append(diffs, fmt.Sprintf("verdict %s kind %s, want %s %s", got.Verdict, got.Kind, c.Verdict, c.Kind))
	}
	if Code(got.StatusCode) != Code(c.StatusCode) || Code(got.CloseCode) != Code(c.CloseCode) {
		diffs = append(diffs, fmt.Sprintf("statusCode %s closeCode %s, want %s %s",
			Code(got.StatusCode), Code(got.CloseCode), Code(c.StatusCode), Code(c.CloseCode)))
	}
	if c.Transport != "" && got.Transport != c.Transport {
		diffs = append(diffs, fmt.Sprintf("transport %q, want %q", got.Transport, c.Transport))
	}
	return strings.Join(diffs, "; ")
}

// Code is a status or close code as the result contract shows it: the
// number, or null.
func Code(c *int) string {
	if c == nil {
		return "null"
	}
	return strconv.Itoa(*c)
}

// Header is the customerid header that reaches the simulator in c: c's
// ID, or none (present false) behind Stripper.
func (c Case) Header() (id string, present bool) {
	if c.Server == Stripper {
		return "", false
	}
	return c.CustomerID, true
}

// Row is the row of the simulator's table that answers c; ok is false for
// a case the simulator does not answer.
func (c Case) Row() (row rmssim.Outcome, ok bool) {
	if c.Server != Sim && c.Server != Stripper {
		return rmssim.Outcome{}, false
	}
	return rmssim.OutcomeFor(c.Header()), true
}

func code(n int) *int { return &n }

// Cases lists every check the suites run: first one per row of
// rmssim.Outcomes, in its order, then one per misbehaving target.
var Cases = []Case{
	{Name: "header stripped by a proxy", Server: Stripper, CustomerID: "12345",
		Verdict: diagnosis.Error, Kind: diagnosis.KindMissingHeader, StatusCode: code(401), Transport: "polling", Attempts: 1},
	{Name: "non-digits, not sent", Server: Sim, CustomerID: "12ab",
		Verdict: diagnosis.Error, Kind: diagnosis.KindInvalidFormat},
	{Name: "server 400 for digits", Server: Sim, CustomerID: "400",
		Verdict: diagnosis.Error, Kind: diagnosis.KindInvalidFormat, StatusCode: code(400), Transport: "polling", Attempts: 1},
	{Name: "account inactive", Server: Sim, CustomerID: "402",
		Verdict: diagnosis.Error, Kind: diagnosis.KindAccountInactive, StatusCode: code(402), Transport: "polling", Attempts: 1},
	{Name: "customer not found", Server: Sim, CustomerID: "403",
		Verdict: diagnosis.Error, Kind: diagnosis.KindNotFound, StatusCode: code(403), Transport: "polling", Attempts: 1},
	{Name: "rate limited", Server: Sim, CustomerID: "429",
		Verdict: diagnosis.Error, Kind: diagnosis.KindRateLimited, StatusCode: code(429), Transport: "polling", Attempts: 1},
	{Name: "server error, retried twice", Server: Sim, CustomerID: "500",
		Verdict: diagnosis.Error, Kind: diagnosis.KindServerError, StatusCode: code(500), Transport: "polling", Attempts: 3},
	{Name: "closed normally", Server: Sim, CustomerID: "1000",
		Verdict: diagnosis.Warning, Kind: diagnosis.KindClosedNormal, CloseCode: code(1000), Transport: "websocket", Attempts: 1},
	{Name: "going away", Server: Sim, CustomerID: "1001",
		Verdict: diagnosis.Warning, Kind: diagnosis.KindGoingAway, CloseCode: code(1001), Transport: "websocket", Attempts: 1},
	{Name: "auth failed after upgrade", Server: Sim, CustomerID: "4401",
		Verdict: diagnosis.Error, Kind: diagnosis.KindAuthFailedAfterUpgrade, CloseCode: code(4401), Transport: "websocket", Attempts: 1},
	{Name: "authorization revoked", Server: Sim, CustomerID: "4403",
		Verdict: diagnosis.Error, Kind: diagnosis.KindAuthorizationRevoked, CloseCode: code(4403), Transport: "websocket", Attempts: 1},
	{Name: "namespace never answered", Server: Sim, CustomerID: "408",
		Verdict: diagnosis.Error, Kind: diagnosis.KindTimeout, Transport: "polling", Attempts: 1},
	// Join and the first event must get through while a long-poll is
	// pending: if writes queued behind the poll (pingInterval, 25 s) this
	// case would end as no-messages.
	{Name: "WebSocket refused", Server: Sim, CustomerID: "1006",
		Verdict: diagnosis.Warning, Kind: diagnosis.KindPollingOnly, CloseCode: code(1006), Transport: "polling", Attempts: 1},
	{Name: "no events", Server: Sim, CustomerID: "204",
		Verdict: diagnosis.Warning, Kind: diagnosis.KindNoMessages, Transport: "websocket", Attempts: 1},
	// The cut comes 5 s after join, after the check's verdict: only a
	// hold sees it (see the hold tests).
	{Name: "cut later, no hold", Server: Sim, CustomerID: "5006",
		Verdict: diagnosis.OK, Kind: diagnosis.KindOK, Transport: "websocket", Attempts: 1},
	{Name: "accepted", Server: Sim, CustomerID: "12345",
		Verdict: diagnosis.OK, Kind: diagnosis.KindOK, Transport: "websocket", Attempts: 1},

	{Name: "HTTP 429 from a rate limiter", Server: HTTP429, CustomerID: "12345",
		Verdict: diagnosis.Error, Kind: diagnosis.KindRateLimited, StatusCode: code(429), Attempts: 1},
	{Name: "unlisted status, HTML message", Server: HTMLRefuser, CustomerID: "12345",
		Verdict: diagnosis.Error, Kind: diagnosis.KindUnknownStatus, StatusCode: code(418), Attempts: 1},
	{Name: "connection refused", Server: Refused, CustomerID: "12345",
		Verdict: diagnosis.Error, Kind: diagnosis.KindUnreachable, Attempts: 1},
	{Name: "target never answers", Server: Silent, CustomerID: "12345",
		Verdict: diagnosis.Error, Kind: diagnosis.KindTimeout, Attempts: 1},
	{Name: "nginx in front answers 502", Server: Gateway502, CustomerID: "12345",
		Verdict: diagnosis.Error, Kind: diagnosis.KindUnknownStatus, StatusCode: code(502), Attempts: 1},
}
