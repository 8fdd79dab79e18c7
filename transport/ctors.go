package transport

import (
	engine "github.com/zishang520/socket.io/clients/engine/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"
)

// Set returns the transport constructors for a Socket.IO client: polling
// over fetch and WebSocket over dial. A new session always starts on
// polling, whatever order the library picks them in; WebSocket is used only
// to upgrade a session that has an id.
func Set(fetch Fetcher, dial Dialer) *types.Set[engine.TransportCtor] {
	return types.NewSet[engine.TransportCtor](&pollingCtor{fetch}, &webSocketCtor{fetch, dial})
}

type pollingCtor struct{ fetch Fetcher }

func (*pollingCtor) Name() string { return "polling" }

func (c *pollingCtor) New(s engine.Socket, o engine.SocketOptionsInterface) engine.Transport {
	return newPolling(c.fetch, s, o)
}

type webSocketCtor struct {
	fetch Fetcher
	dial  Dialer
}

func (*webSocketCtor) Name() string { return "websocket" }

func (c *webSocketCtor) New(s engine.Socket, o engine.SocketOptionsInterface) engine.Transport {
	if q := o.Query(); !q.Has("sid") {
		q.Set("transport", "polling")
		return newPolling(c.fetch, s, o)
	}
	return newWebSocket(c.dial, s, o)
}
