package diagnosis

import "slices"

// Verdict is the traffic light of a check.
type Verdict string

// The verdicts.
const (
	OK      Verdict = "ok"
	Warning Verdict = "warning"
	Error   Verdict = "error"
)

// Kind names what a check found. It is part of the page's public contract.
type Kind string

// The kinds, one per row of Table.
const (
	KindOK                     Kind = "ok"
	KindInvalidFormat          Kind = "invalid-format"
	KindMissingHeader          Kind = "missing-header"
	KindAccountInactive        Kind = "account-inactive"
	KindNotFound               Kind = "not-found"
	KindRateLimited            Kind = "rate-limited"
	KindServerError            Kind = "server-error"
	KindUnknownStatus          Kind = "unknown-status"
	KindTimeout                Kind = "timeout"
	KindUnreachable            Kind = "unreachable"
	KindClosedNormal           Kind = "closed-normal"
	KindGoingAway              Kind = "going-away"
	KindAuthFailedAfterUpgrade Kind = "auth-failed-after-upgrade"
	KindAuthorizationRevoked   Kind = "authorization-revoked"
	KindConnectionLost         Kind = "connection-lost"
	KindPollingOnly            Kind = "polling-only"
	KindNoMessages             Kind = "no-messages"
	KindNotEngineIO            Kind = "not-engineio"
	KindClosedBeforeConnect    Kind = "closed-before-connect"
	KindSessionLost            Kind = "session-lost"
	KindRefusedByGateway       Kind = "refused-by-gateway"
	KindUnreadablePacket       Kind = "unreadable-packet"
)

// Owners of a fix, as the page names them.
const (
	OwnerCustomerDev = "Your developers (your integration)"
	OwnerCustomerIT  = "Your IT or network team"
	OwnerLSports     = "LSports support"
	OwnerNobody      = "Nobody: wait and check again"
	OwnerTypist      = "You: correct the customer ID (digits only) and check again"
)

// Entry is one row of the mapping table. Reason and Resolution are the
// words of the LSports error-handling page where it has a row; Meaning says
// what the row means for this check, made from the customer's browser.
type Entry struct {
	Kind       Kind
	Verdict    Verdict
	StatusCode int // status that selects the row (connect_error or HTTP); 0 for none
	// HTTPStatuses select the row when a polling request gets one of them,
	// before StatusCode does: RMS-Socket refuses with a connect_error, so
	// an HTTP-level refusal comes from something in front of it.
	HTTPStatuses []int
	CloseCode    int // WebSocket close code that selects the row; 0 for none
	Title        string
	Reason       string
	Meaning      string
	Resolution   string
	Owner        string
	// Troubleshooting is the matching row of the docs' troubleshooting
	// table, "cause: solution", or a suggestion in its spirit.
	Troubleshooting string
	// NoTokenResolution and NoTokenTroubleshooting replace Resolution and
	// Troubleshooting when no access token was sent (see Result.Entry);
	// empty for a row whose advice does not depend on the token.
	NoTokenResolution      string
	NoTokenTroubleshooting string
	// A row that refuses the credentials (4401, a gateway's 401/403) has
	// advice for when the token's expiry is known (see Result.Entry):
	// TokenValid follows "the access token sent was valid until …, so";
	// TokenExpiredResolution and TokenExpiredTroubleshooting follow "the
	// access token sent had expired at …" ("" keeps the row's own).
	TokenValid                  string
	TokenExpiredResolution      string
	TokenExpiredTroubleshooting string
	// Cases give the row's advice when the check saw a fact that the
	// row's own words would contradict (see Result.Entry).
	Cases []Case
	// Documented is the LSports documentation's own row for the kind
	// ("Cause: solution", in its words), shown in the technical details
	// where our advice may differ; "" where the docs have none.
	Documented string
}

// Fact is something a check saw that changes what its advice can say.
type Fact int

// The facts that advice follows.
const (
	FactJoined         Fact = iota + 1 // the check joined its room
	FactReached                        // RMS-Socket answered the check's first request
	FactNoAnswer                       // nothing answered at the target at all
	FactAnsweredHidden                 // something answered, but not for this page to read
	FactGateway                        // a named gateway in front of RMS-Socket answered (Result.AnsweredBy)
	FactProxy                          // this computer's proxy answered in RMS-Socket's place
)

