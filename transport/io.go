package transport

import (
	"context"
	"fmt"
)

// Request is one HTTP request of the polling transport.
type Request struct {
	Method string
	URL    string
	Header map[string]string
	Body   string
}

// Response is what the page may read of an HTTP response.
type Response struct {
	Status int
	Body   string
}

// Fetcher performs HTTP requests. It returns an error only when no response
// could be read at all (refused, DNS, TLS, CORS, aborted); an HTTP error
// status is a Response.
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
	Code     int
	Reason   string
	WasClean bool
}

func (e *CloseEvent) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("websocket closed with code %d", e.Code)
	}
	return fmt.Sprintf("websocket closed with code %d: %s", e.Code, e.Reason)
}

// HTTPError is a polling request answered with a status other than 200.
type HTTPError struct {
	Method string
	URL    string
	Status int
	Body   string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("HTTP %d on %s %s", e.Status, e.Method, e.URL)
}
