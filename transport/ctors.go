package transport

import (
	"context"
	"time"

	engine "github.com/zishang520/socket.io/clients/engine/v3"
)

// DefaultTimeout is a request's own deadline when Config leaves it 0.
const DefaultTimeout = 10 * time.Second

// Config is what the transports need besides the library's options.
type Config struct {
	Fetch Fetcher
	Dial  Dialer
	// Header goes on every polling request. It is kept here rather than in
	// the library's extra headers: a browser cannot send headers on a
	// WebSocket handshake anyway, and this keeps net/http out of the
	// browser build.
	Header map[string]string
	// Subscribed holds the answer to the handshake until it is closed (nil:
	// not held). The client starts the transport before it subscribes to
	// the engine's open and error events, so natively a fast answer could
	// be lost; close it once Connect has returned.
	Subscribed <-chan struct{}
	// Context is the connection's lifetime: when it ends, every request
	// and WebSocket of the transports ends (nil: until Session.End).
	Context context.Context
	// Timeout is each request's and each dial's own deadline; a long-poll
	// gets the session's ping interval on top, since the server may hold
	// it that long (0: DefaultTimeout).
	Timeout time.Duration
}

type pollingCtor struct{ sess *Session }

func (*pollingCtor) Name() string { return "polling" }

func (c *pollingCtor) New(s engine.Socket, o engine.SocketOptionsInterface) engine.Transport {
	return newPolling(c.sess, s, o)
}

type webSocketCtor struct{ polling pollingCtor }

func (*webSocketCtor) Name() string { return "websocket" }

func (c *webSocketCtor) New(s engine.Socket, o engine.SocketOptionsInterface) engine.Transport {
	if q := o.Query(); !q.Has("sid") {
		q.Set("transport", "polling")
		return c.polling.New(s, o)
	}
	return newWebSocket(c.polling.sess, s, o)
}