// Case is a row's advice when a fact holds: each text that is not ""
// replaces the row's; NoTokenTroubleshooting replaces Troubleshooting
// when no access token was sent. Later cases win.
type Case struct {
	When                                               Fact
	Title, Meaning, Resolution, Owner, Troubleshooting string
	NoTokenTroubleshooting                             string
}

// Advice on an answer that a gateway or this computer's proxy gave in
// RMS-Socket's place ({answerer} names it, {said} says what it answered),
// for every row such an answer can select.
var (
	gatewayAnswered = Case{When: FactGateway,
		Title:           "{Answerer} answered {said}",
		Meaning:         "The answer came from {answerer} at {host}, not from RMS-Socket: it answered {said} instead of passing the request on. RMS-Socket behind it is down or not answering it, or the gateway is set up wrongly; nothing on your side caused it.",
		Resolution:      "Send this report to LSports support: the gateway in front of RMS-Socket is theirs",
		Owner:           OwnerLSports,
		Troubleshooting: "Gateway answered: check again in a few minutes; if it repeats, send this report to LSports support."}
	proxyAnswered = Case{When: FactProxy,
		Title:           "{Answerer} answered {said}",
		Meaning:         "The answer came from {answerer}, not from RMS-Socket: it answered {said} for {host} instead of passing the request on, so RMS-Socket never saw it.",
		Resolution:      "Ask your IT team to let web requests and WebSocket connections to {host} on port {port} through the proxy",
		Owner:           OwnerCustomerIT,
		Troubleshooting: "Proxy answered: ask your IT team why the proxy answers {said} for {host}, and to allow {http} and WebSocket ({ws}) traffic to it on port {port}."}
	proxyRefused = Case{When: FactProxy,
		Title:           "Refused by {answerer}",
		Meaning:         "{Answerer} refused the request to {host} with {said}: it did not pass it on, so RMS-Socket never saw it and your access token played no part.",
		Resolution:      "Ask your IT team to allow {host} on port {port} through the proxy",
		Owner:           OwnerCustomerIT,
		Troubleshooting: "Proxy refusal: ask your IT team to allow {http} and WebSocket ({ws}) traffic to {host} on port {port} through the proxy."}
	proxyTunnelRefused = Case{When: FactProxy,
		Title:           "Your network's proxy refused to connect to {host}",
		Meaning:         "{Answerer} refused to open a connection to {host} on port {port} ({said}): nothing went on to RMS-Socket.",
		Resolution:      "Ask your IT team to allow {host} on port {port} through the proxy",
		Owner:           OwnerCustomerIT,
		Troubleshooting: "Proxy refusal: ask your IT team to allow connections through the proxy to {host} on port {port}, including the WebSocket upgrade."}
)

// tokenValid is what a refusal of a token that was still valid means.
const tokenValid = "its age is not the cause: check that it was issued for this customer ID and has not been revoked."

