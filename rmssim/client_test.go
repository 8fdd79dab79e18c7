package rmssim_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	socket "github.com/zishang520/socket.io/clients/socket/v3"
	"github.com/zishang520/socket.io/parsers/engine/v3/packet"
	"github.com/zishang520/socket.io/v3/pkg/types"

	"github.com/lsports/defendcheck/rmssim"
	"github.com/lsports/defendcheck/transport"
	"github.com/lsports/defendcheck/transport/native"
)

// outcome is what a client saw of one connection. Whether a refused
// connection had upgraded before the refusal arrived is a race in every
// client, so it is not part of a refusal's outcome. The Go client below and
// testdata/peer/peer.mjs (the official JavaScript client) print the same
// shape, so their outcomes can be compared field by field.
type outcome struct {
	Connected  bool   `json:"connected"`
	StatusCode *int   `json:"statusCode"`
	Message    string `json:"message"`
	CloseCode  *int   `json:"closeCode"`
	Upgraded   bool   `json:"upgraded"`
	Event      string `json:"event"`
	TimedOut   bool   `json:"timedOut"`
}

const (
	clientDeadline = 10 * time.Second       // the whole connection, as in peer.mjs: a cap, under load too
	settleTime     = 500 * time.Millisecond // watching for a close after the first event
)

// connect opens one Socket.IO connection with the Go client from the same
// module family as the server (clients/socket/v3), over this project's
// native transports (which report WebSocket close codes). customerID nil
// sends no customerid header. It emits join once connected.
func connect(t *testing.T, url string, customerID *string, authorization string) outcome {
	t.Helper()
	header := map[string]string{}
	if customerID != nil {
		header["customerid"] = *customerID
	}
	if authorization != "" {
		header["Authorization"] = authorization
	}
	opts := socket.DefaultOptions()
	opts.SetPath(rmssim.Path)
	opts.SetReconnection(false)
	opts.SetAutoConnect(false)
	opts.SetTimeout(8 * time.Second)
	subscribed := make(chan struct{})
	opts.SetTransports(transport.NewSession(transport.Config{
		Fetch: native.Fetcher{}, Dial: native.Dialer{}, Header: header, Subscribed: subscribed,
	}).Transports())

	c := &client{done: make(chan struct{})}
	mgr := socket.NewManager(url, opts)
	sock := mgr.Socket("/", nil)
	_ = mgr.On("open", func(...any) { c.watchEngine(mgr.Engine()) })
	_ = sock.On("connect_error", c.connectError)
	_ = sock.On("connect", func(...any) {
		c.mu.Lock()
		c.out.Connected = true
		c.mu.Unlock()
		sock.Emit("join")
	})
	_ = sock.On("disconnect", c.disconnected)
	sock.Connect()
	close(subscribed)
	select {
	case <-c.done:
	case <-time.After(clientDeadline):
		c.mu.Lock()
		c.out.TimedOut = true
		c.mu.Unlock()
	}
	sock.Disconnect()
	c.mu.Lock()
	defer c.mu.Unlock()
	return normalize(c.out)
}

// client is what connect sees of its connection. It is done at a refusal
// or a disconnect, or once the upgrade has resolved and settleTime has
// passed after the first event.
type client struct {
	mu              sync.Mutex
	out             outcome
	upgradeResolved bool
	settled         bool
	done            chan struct{}
	once            sync.Once
}

func (c *client) finish() { c.once.Do(func() { close(c.done) }) }

// maybeFinish finishes once the upgrade has resolved and the watch after
// the first event is over. c.mu is held.
func (c *client) maybeFinish() {
	if c.settled && c.upgradeResolved {
		c.finish()
	}
}

// watchEngine follows the engine's upgrade and reads events at the engine,
// in arrival order (see transport.EventName).
func (c *client) watchEngine(eng socket.Engine) {
	_ = eng.On("upgrade", func(...any) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.out.Upgraded, c.upgradeResolved = true, true
		c.maybeFinish()
	})
	_ = eng.On("upgradeError", func(...any) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.upgradeResolved = true
		c.maybeFinish()
	})
	_ = eng.On("packet", func(args ...any) {
		p, _ := args[0].(*packet.Packet)
		name, ok := transport.EventName(p)
		c.mu.Lock()
		defer c.mu.Unlock()
		if !ok || c.out.Event != "" {
			return
		}
		c.out.Event = name
		time.AfterFunc(settleTime, func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.settled = true
			c.maybeFinish()
		})
	})
}

// connectError records a refusal: its message and data.statusCode.
func (c *client) connectError(args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.finish()
	if len(args) == 0 {
		return
	}
	if err, ok := args[0].(error); ok {
		c.out.Message = err.Error()
	}
	ee, ok := args[0].(*types.ExtendedError)
	if !ok {
		return
	}
	c.out.Message = ee.Message
	if data, ok := ee.Data.(map[string]any); ok {
		if code, ok := data["statusCode"].(float64); ok {
			c.out.StatusCode = ptr(int(code))
		}
	}
}

// disconnected records the close code of the WebSocket, if one ended it.
func (c *client) disconnected(args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, a := range args {
		var ce *transport.CloseEvent
		if err, ok := a.(error); ok && errors.As(err, &ce) {
			c.out.CloseCode = ptr(ce.Code)
		}
	}
	c.finish()
}

// normalize drops what is a race rather than the server's behaviour.
func normalize(o outcome) outcome {
	if !o.Connected && o.StatusCode != nil {
		o.Upgraded = false
	}
	return o
}
