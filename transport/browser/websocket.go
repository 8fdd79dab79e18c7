//go:build js && wasm

package browser

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/hack-pad/safejs"

	"github.com/lsports/defendcheck/internal/jsutil"

	"github.com/lsports/defendcheck/transport"
)

// Dialer is transport.Dialer over the browser's WebSocket. Its close
// callback carries the CloseEvent's code and reason: the only way a page
// can see 4401 or 4403. Browser error events carry no detail, so a
// failure is reported from the close event that follows.
type Dialer struct{}

type conn struct {
	ws    safejs.Value
	funcs []safejs.Func
	once  sync.Once
}

func (Dialer) Dial(ctx context.Context, url string, onMessage func(string), onClose func(transport.CloseEvent)) (transport.Conn, error) {
	ws, err := jsutil.New("WebSocket", url)
	if err != nil {
		return nil, err
	}
	// Binary frames as bytes (the default, a Blob, is read only
	// asynchronously); see message.
	if err := ws.Set("binaryType", "arraybuffer"); err != nil {
		return nil, err
	}
	c := &conn{ws: ws}
	opened := make(chan struct{}, 1)
	closed := make(chan transport.CloseEvent, 1) // a close before the open
	var isOpen atomic.Bool
	in := transport.NewInbox(onMessage, onClose)
	for _, l := range []struct {
		event string
		fn    func(safejs.Value)
	}{
		{"open", func(safejs.Value) { isOpen.Store(true); opened <- struct{}{} }},
		{"message", func(ev safejs.Value) { in.Message(message(ev)) }},
		{"close", func(ev safejs.Value) {
			reason, _ := jsutil.String(ev, "reason")
			ce := transport.CloseEvent{Code: jsutil.Int(ev, "code"), Reason: reason}
			c.release()
			if isOpen.Load() {
				in.Close(ce)
			} else {
				closed <- ce
			}
		}},
	} {
		f, err := jsutil.Listen(ws, l.event, l.fn)
		if err == nil {
			c.funcs = append(c.funcs, f)
		} else {
			in.Abandon()
			c.Close()
			return nil, err
		}
	}
	select {
	case <-opened:
		return c, nil
	case ce := <-closed:
		in.Abandon()
		return nil, &ce
	case <-ctx.Done():
		in.Abandon()
		c.Close()
		return nil, ctx.Err()
	}
}

// message is a message event's data as the Dialer contract hands it on: a
// text message as it is, a binary one (an ArrayBuffer) as
// transport.BinaryMessage makes it, read to at most one byte over
// transport.MaxRead, which the transport then refuses.
func message(ev safejs.Value) string {
	data, err := ev.Get("data")
	if err != nil {
		return ""
	}
	if data.Type() == safejs.TypeString {
		s, _ := data.String()
		return s
	}
	n := min(jsutil.Int(data, "byteLength"), transport.MaxRead+1)
	view, err := jsutil.New("Uint8Array", data, 0, n)
	if err != nil {
		return ""
	}
	buf := make([]byte, n)
	_, _ = safejs.CopyBytesToGo(buf, view)
	return transport.BinaryMessage(buf)
}

func (c *conn) Send(data string) error {
	_, err := c.ws.Call("send", data)
	return err
}

func (c *conn) Close() {
	_, _ = c.ws.Call("close", 1000)
}

// release frees the event listeners once the socket has closed.
func (c *conn) release() {
	c.once.Do(func() {
		for _, f := range c.funcs {
			f.Release()
		}
	})
}
