//go:build js && wasm

package main

import (
	"context"
	"sync"

	"github.com/hack-pad/safejs"

	"github.com/lsports/defendcheck/transport"
)

// browserDialer is transport.Dialer over the browser's WebSocket. Its close
// callback carries the CloseEvent's code and reason: the only way a page
// can see 4401 or 4403. Browser error events carry no detail, so a
// failure is reported from the close event that follows.
type browserDialer struct{}

type browserConn struct {
	ws    safejs.Value
	funcs []safejs.Func
	once  sync.Once
}

func (browserDialer) Dial(ctx context.Context, url string, onMessage func(string), onClose func(transport.CloseEvent)) (transport.Conn, error) {
	ws, err := construct("WebSocket", url)
	if err != nil {
		return nil, err
	}
	c := &browserConn{ws: ws}
	opened := make(chan struct{}, 1)
	closed := make(chan transport.CloseEvent, 1)
	var dialing sync.Mutex // guards isOpen between the callbacks and Dial
	isOpen := false

	listen := func(event string, fn func(safejs.Value)) error {
		f, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
			fn(arg(args, 0))
			return nil
		})
		if err != nil {
			return err
		}
		c.funcs = append(c.funcs, f)
		_, err = ws.Call("addEventListener", event, f)
		return err
	}
	in := newInbox(onMessage, onClose)
	err = listen("open", func(safejs.Value) {
		dialing.Lock()
		isOpen = true
		dialing.Unlock()
		opened <- struct{}{}
	})
	if err == nil {
		err = listen("message", func(ev safejs.Value) {
			data, _ := getString(ev, "data")
			in.push(inboxItem{data: data})
		})
	}
	if err == nil {
		err = listen("close", func(ev safejs.Value) {
			reason, _ := getString(ev, "reason")
			ce := transport.CloseEvent{Code: getInt(ev, "code"), Reason: reason}
			c.release()
			dialing.Lock()
			wasOpen := isOpen
			dialing.Unlock()
			if wasOpen {
				in.push(inboxItem{close: &ce})
			} else {
				closed <- ce
			}
		})
	}
	if err != nil {
		in.abandon()
		c.Close()
		return nil, err
	}
	select {
	case <-opened:
		return c, nil
	case ce := <-closed:
		in.abandon()
		return nil, &ce
	case <-ctx.Done():
		in.abandon()
		c.Close()
		return nil, ctx.Err()
	}
}

func (c *browserConn) Send(data string) error {
	_, err := c.ws.Call("send", data)
	return err
}

func (c *browserConn) Close() {
	_, _ = c.ws.Call("close", 1000)
}

// release frees the event listeners once the socket has closed.
func (c *browserConn) release() {
	c.once.Do(func() {
		for _, f := range c.funcs {
			f.Release()
		}
	})
}

// inbox hands a connection's messages and its close to the transport in
// order, on a goroutine of its own: a JS callback only appends and returns.
type inbox struct {
	mu      sync.Mutex
	items   []inboxItem
	stopped bool
	wake    chan struct{}
	message func(string)
	close   func(transport.CloseEvent)
}

type inboxItem struct {
	data  string
	close *transport.CloseEvent
}

func newInbox(message func(string), close func(transport.CloseEvent)) *inbox {
	in := &inbox{wake: make(chan struct{}, 1), message: message, close: close}
	go in.run()
	return in
}

// abandon stops the inbox of a connection whose dial failed; later pushes
// are dropped.
func (in *inbox) abandon() {
	in.mu.Lock()
	defer in.mu.Unlock()
	if !in.stopped {
		in.stopped = true
		close(in.wake)
	}
}

func (in *inbox) push(it inboxItem) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.stopped {
		return
	}
	in.items = append(in.items, it)
	select {
	case in.wake <- struct{}{}:
	default:
	}
}

func (in *inbox) run() {
	for range in.wake {
		in.mu.Lock()
		items := in.items
		in.items = nil
		in.mu.Unlock()
		for _, it := range items {
			if it.close != nil {
				in.close(*it.close)
				return
			}
			in.message(it.data)
		}
	}
}
