package transport

import (
	"context"
	"encoding/json"
	"strconv"
)

// DefaultMaxPayload is Engine.IO's default maxPayload (1 MB): the most body
// bytes read before the handshake has said otherwise.
const DefaultMaxPayload = 1_000_000

// MaxPayloadCeiling bounds what a handshake may raise that cap to, so that a
// server cannot make a check read without end by claiming a huge maxPayload.
const MaxPayloadCeiling = 16 << 20

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
}

// Fetcher performs HTTP requests. It returns an error only when no response
// could be read at all (refused, DNS, TLS, CORS, aborted); an HTTP error
// status is a Response. When ctx ends the request is aborted at once, and
// the error then wraps ctx.Err().
type Fetcher interface {
	Fetch(ctx context.Context, req Request) (Response, error)
}

// Dialer opens WebSocket connections.
type Dialer interface {
	// Dial connects to url. After a nil error, onMessage receives each text
	// message and onClose is called once when the connection ends.
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
	Method string
	URL    string
	Status int
	Body   string // at most the session's cap
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
// not decode, a handshake without an open packet, or a body or message
// larger than the session allows.
type ProtocolError struct {
	Method string // GET or POST, or WebSocket for a message
	URL    string // without the query
	Reason string
	Body   string // what was read of the answer
}

func (e *ProtocolError) Error() string {
	return "not Engine.IO: " + e.Reason + " (" + e.Method + " " + e.URL + ")"
}
