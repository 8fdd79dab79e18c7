package transport

import (
	"context"
	"errors"
	"maps"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"

	engine "github.com/zishang520/socket.io/clients/engine/v3"
	"github.com/zishang520/socket.io/parsers/engine/v3/packet"
	"github.com/zishang520/socket.io/parsers/engine/v3/parser"
	"github.com/zishang520/socket.io/v3/pkg/queue"
	"github.com/zishang520/socket.io/v3/pkg/types"
)

// polling is HTTP long-polling with one GET loop and a separate, ordered
// POST queue, so writes never wait for the pending poll.
type polling struct {
	engine.Transport

	fetch      Fetcher
	header     map[string]string
	subscribed <-chan struct{} // see Config
	ctx        context.Context
	cancel     context.CancelFunc
	writes     *queue.Queue
	seq        atomic.Uint64

	mu      sync.Mutex
	polling bool // a GET is in flight
}

func newPolling(cfg Config, socket engine.Socket, opts engine.SocketOptionsInterface) engine.Transport {
	p := &polling{Transport: engine.MakeTransport(), fetch: cfg.Fetch, header: cfg.Header, subscribed: cfg.Subscribed, writes: queue.New()}
	p.Prototype(p)
	p.Construct(socket, opts)
	p.ctx, p.cancel = context.WithCancel(context.Background())
	return p
}

func (p *polling) Name() string { return "polling" }

func (p *polling) DoOpen() { p.poll() }

func (p *polling) poll() {
	p.mu.Lock()
	p.polling = true
	p.mu.Unlock()
	p.Emit("poll")
	go p.doPoll()
}

func (p *polling) doPoll() {
	body, err := p.request("GET", "")
	if p.ReadyState() == engine.TransportStateOpening && p.subscribed != nil {
		select {
		case <-p.subscribed:
		case <-p.ctx.Done():
			return
		}
	}
	if err != nil {
		p.fail("poll error", err)
		return
	}
	packets, _ := parser.Parserv4().DecodePayload(types.NewStringBufferString(body))
	for _, pkt := range packets {
		if p.ReadyState() == engine.TransportStateOpening && pkt.Type == packet.OPEN {
			p.OnOpen()
		}
		if pkt.Type == packet.CLOSE {
			p.OnClose(errors.New("transport closed by the server"))
			return
		}
		p.OnPacket(pkt)
	}
	state := p.ReadyState()
	if state == engine.TransportStateClosed {
		return
	}
	p.mu.Lock()
	p.polling = false
	p.mu.Unlock()
	p.Emit("pollComplete")
	if state == engine.TransportStateOpen {
		p.poll()
	}
}

// fail reports an I/O error unless the transport was closed on purpose,
// which aborts requests in flight.
func (p *polling) fail(reason string, err error) {
	if p.ctx.Err() != nil || p.ReadyState() == engine.TransportStateClosed {
		return
	}
	p.OnError(reason, err, nil)
}

// Pause lets an upgrade take over once the pending poll and write are done.
func (p *polling) Pause(onPause func()) {
	p.SetReadyState(engine.TransportStatePausing)
	var pending atomic.Int32
	done := func(...any) {
		if pending.Add(-1) == 0 {
			p.SetReadyState(engine.TransportStatePaused)
			onPause()
		}
	}
	pending.Store(1)
	p.mu.Lock()
	if p.polling {
		pending.Add(1)
		_ = p.Once("pollComplete", done)
	}
	p.mu.Unlock()
	if !p.Writable() {
		pending.Add(1)
		_ = p.Once("drain", done)
	}
	done()
}

func (p *polling) Write(packets []*packet.Packet) {
	p.SetWritable(false)
	p.writes.Enqueue(func() {
		data, err := parser.Parserv4().EncodePayload(packets)
		if err != nil {
			p.fail("encode error", err)
			return
		}
		if _, err := p.request("POST", data.String()); err != nil {
			p.fail("write error", err)
			return
		}
		p.SetWritable(true)
		p.Emit("drain")
	})
}

func (p *polling) DoClose() {
	if p.ReadyState() == engine.TransportStateOpen {
		closePkt, _ := parser.Parserv4().EncodePayload([]*packet.Packet{{Type: packet.CLOSE}})
		p.writes.Enqueue(func() {
			_, _ = p.request("POST", closePkt.String())
			p.cancel()
		})
		p.writes.TryClose()
		return
	}
	p.cancel()
	p.writes.TryClose()
}

// request sends one polling request; any status but 200 is an *HTTPError.
func (p *polling) request(method, body string) (string, error) {
	req := Request{Method: method, URL: p.uri(), Header: maps.Clone(p.header), Body: body}
	if req.Header == nil {
		req.Header = map[string]string{}
	}
	if method == "POST" {
		req.Header["Content-Type"] = "text/plain;charset=UTF-8"
	}
	res, err := p.fetch.Fetch(p.ctx, req)
	if err != nil {
		return "", err
	}
	if res.Status != 200 {
		u, _ := url.Parse(req.URL)
		u.RawQuery = ""
		return "", &HTTPError{Method: method, URL: u.String(), Status: res.Status, Body: res.Body}
	}
	return res.Body, nil
}

func (p *polling) uri() string {
	scheme := "http"
	if p.Opts().Secure() {
		scheme = "https"
	}
	q := url.Values{}
	for k, vs := range p.Query() {
		q[k] = append([]string(nil), vs...)
	}
	q.Set("t", strconv.FormatUint(p.seq.Add(1), 36))
	return p.CreateUri(scheme, q).String()
}
