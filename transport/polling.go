package transport

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

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

	sess   *Session
	ctx    context.Context // the poll's and the writes'; DoClose cancels it
	cancel context.CancelFunc
	writes *queue.Queue
	seq    atomic.Uint64

	mu      sync.Mutex
	polling bool // a GET is in flight
}

func newPolling(sess *Session, socket engine.Socket, opts engine.SocketOptionsInterface) engine.Transport {
	p := &polling{Transport: engine.MakeTransport(), sess: sess, writes: queue.New()}
	p.Prototype(p)
	p.Construct(socket, opts)
	p.ctx, p.cancel = context.WithCancel(sess.ctx)
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
	body, err := p.request(p.ctx, "GET", "", p.sess.pollTimeout())
	opening := p.ReadyState() == engine.TransportStateOpening
	if opening && p.sess.cfg.Subscribed != nil {
		select {
		case <-p.sess.cfg.Subscribed:
		case <-p.ctx.Done():
			return
		}
	}
	var packets []*packet.Packet
	if err == nil {
		packets, err = p.decode(body, opening)
	}
	if err != nil {
		p.fail("poll error", err)
		return
	}
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

// decode reads the answer to a poll. Anything but Engine.IO packets, and a
// handshake that does not open with a session, is a *ProtocolError.
func (p *polling) decode(body string, handshake bool) ([]*packet.Packet, error) {
	packets, err := parser.Parserv4().DecodePayload(types.NewStringBufferString(body))
	reason := ""
	switch {
	case err != nil:
		reason = "the answer does not decode as Engine.IO packets"
	case len(packets) == 0:
		reason = "the answer is empty"
	case handshake && packets[0].Type != packet.OPEN:
		reason = "the handshake's answer has no open packet"
	case handshake:
		data, _ := packets[0].Data.(types.BufferInterface)
		if data == nil {
			reason = "the open packet has no data"
		} else if err := p.sess.handshake(data.String()); err != nil {
			reason = err.Error()
		}
	}
	if reason != "" {
		return nil, &ProtocolError{Method: "GET", URL: p.endpoint(), Reason: reason, Body: body}
	}
	return packets, nil
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
		if _, err := p.request(p.ctx, "POST", data.String(), p.sess.cfg.Timeout); err != nil {
			p.fail("write error", err)
			return
		}
		p.SetWritable(true)
		p.Emit("drain")
	})
}

// DoClose aborts the pending poll and writes at once (a write the server
// never answers must not hold the close back), then says goodbye to the
// server with a close POST of its own, which Session.End waits for.
func (p *polling) DoClose() {
	open := p.ReadyState() == engine.TransportStateOpen
	p.cancel()
	p.writes.TryClose()
	if !open {
		return
	}
	end, ok := p.sess.start()
	if !ok {
		return
	}
	closePkt, _ := parser.Parserv4().EncodePayload([]*packet.Packet{{Type: packet.CLOSE}})
	go func() {
		defer end()
		_, _ = p.request(p.sess.ctx, "POST", closePkt.String(), p.sess.cfg.Timeout)
	}()
}

// request sends one polling request with a deadline of timeout; any status
// but 200 is an *HTTPError, and a body over MaxRead a *ProtocolError.
func (p *polling) request(ctx context.Context, method, body string, timeout time.Duration) (string, error) {
	req := Request{Method: method, URL: p.uri(), Header: maps.Clone(p.sess.cfg.Header), Body: body}
	if req.Header == nil {
		req.Header = map[string]string{}
	}
	if method == "POST" {
		req.Header["Content-Type"] = "text/plain;charset=UTF-8"
	}
	res, err := p.sess.fetch(ctx, req, timeout)
	switch {
	case err != nil:
		return "", err
	case res.Status != 200:
		return "", &HTTPError{Method: method, URL: p.endpoint(), Status: res.Status, Body: res.Body, Signature: res.Signature}
	case res.Truncated:
		return "", &ProtocolError{Method: method, URL: p.endpoint(), Body: res.Body,
			Reason: fmt.Sprintf("the answer is longer than %d bytes, the most this check reads", MaxRead)}
	}
	return res.Body, nil
}

// endpoint is the URL of the session's requests without the query, as
// messages show it.
func (p *polling) endpoint() string { return p.CreateUri(p.scheme(), nil).String() }

func (p *polling) uri() string {
	q := url.Values{}
	for k, vs := range p.Query() {
		q[k] = append([]string(nil), vs...)
	}
	q.Set("t", strconv.FormatUint(p.seq.Add(1), 36))
	return p.CreateUri(p.scheme(), q).String()
}

func (p *polling) scheme() string {
	if p.Opts().Secure() {
		return "https"
	}
	return "http"
}
