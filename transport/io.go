package transport

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strconv"
)

// MaxRead is the most bytes a check reads of one HTTP body or WebSocket
// message: a bound of our own, whatever the handshake's maxPayload says
// (that is what the server accepts, not what it sends), so that a long
// but well-formed answer keeps its meaning and memory stays bounded.
const MaxRead = 4 << 20

// MaxPayloadCeiling is the most bytes a Dialer reads of one message
// (transport/native cuts a longer one): one more than MaxRead, so that a
// message just over MaxRead reaches the transport, which names it.
const MaxPayloadCeiling = MaxRead + 1

// MaxRequests is the most HTTP requests one connection of a check makes
// (a check makes at most diagnosis.MaxAttemptsPerCheck connections): a
// server that answers every request at once cannot make the check hammer
// it. A check makes about ten, a 15-minute hold over long-polling about two
// per ping interval, and RMS-Socket itself allows 100 HTTP requests per 15
// minutes per IP address, so a connection that gets here is a loop the
// server drives. Past it, a request fails with a *ProtocolError.
const MaxRequests = 1000

// BinaryMessage is a binary WebSocket message as a Dialer hands it on: "b"
// and the data in base64, as Engine.IO writes a binary packet as text.
func BinaryMessage(data []byte) string {
	return "b" + base64.StdEncoding.EncodeToString(data)
}

// Request is one HTTP request of the polling transport.
type Request struct {
	Method string
	URL    string
	Header map[string]string
	Body   string
	// Limit is the most body bytes to read (positive); a longer body is cut
	// there, the rest is never read, and Response.Truncated says so.
	Limit int64
}

// Response is what the page may read of an HTTP response.
type Response struct {
	Status    int
	Body      string // at most Request.Limit bytes
	Truncated bool   // the body was longer than Request.Limit
	// Signature are the headers that name what generated the answer, as
	// "Name: value" lines (see SignatureHeaders); "" where the transport
	// cannot read them (a browser, for another origin).
	Signature string
}

// SignatureHeaders are the headers that a server which answers in
// RMS-Socket's place sends with the answers it generates itself, and not
// with those it passes on (as Server and Via are): see
// diagnosis.NameAnswer.
var SignatureHeaders = []string{"X-Squid-Error"}

// Fetcher performs HTTP requests. It returns an error only when no response
// could be read at all (refused, DNS, TLS, CORS, aborted); an HTTP error
// status is a Response. When ctx ends the request is aborted at once, and
// the error then wraps ctx.Err().
type Fetcher interface {
	Fetch(ctx context.Context, req Request) (Response, error)
}

// Dialer opens WebSocket connections.
type Dialer interface {
	// Dial connects to url. After a nil error, onMessage receives each
	// message in order (a text message as it is, a binary one as
	// BinaryMessage makes it) and onClose is called once when the
	// connection ends.
	Dial(ctx context.Context, url string, onMessage func(string), onClose func(CloseEvent)) (Conn, error)
}

// Conn is an open WebSocket.
type Conn interface {
	// Send queues one text message.
	Send(data string) error
	// Close starts a normal closure; onClose follows.
	Close()
}

// CloseEvent is how a WebSocket ended, as the browser's CloseEvent says.
type CloseEvent struct {
	Code   int
	Reason string
}

func (e *CloseEvent) Error() string {
	if e.Reason == "" {
		return "websocket closed with code " + strconv.Itoa(e.Code)
	}
	return "websocket closed with code " + strconv.Itoa(e.Code) + ": " + e.Reason
}

// HTTPError is a polling request answered with a status other than 200.
type HTTPError struct {
	Method    string
	URL       string
	Status    int
	Body      string // at most MaxRead bytes
	Signature string // as Response.Signature
}

func (e *HTTPError) Error() string {
	return "HTTP " + strconv.Itoa(e.Status) + " on " + e.Method + " " + e.URL
}

// SessionUnknown reports whether the answer is Engine.IO's "Session ID
// unknown" (HTTP 400, {"code":1,...}): a request of the session reached a
// server that does not know it.
func (e *HTTPError) SessionUnknown() bool {
	var body struct {
		Code *int `json:"code"`
	}
	return e.Status == 400 && json.Unmarshal([]byte(e.Body), &body) == nil && body.Code != nil && *body.Code == 1
}

// ProtocolError is an answer that is not Engine.IO: a 200 whose body does
// not decode, a handshake without an open packet, a body or message over
// MaxRead, or answers that drove a connection past MaxRequests.
type ProtocolError struct {
	Method string // GET or POST, or WebSocket for a message
	URL    string // without the query
	Reason string
	Body   string // what was read of the answer
}

func (e *ProtocolError) Error() string {
	return "not Engine.IO: " + e.Reason + " (" + e.Method + " " + e.URL + ")"
}
