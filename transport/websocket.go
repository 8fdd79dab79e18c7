package transport

import (
	"context"
	"net/url"
	"sync"

	engine "github.com/zishang520/socket.io/clients/engine/v3"
	"github.com/zishang520/socket.io/parsers/engine/v3/packet"
	"github.com/zishang520/socket.io/parsers/engine/v3/parser"
	"github.com/zishang520/socket.io/v3/pkg/queue"
	"github.com/zishang520/socket.io/v3/pkg/types"
)

// websocket carries an upgraded session over a Conn from a Dialer and
// closes with the connection's *CloseEvent.
type websocket struct {
	engine.Transport

	dial   Dialer
	ctx    context.Context
	cancel context.CancelFunc
	writes *queue.Queue

	mu   sync.Mutex
	conn Conn
}

func newWebSocket(dial Dialer, socket engine.Socket, opts engine.SocketOptionsInterface) engine.Transport {
	w := &websocket{Transport: engine.MakeTransport(), dial: dial, writes: queue.New()}
	w.Prototype(w)
	w.Construct(socket, opts)
	w.ctx, w.cancel = context.WithCancel(context.Background())
	return w
}

func (w *websocket) Name() string { return "websocket" }

func (w *websocket) DoOpen() { go w.open() }

func (w *websocket) open() {
	conn, err := w.dial.Dial(w.ctx, w.uri(), w.onMessage, w.onClose)
	if err != nil {
		if w.ctx.Err() == nil {
			w.Emit("error", err)
		}
		return
	}
	w.mu.Lock()
	w.conn = conn
	w.mu.Unlock()
	if w.ctx.Err() != nil {
		conn.Close()
		return
	}
	w.OnOpen()
}

func (w *websocket) onMessage(data string) {
	w.OnData(types.NewStringBufferString(data))
}

func (w *websocket) onClose(ev CloseEvent) {
	if w.ReadyState() == engine.TransportStateClosed {
		return
	}
	w.OnClose(&ev)
}

func (w *websocket) Write(packets []*packet.Packet) {
	w.SetWritable(false)
	w.writes.Enqueue(func() {
		for _, pkt := range packets {
			data, err := parser.Parserv4().EncodePacket(pkt, false)
			if err == nil {
				err = w.connection().Send(data.String())
			}
			if err != nil {
				w.OnError("websocket write error", err, nil)
				return
			}
		}
		w.SetWritable(true)
		w.Emit("drain")
	})
}

func (w *websocket) DoClose() {
	w.cancel()
	w.writes.TryClose()
	if conn := w.connection(); conn != nil {
		conn.Close()
	}
}

func (w *websocket) connection() Conn {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.conn
}

func (w *websocket) uri() string {
	scheme := "ws"
	if w.Opts().Secure() {
		scheme = "wss"
	}
	q := url.Values{}
	for k, vs := range w.Query() {
		q[k] = append([]string(nil), vs...)
	}
	return w.CreateUri(scheme, q).String()
}