// Table maps every kind to what the user is told. It is the only copy.
var Table = []Entry{
	{Kind: KindOK, Verdict: OK,
		Title:   "Connected: RMS-Socket works from this network",
		Reason:  "Connection, WebSocket upgrade, join and events all succeeded",
		Meaning: "This browser reached RMS-Socket, upgraded to WebSocket, joined the room and received an event."},
	{Kind: KindInvalidFormat, Verdict: Error, StatusCode: 400,
		Title:           "Invalid customer ID format",
		Reason:          "Invalid customerid format",
		Meaning:         "The customer ID's format was refused: it must be the numeric ID LSports gave you, digits only.",
		Resolution:      "Use numeric characters only",
		Owner:           OwnerCustomerDev,
		Troubleshooting: "Invalid customerid format: non-numeric customer ID. Use the numeric Customer ID only.",
		Documented:      "Invalid customerid format: Use numeric characters only. Non-numeric customer ID: Use numeric Customer ID only."},
	{Kind: KindMissingHeader, Verdict: Error, StatusCode: 401,
		Title:           "The customerid header did not reach RMS-Socket",
		Reason:          "Missing customerid header",
		Meaning:         "This page sent the customerid header, so something between this browser and RMS-Socket removed it: most often a proxy or security gateway that strips unknown headers.",
		Resolution:      "Ask your IT team to let the customerid header through the proxy or security gateway to {host}",
		Owner:           OwnerCustomerIT,
		Troubleshooting: "This page sent the header, so your integration is not the cause of this refusal: ask your IT team to pass the customerid and Authorization headers to {host} unchanged.",
		Documented:      "Missing customerid header: Add customerid to extraHeaders. Header not included in connection: Add customerid to extraHeaders."},
	{Kind: KindAccountInactive, Verdict: Error, StatusCode: 402,
		Title:           "Account inactive or expired",
		Reason:          "Account inactive or expired",
		Meaning:         "RMS-Socket recognised the customer ID but the DEFEND subscription is not active.",
		Resolution:      "Contact LSports support",
		Owner:           OwnerLSports,
		Troubleshooting: "Account inactive: subscription expired. Contact LSports support.",
		Documented:      "Account inactive or expired: Contact LSports support. Subscription expired: Contact LSports support."},
	{Kind: KindNotFound, Verdict: Error, StatusCode: 403,
		Title:           "Customer ID not found",
		Reason:          "Customer ID not found",
		Meaning:         "RMS-Socket does not know this customer ID.",
		Resolution:      "Verify your Customer ID",
		Owner:           OwnerCustomerDev,
		Troubleshooting: "Customer not authorized: verify your Customer ID against the one LSports gave you.",
		Documented:      "Customer ID not found: Verify your Customer ID."},
	{Kind: KindRateLimited, Verdict: Error, StatusCode: 429,
		Title:           "Too many connections: rate limit exceeded",
		Reason:          "Rate limit exceeded",
		Meaning:         "RMS-Socket allows 10 WebSocket connections per minute and 100 HTTP requests per 15 minutes per IP address. Your network's public IP went over it, possibly because your own integration retries too fast.",
		Resolution:      "Wait before reconnecting",
		Owner:           OwnerCustomerDev,
		Troubleshooting: "Rate limited: in your integration, do not retry after a 400 to 403 refusal, and wait longer after each failed try before reconnecting.",
		Documented:      "Rate limit exceeded: Wait before reconnecting."},
	{Kind: KindServerError, Verdict: Error, StatusCode: 500,
		Title:           "RMS-Socket reported a server error",
		Reason:          "Server error",
		Meaning:         "The service failed while handling the connection; nothing on your side caused it.",
		Resolution:      "Nothing to change on your side: this check already tried again. If it persists, send this report to LSports support",
		Owner:           OwnerLSports,
		Troubleshooting: "Server error: in your integration, wait longer after each failed try; if it persists, send this report to LSports support.",
		Documented:      "Server error: Retry with backoff.",
		Cases:           []Case{gatewayAnswered, proxyAnswered}},
	{Kind: KindUnknownStatus, Verdict: Error,
		Title:           "The connection was refused with an unexpected status",
		Reason:          "Status not in the RMS-Socket error table",
		Meaning:         "The connection was refused with a status the LSports documentation does not list. It may come from RMS-Socket, from a gateway in front of it (such as nginx or a CDN, answering 502 or 503 when RMS-Socket is down), or from a proxy of your network: the report's messages show who answered.",
		Resolution:      "Send this report to LSports support",
		Owner:           OwnerLSports,
		Troubleshooting: "Unexpected status: check whether a proxy answered instead of RMS-Socket (see the messages), then contact LSports support.",
		Cases:           []Case{gatewayAnswered, proxyAnswered}},
	{Kind: KindTimeout, Verdict: Error,
		Title:           "Connection timeout: no answer",
		Reason:          "Connection timeout",
		Meaning:         "The request left this browser but no answer came back in time. A firewall that drops traffic or a proxy that holds requests open does this.",
		Resolution:      "Ask your IT team to allow {host} on port {port}, for web requests and WebSocket connections",
		Owner:           OwnerCustomerIT,
		Troubleshooting: "Connection timeout: a firewall may drop the traffic or a proxy hold it. Ask your IT team to allow {http} and WebSocket ({ws}) traffic to {host} on port {port}.",
		Documented:      "Connection timeout: Network or firewall issues: Check connectivity; whitelist WSS port.",
		Cases: []Case{{When: FactReached,
			Meaning:         "RMS-Socket answered this check's first request, then did not answer its request to connect in time: your network let the traffic through, and the service went silent.",
			Resolution:      "Send this report to LSports support",
			Owner:           OwnerLSports,
			Troubleshooting: "No answer to connect: the first request reached RMS-Socket, so your network is not the cause. Check again; if it repeats, send this report to LSports support."}}},
	{Kind: KindUnreachable, Verdict: Error,
		Title:           "Could not reach RMS-Socket",
		Reason:          "Request failed before any answer",
		Meaning:         "No request to {host} got an answer this check could read. Likely causes: the host name does not resolve, a firewall refuses or blocks the connection, a proxy inspects encrypted traffic, or something answered without letting this page read it.",
		Resolution:      "Ask your IT team to allow {host} on port {port}, for web requests and WebSocket connections",
		Owner:           OwnerCustomerIT,
		Troubleshooting: "Connection failed: ask your IT team to allow {http} and WebSocket ({ws}) traffic to {host} on port {port}, including the WebSocket upgrade.",
		Documented:      "Connection timeout: Network or firewall issues: Check connectivity; whitelist WSS port.",
		Cases: []Case{
			{When: FactNoAnswer,
				Meaning: "Nothing at {host} answered: the host name does not resolve from this network, or a firewall refuses or drops the connection."},
			{When: FactAnsweredHidden,
				Meaning: "Something at {host} answered, but did not let this page read its answer: RMS-Socket allows only the pages it knows, or a proxy or web filter answered in its place."},
			proxyTunnelRefused}},
	{Kind: KindClosedNormal, Verdict: Warning, CloseCode: 1000,
		Title:           "Connected, then closed normally by the server",
		Reason:          "Normal closure",
		Meaning:         "The connection worked and RMS-Socket then closed it on purpose.",
		Resolution:      "Nothing to change here; in your integration, reconnect and emit join again",
		Owner:           OwnerCustomerDev,
		Troubleshooting: "Closed: rooms do not survive a reconnect. Emit join after every connect."},
	{Kind: KindGoingAway, Verdict: Warning, CloseCode: 1001,
		Title:           "Connected, then the server went away (maintenance)",
		Reason:          "Server going away (maintenance)",
		Meaning:         "The connection worked; RMS-Socket closed it because the server is restarting or under maintenance.",
		Resolution:      "Check again later; in your integration, reconnect after a short wait and emit join again",
		Owner:           OwnerNobody,
		Troubleshooting: "Server going away: reconnect after a short wait, longer after each failed try, then emit join after connecting."},
	{Kind: KindAuthFailedAfterUpgrade, Verdict: Error, CloseCode: 4401,
		Title:                       "Authentication failed after the WebSocket upgrade",
		Reason:                      "Authentication failed after upgrade",
		Meaning:                     "RMS-Socket accepted the connection, but after the switch to WebSocket it rejected the credentials.",
		Resolution:                  "Check your access token and customerid, then reconnect",
		Owner:                       OwnerCustomerDev,
		Troubleshooting:             "Authentication failed: access tokens live 30 minutes. Refresh the token before it expires and reconnect.",
		NoTokenResolution:           "Check the customer ID, and enter your access token if your integration uses one",
		NoTokenTroubleshooting:      "No access token was sent with this check, so RMS-Socket had none to accept.",
		TokenValid:                  tokenValid,
		TokenExpiredResolution:      "Get a fresh access token, then check again",
		TokenExpiredTroubleshooting: "Access tokens live 30 minutes: refresh yours before it expires and reconnect."},
	{Kind: KindAuthorizationRevoked, Verdict: Error, CloseCode: 4403,
		Title:           "Authorization revoked",
		Reason:          "Authorization revoked",
		Meaning:         "The connection worked until RMS-Socket revoked this customer's authorization.",
		Resolution:      "Contact LSports support",
		Owner:           OwnerLSports,
		Troubleshooting: "Authorization revoked: contact LSports support with this report."},
	{Kind: KindConnectionLost, Verdict: Error, CloseCode: 1006,
		Title:           "Connection lost",
		Reason:          "Connection closed abnormally",
		Meaning:         "The connection dropped without a close message from RMS-Socket: a proxy, firewall or network interruption cut it.",
		Resolution:      "Ask your IT team whether a proxy or firewall cuts long-lived connections to {host} on port {port}",
		Owner:           OwnerCustomerIT,
		Troubleshooting: "Connection lost: ask your IT team whether a proxy or firewall closes long-lived WebSocket connections to {host}."},
	{Kind: KindPollingOnly, Verdict: Warning,
		Title:           "Connected, but WebSocket is blocked: running on long-polling only",
		Reason:          "WebSocket upgrade failed",
		Meaning:         "RMS-Socket accepted the connection over HTTP long-polling, but the upgrade to WebSocket never happened. It works, degraded: a proxy or firewall on the way blocks WebSockets.",
		Resolution:      "Allow WebSocket ({ws}) to {host} on port {port}",
		Owner:           OwnerCustomerIT,
		Troubleshooting: "WebSocket blocked: ask your IT team to allow the WebSocket upgrade (Connection: Upgrade, Upgrade: websocket) to {host} on port {port}."},
	{Kind: KindNoMessages, Verdict: Warning,
		Title:           "Connected and joined, but no event arrived",
		Reason:          "No messages received",
		Meaning:         "The connection worked and this check sent join, but no event arrived while it waited. Events flow only when there is betting activity, so this can be normal.",
		Resolution:      "Check again during betting activity",
		Owner:           OwnerCustomerDev,
		Troubleshooting: "No messages received: a client that did not join its room gets none. Emit join after every connect in your integration; if events never arrive during betting activity, contact LSports support.",
		Documented:      "No messages received: Not joined to room: Emit join event after connecting.",
		Cases: []Case{{When: FactJoined,
			Owner:           OwnerNobody,
			Troubleshooting: "This check joined its room and waited: events come only with betting activity. If none arrive during betting activity, send this report to LSports support."}}},
	{Kind: KindNotEngineIO, Verdict: Error,
		Title:           "Something other than RMS-Socket answered",
		Reason:          "The answer was not RMS-Socket's protocol",
		Meaning:         "A request of this check was answered with something RMS-Socket never sends: a web page, a login or block page, or an answer larger than the connection allows. A proxy, a web filter, a captive portal or a wrong address answered instead of RMS-Socket. The report's messages show the first bytes it sent.",
		Resolution:      "Find who answered from the messages, and let traffic to {host} pass unchanged",
		Owner:           OwnerCustomerIT,
		Troubleshooting: "Not RMS-Socket: compare the first bytes in the report's messages with your proxy's or web filter's pages, then allow {http} and {ws} to {host} on port {port} without rewriting.",
		Cases:           []Case{gatewayAnswered, proxyAnswered}},
	{Kind: KindClosedBeforeConnect, Verdict: Error,
		Title:           "The connection closed before RMS-Socket accepted it",
		Reason:          "Closed before the connection was accepted",
		Meaning:         "The first exchange worked, but the connection ended before RMS-Socket answered the request to connect: the server closed it, sent something this page could not read, or stopped answering. No refusal came, so no reason was given. The report's messages say how it ended.",
		Resolution:      "Send this report to LSports support",
		Owner:           OwnerLSports,
		Troubleshooting: "Closed before connect: check again; if it repeats, send this report to LSports support. If a proxy sits in between, ask your IT team whether it cuts long-polling requests."},
	{Kind: KindSessionLost, Verdict: Error,
		Title:           "The session was lost between requests",
		Reason:          "Session ID unknown",
		Meaning:         "A request of an open session was answered \"Session ID unknown\": the requests of one session reached different servers. A load balancer in front of RMS-Socket without sticky sessions does this, and so does a network that sends requests out through several public IP addresses.",
		Resolution:      "Send this report to LSports support",
		Owner:           OwnerLSports,
		Troubleshooting: "Session ID unknown: LSports support can check sticky sessions on the load balancer; if your network leaves through several public IP addresses, ask your IT team to use one for {host}."},
	{Kind: KindRefusedByGateway, Verdict: Error, HTTPStatuses: []int{401, 403},
		Title:                  "Refused by something in front of RMS-Socket",
		Reason:                 "HTTP refusal before RMS-Socket",
		Meaning:                "A request was refused with HTTP 401 or 403 before RMS-Socket could answer. RMS-Socket gives its refusals, with their reason, inside the connection, so this came from something in front of it: a web filter or proxy of your network, or a gateway that checks the access token. The report's messages show the first bytes of its answer.",
		Resolution:             "Find who answered from the messages: your proxy or web filter, or an LSports gateway",
		Owner:                  OwnerCustomerIT,
		Troubleshooting:        "Refused by a gateway: if the answer is your proxy's or web filter's, ask your IT team to allow {host}; if it is LSports', check the access token and send this report to LSports support.",
		NoTokenTroubleshooting: "Refused by a gateway: if the answer is your proxy's or web filter's, ask your IT team to allow {host}; if it is LSports', no access token was sent with this check: enter yours and check again, or send this report to LSports support.",
		TokenValid:             tokenValid,
		Cases: []Case{{When: FactGateway,
			Title:                  "Refused by {answerer}",
			Meaning:                "The refusal came from {answerer} at {host}: it answered {said} before RMS-Socket saw the request. Such a gateway checks the access token.",
			Resolution:             "Make sure a current access token is sent, then check again; if it is refused again, send this report to LSports support",
			Owner:                  OwnerLSports,
			Troubleshooting:        "Gateway refusal: send a current access token issued for this customer ID; if the refusal repeats with one, send this report to LSports support.",
			NoTokenTroubleshooting: "Gateway refusal: no access token was sent with this check. Enter yours and check again; if the refusal repeats with one, send this report to LSports support."},
			proxyRefused}},
	{Kind: KindUnreadablePacket, Verdict: Error,
		Title:           "RMS-Socket sent a message this checker cannot read",
		Reason:          "A message that could not be parsed",
		Meaning:         "The connection reached RMS-Socket's protocol, but one of its messages could not be read: it was malformed, or nested or sized beyond what this checker reads. Nothing on your network cut the connection. The report's messages show how the message began.",
		Resolution:      "Send this report to LSports support",
		Owner:           OwnerLSports,
		Troubleshooting: "Unreadable message: send this report to LSports support. If a proxy that rewrites traffic sits in between, ask your IT team whether it changes the messages to {host}."},
}

