package rmssim

import (
	"slices"
	"strconv"
)

// Behavior is what the simulator does for one customer ID.
type Behavior int

// The behaviours, one per row of the outcome table.
const (
	Healthy        Behavior = iota // accepts, streams events after join
	Refuse                         // connect_error with a status code
	CloseAfterJoin                 // one event after join, then a WebSocket close code
	NeverAnswer                    // namespace CONNECT is never answered
	PollingOnly                    // WebSocket upgrades refused
	Silent                         // join acknowledged, no event ever
	CutAfter                       // healthy, then the WebSocket is cut without a close frame
)

// Outcome is one row of the simulator's table: the customer ID that selects
// it, what happens, and the code or message involved.
type Outcome struct {
	CustomerID  string // the reserved ID, or a description for the non-ID rows
	Behavior    Behavior
	StatusCode  int    // for Refuse
	CloseCode   int    // for CloseAfterJoin
	Message     string // connect_error message or close reason
	Description string // what a person sees, for the landing page
}

// The rows that no reserved ID selects.
var (
	// MissingHeader answers a handshake without a customerid header.
	MissingHeader = Outcome{CustomerID: "(header missing)", Behavior: Refuse, StatusCode: 401, Message: "Missing customerid header",
		Description: "connect_error, data {\"statusCode\":401}"}
	// NotAllDigits answers a customerid that is not all digits.
	NotAllDigits = Outcome{CustomerID: "(not all digits)", Behavior: Refuse, StatusCode: 400, Message: "Invalid customerid format",
		Description: "connect_error, data {\"statusCode\":400}"}
	// AnyOtherDigits answers every all-digit ID that is not reserved.
	AnyOtherDigits = Outcome{CustomerID: "(any other digits)", Behavior: Healthy,
		Description: "accepts; after join RESERVE_BET_ACCEPT within 100 ms, then ACCEPT/REJECT every event interval"}
)

// Reserved lists the customer IDs that choose an outcome of their own.
var Reserved = []Outcome{
	{CustomerID: "400", Behavior: Refuse, StatusCode: 400, Message: "Invalid customerid format",
		Description: "connect_error, data {\"statusCode\":400}, for an all-digit ID (a server that validates more than digits)"},
	{CustomerID: "402", Behavior: Refuse, StatusCode: 402, Message: "Account inactive or expired",
		Description: "connect_error, data {\"statusCode\":402}"},
	{CustomerID: "403", Behavior: Refuse, StatusCode: 403, Message: "Customer ID not found",
		Description: "connect_error, data {\"statusCode\":403}"},
	{CustomerID: "429", Behavior: Refuse, StatusCode: 429, Message: "Rate limit exceeded",
		Description: "connect_error, data {\"statusCode\":429}"},
	{CustomerID: "500", Behavior: Refuse, StatusCode: 500, Message: "Server error",
		Description: "connect_error, data {\"statusCode\":500}"},
	{CustomerID: "1000", Behavior: CloseAfterJoin, CloseCode: 1000, Message: "Normal closure",
		Description: "accepts, one event after join, then WebSocket close 1000"},
	{CustomerID: "1001", Behavior: CloseAfterJoin, CloseCode: 1001, Message: "Server going away (maintenance)",
		Description: "accepts, one event after join, then WebSocket close 1001"},
	{CustomerID: "4401", Behavior: CloseAfterJoin, CloseCode: 4401, Message: "Authentication failed after upgrade",
		Description: "accepts, one event after join, then WebSocket close 4401"},
	{CustomerID: "4403", Behavior: CloseAfterJoin, CloseCode: 4403, Message: "Authorization revoked",
		Description: "accepts, one event after join, then WebSocket close 4403"},
	{CustomerID: "408", Behavior: NeverAnswer,
		Description: "engine handshake succeeds, namespace CONNECT is never answered"},
	{CustomerID: "1006", Behavior: PollingOnly,
		Description: "accepts over long-polling, refuses every WebSocket upgrade"},
	{CustomerID: "204", Behavior: Silent,
		Description: "accepts and acknowledges join, never sends an event"},
	{CustomerID: "5006", Behavior: CutAfter,
		Description: "accepts and streams events like any other ID, then 5 s after join cuts the WebSocket without a close frame (a client sees 1006), as a proxy that drops long-lived connections does"},
}

// Outcomes is the whole table, in the order the landing page and the
// README list it.
var Outcomes = slices.Concat([]Outcome{MissingHeader, NotAllDigits}, Reserved, []Outcome{AnyOtherDigits})

// OutcomeFor returns the row that applies to a customerid header value;
// present is false when the header was not sent at all.
func OutcomeFor(customerID string, present bool) Outcome {
	switch {
	case !present:
		return MissingHeader
	case !allDigits(customerID):
		return NotAllDigits
	}
	for _, o := range Reserved {
		if o.CustomerID == customerID {
			return o
		}
	}
	return AnyOtherDigits
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// String names the behaviour for logs.
func (b Behavior) String() string {
	switch b {
	case Healthy:
		return "healthy"
	case Refuse:
		return "refuse"
	case CloseAfterJoin:
		return "close-after-join"
	case NeverAnswer:
		return "never-answer"
	case PollingOnly:
		return "polling-only"
	case Silent:
		return "silent"
	case CutAfter:
		return "cut-after"
	}
	return "behavior(" + strconv.Itoa(int(b)) + ")"
}
