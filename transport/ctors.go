package transport

import (
	engine "github.com/zishang520/socket.io/clients/engine/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"
)

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
}

// Set returns the transport constructors for a Socket.IO client: polling
// over c.Fetch and WebSocket over c.Dial. A new session always starts on
// polling, whatever order the library picks them in; WebSocket is used only
// to upgrade a session that has an id.
func Set(c Config) *types.Set[engine.TransportCtor] {
	return types.NewSet[engine.TransportCtor](&pollingCtor{c}, &webSocketCtor{pollingCtor{c}})
}

type pollingCtor struct{ cfg Config }

func (*pollingCtor) Name() string { return "polling" }

func (c *pollingCtor) New(s engine.Socket, o engine.SocketOptionsInterface) engine.Transport {
	return newPolling(c.cfg, s, o)
}

type webSocketCtor struct{ polling pollingCtor }

func (*webSocketCtor) Name() string { return "websocket" }

func (c *webSocketCtor) New(s engine.Socket, o engine.SocketOptionsInterface) engine.Transport {
	if q := o.Query(); !q.Has("sid") {
		q.Set("transport", "polling")
		return c.polling.New(s, o)
	}
	return newWebSocket(c.polling.cfg.Dial, s, o)
}