// Lookup returns the table entry for a kind; an unknown kind gets the
// unknown-status row so the page always has something true to say.
func Lookup(k Kind) Entry {
	for _, e := range Table {
		if e.Kind == k {
			return e
		}
	}
	return Lookup(KindUnknownStatus)
}

// KindForHTTPStatus maps the status of a polling request answered with
// something other than 200: a row's HTTPStatuses first, then KindForStatus.
func KindForHTTPStatus(code int) Kind {
	for _, e := range Table {
		if slices.Contains(e.HTTPStatuses, code) {
			return e.Kind
		}
	}
	return KindForStatus(code)
}

// KindForAnswer maps the HTTP status of an answer that names its sender,
// a gateway or a proxy (see NameAnswer): the rows made for such answers
// (HTTPStatuses), a rate limit and a server error. Any other status is
// unexpected: a gateway's 400 or 404 is not RMS-Socket's refusal that
// shares its number.
func KindForAnswer(code int) Kind {
	if k := KindForHTTPStatus(code); k == KindRefusedByGateway || k == KindRateLimited || k == KindServerError {
		return k
	}
	return KindUnknownStatus
}

// KindForStatus maps a connect_error statusCode or an HTTP status.
func KindForStatus(code int) Kind {
	for _, e := range Table {
		if e.StatusCode == code && code != 0 {
			return e.Kind
		}
	}
	return KindUnknownStatus
}

// KindForClose maps a WebSocket close code after the upgrade; a code the
// docs do not list counts as a lost connection.
func KindForClose(code int) Kind {
	for _, e := range Table {
		if e.CloseCode == code && code != 0 {
			return e.Kind
		}
	}
	return KindConnectionLost
}
