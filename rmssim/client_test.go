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
	clientDeadline = 4 * time.Second        // the whole connection, as in peer.mjs
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
	opts.SetTimeout(3 * time.Second)
	subscribed := make(chan struct{})
	opts.SetTransports(transport.NewSession(transport.Config{
		Fetch: native.Fetcher{}, Dial: native.Dialer{}, Header: header, Subscribed: subscribed,
	}).Transports())

	var (
		mu              sync.Mutex
		out             outcome
		upgradeResolved bool
		settled         bool
	)
	done := make(chan struct{})
	var once sync.Once
	finish := func() { once.Do(func() { close(done) }) }
	maybeFinish := func() {
		if settled && upgradeResolved {
			finish()
		}
	}

	mgr := socket.NewManager(url, opts)
	sock := mgr.Socket("/", nil)
	_ = mgr.On("open", func(...any) {
		eng := mgr.Engine()
		_ = eng.On("upgrade", func(...any) {
			mu.Lock()
			defer mu.Unlock()
			out.Upgraded, upgradeResolved = true, true
			maybeFinish()
		})
		_ = eng.On("upgradeError", func(...any) {
			mu.Lock()
			defer mu.Unlock()
			upgradeResolved = true
			maybeFinish()
		})
		// Events are read at the engine, in arrival order (see transport.EventName).
		_ = eng.On("packet", func(args ...any) {
			p, _ := args[0].(*packet.Packet)
			name, ok := transport.EventName(p)
			mu.Lock()
			defer mu.Unlock()
			if !ok || out.Event != "" {
				return
			}
			out.Event = name
			time.AfterFunc(settleTime, func() {
				mu.Lock()
				defer mu.Unlock()
				settled = true
				maybeFinish()
			})
		})
	})
	_ = sock.On("connect_error", func(args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(args) > 0 {
			if ee, ok := args[0].(*types.ExtendedError); ok {
				out.Message = ee.Message
				if data, ok := ee.Data.(map[string]any); ok {
					if code, ok := data["statusCode"].(float64); ok {
						c := int(code)
						out.StatusCode = &c
					}
				}
			} else if err, ok := args[0].(error); ok {
				out.Message = err.Error()
			}
		}
		finish()
	})
	_ = sock.On("connect", func(...any) {
		mu.Lock()
		out.Connected = true
		mu.Unlock()
		sock.Emit("join")
	})
	_ = sock.On("disconnect", func(args ...any) {
		mu.Lock()
		defer mu.Unlock()
		for _, a := range args {
			var ce *transport.CloseEvent
			if err, ok := a.(error); ok && errors.As(err, &ce) {
				code := ce.Code
				out.CloseCode = &code
			}
		}
		finish()
	})
	sock.Connect()
	close(subscribed)
	select {
	case <-done:
	case <-time.After(clientDeadline):
		mu.Lock()
		out.TimedOut = true
		mu.Unlock()
	}
	sock.Disconnect()
	mu.Lock()
	defer mu.Unlock()
	return normalize(out)
}

// normalize drops what is a race rather than the server's behaviour.
func normalize(o outcome) outcome {
	if !o.Connected && o.StatusCode != nil {
		o.Upgraded = false
	}
	return o
}
