package transport

import (
	engine "github.com/zishang520/socket.io/clients/engine/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"
)

// Set returns the transport constructors for a Socket.IO client: polling
// over fetch and WebSocket over dial. A new session always starts on
// polling, whatever order the library picks them in; WebSocket is used only
// to upgrade a session that has an id.
//
// The answer to the handshake is held until subscribed is closed (nil: not
// held). The client starts the transport before it subscribes to the
// engine's open and error events, so natively a fast answer could be lost;
// close subscribed once Connect has returned.
func Set(fetch Fetcher, dial Dialer, subscribed <-chan struct{}) *types.Set[engine.TransportCtor] {
	return types.NewSet[engine.TransportCtor](&pollingCtor{fetch, subscribed}, &webSocketCtor{pollingCtor{fetch, subscribed}, dial})
}

type pollingCtor struct {
	fetch      Fetcher
	subscribed <-chan struct{}
}

func (*pollingCtor) Name() string { return "polling" }

func (c *pollingCtor) New(s engine.Socket, o engine.SocketOptionsInterface) engine.Transport {
	return newPolling(c.fetch, c.subscribed, s, o)
}

type webSocketCtor struct {
	polling pollingCtor
	dial    Dialer
}

func (*webSocketCtor) Name() string { return "websocket" }

func (c *webSocketCtor) New(s engine.Socket, o engine.SocketOptionsInterface) engine.Transport {
	if q := o.Query(); !q.Has("sid") {
		q.Set("transport", "polling")
		return c.polling.New(s, o)
	}
	return newWebSocket(c.dial, s, o)
}
