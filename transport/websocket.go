package transport

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
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

	sess   *Session
	ctx    context.Context // the connection's; DoClose cancels it, which closes it
	cancel context.CancelFunc
	writes *queue.Queue

	mu   sync.Mutex
	conn Conn
}

func newWebSocket(sess *Session, socket engine.Socket, opts engine.SocketOptionsInterface) engine.Transport {
	w := &websocket{Transport: engine.MakeTransport(), sess: sess, writes: queue.New()}
	w.Prototype(w)
	w.Construct(socket, opts)
	w.ctx, w.cancel = context.WithCancel(sess.ctx)
	return w
}

func (w *websocket) Name() string { return "websocket" }

func (w *websocket) DoOpen() { go w.open() }

func (w *websocket) open() {
	conn, err := w.sess.dial(w.ctx, w.uri(), w.onMessage, w.onClose)
	if err != nil {
		if w.ctx.Err() == nil {
			w.Emit("error", err)
		}
		return
	}
	w.mu.Lock()
	w.conn = conn
	w.mu.Unlock()
	// The connection lasts as long as the transport and the session: at
	// once if either has already ended.
	context.AfterFunc(w.ctx, conn.Close)
	if w.ctx.Err() == nil {
		w.OnOpen()
	}
}

// onMessage passes on one Engine.IO packet, text or binary (see
// BinaryMessage); a message over MaxRead, or one that does not decode, is a
// *ProtocolError.
func (w *websocket) onMessage(data string) {
	if w.ctx.Err() != nil {
		return
	}
	size := len(data)
	if strings.HasPrefix(data, "b") {
		size = base64.StdEncoding.DecodedLen(size - 1)
	}
	reason := ""
	var pkt *packet.Packet
	var err error
	if size <= MaxRead {
		pkt, err = parser.Parserv4().DecodePacket(types.NewStringBufferString(data))
	}
	switch {
	case size > MaxRead:
		reason = fmt.Sprintf("a message is longer than %d bytes, the most this check reads", MaxRead)
	case err != nil:
		reason = "a message does not decode as an Engine.IO packet"
	}
	if reason != "" {
		w.OnError("websocket message error", &ProtocolError{Method: "WebSocket", URL: w.CreateUri(w.scheme(), nil).String(), Reason: reason, Body: data}, nil)
		return
	}
	w.OnPacket(pkt)
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

// DoClose ends the connection (see open) and the writes.
func (w *websocket) DoClose() {
	w.cancel()
	w.writes.TryClose()
}

func (w *websocket) connection() Conn {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.conn
}

func (w *websocket) uri() string {
	q := url.Values{}
	for k, vs := range w.Query() {
		q[k] = append([]string(nil), vs...)
	}
	return w.CreateUri(w.scheme(), q).String()
}

func (w *websocket) scheme() string {
	if w.Opts().Secure() {
		return "wss"
	}
	return "ws"
}
