// Package native implements transport.Fetcher and transport.Dialer with
// net/http and gorilla/websocket, for checks and tests that run outside a
// browser, and a Prober that tells, as a browser cannot, why nothing
// answered at a target.
package native

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/lsports/defendcheck/transport"
)

// Fetcher does polling requests with an http.Client.
type Fetcher struct {
	Client *http.Client // nil means http.DefaultClient
}

// Fetch implements transport.Fetcher. It reads at most r.Limit body bytes
// and closes the rest unread, so that a body that never ends costs no more.
// It never follows a redirect, whatever the client's CheckRedirect: the
// request's Authorization would go with it to wherever Location points
// (net/http compares host names only, so another port, or http on the same
// host, would get it). A 3xx is the answer, its body led by what it
// pointed to (see redirected).
//
// The body is redacted of the proxy's credentials (see redactProxy).
func (f Fetcher) Fetch(ctx context.Context, r transport.Request) (transport.Response, error) {
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, strings.NewReader(r.Body))
	if err != nil {
		return transport.Response{}, err
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	client := http.Client{}
	if f.Client != nil {
		client = *f.Client
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := client.Do(req)
	if err != nil {
		return transport.Response{}, transport.Aborted(ctx, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, r.Limit+1))
	if err != nil {
		return transport.Response{}, transport.Aborted(ctx, err)
	}
	// A proxy may echo the credentials it was sent.
	out := transport.Response{Status: res.StatusCode, Body: redactProxy(string(body), requestProxy(client, req)), Signature: signature(res.Header)}
	if int64(len(body)) > r.Limit {
		out.Body, out.Truncated = out.Body[:r.Limit], true
	}
	if r := redirected(res); r != "" {
		out.Body = r + "; " + out.Body
	}
	return out, nil
}

// signature is h's transport.SignatureHeaders, as "Name: value" lines.
func signature(h http.Header) string {
	var lines []string
	for _, name := range transport.SignatureHeaders {
		if v := h.Get(name); v != "" {
			lines = append(lines, name+": "+v)
		}
	}
	return strings.Join(lines, "\n")
}

// redirected says where a redirect res pointed and that it was not
// followed, "" when res is not a redirect.
func redirected(res *http.Response) string {
	loc := res.Header.Get("Location")
	if res.StatusCode < 300 || res.StatusCode > 399 || loc == "" {
		return ""
	}
	return fmt.Sprintf("a redirect to %q, not followed (no credential goes to where a redirect points)", loc)
}

// Dialer opens WebSockets with gorilla/websocket. Like a browser it sends
// no custom headers on the upgrade, and a dial ends when its context does,
// as a browser's WebSocket is closed. A message longer than
// transport.MaxPayloadCeiling ends the connection before it is read whole
// (reported as 1006, as a browser reports a connection it failed); the
// transport holds messages to transport.MaxRead. Binary messages come as
// transport.BinaryMessage.
type Dialer struct {
	// Proxy picks the proxy for a WebSocket, given its URL with the http
	// or https scheme; nil means http.ProxyFromEnvironment, as for
	// gorilla/websocket's default dialer and http.DefaultClient.
	Proxy func(*http.Request) (*url.URL, error)
}

// Dial implements transport.Dialer.
func (d Dialer) Dial(ctx context.Context, wsURL string, onMessage func(string), onClose func(transport.CloseEvent)) (transport.Conn, error) {
	dialer := *websocket.DefaultDialer
	if d.Proxy != nil {
		dialer.Proxy = d.Proxy
	}
	abort := &abortOnDone{ctx: ctx}
	dialer.NetDialContext = abort.dial
	ws, res, err := dialer.DialContext(ctx, wsURL, nil)
	abort.stop()
	if err != nil {
		// A browser reports any failed WebSocket as close code 1006.
		// gorilla/websocket follows no redirect: a 3xx is a bad handshake.
		if res != nil {
			_ = res.Body.Close()
			err = fmt.Errorf("%w: HTTP %d", err, res.StatusCode)
			if r := redirected(res); r != "" {
				err = fmt.Errorf("%w, %s", err, r)
			}
		}
		// The library's proxy code may quote the proxy's answer, which may
		// echo the credentials it was sent.
		return nil, fmt.Errorf("%w (%s)", &transport.CloseEvent{Code: websocket.CloseAbnormalClosure}, redactProxy(err.Error(), d.proxyFor(wsURL)))
	}
	ws.SetReadLimit(transport.MaxPayloadCeiling)
	c := &conn{ws: ws}
	go c.read(onMessage, onClose)
	return c, nil
}

// proxyFor is the proxy a dial of wsURL goes through, nil for none.
func (d Dialer) proxyFor(wsURL string) *url.URL {
	u, err := url.Parse(wsURL)
	if err != nil {
		return nil
	}
	u.Scheme = strings.Replace(u.Scheme, "ws", "http", 1) // as the dialer asks Proxy
	pick := d.Proxy
	if pick == nil {
		pick = http.ProxyFromEnvironment
	}
	proxy, _ := pick(&http.Request{URL: u, Header: http.Header{}})
	return proxy
}

// abortOnDone ends a dial's connections when ctx ends, until stop.
// gorilla/websocket reads the answer to the upgrade request with no regard
// for ctx, only for its deadline: without this, a check that ended would
// leave its upgrade open until then.
type abortOnDone struct {
	ctx   context.Context
	mu    sync.Mutex
	stops []func() bool
}

func (a *abortOnDone) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(a.ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stops = append(a.stops, stop)
	return c, nil
}

// stop ends the watch once the dial has returned: a.ctx may end then
// without ending the WebSocket.
func (a *abortOnDone) stop() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, stop := range a.stops {
		stop()
	}
}

type conn struct {
	ws *websocket.Conn
	mu sync.Mutex // gorilla allows one writer at a time
}

func (c *conn) read(onMessage func(string), onClose func(transport.CloseEvent)) {
	for {
		kind, data, err := c.ws.ReadMessage()
		if err == nil {
			if kind == websocket.BinaryMessage {
				onMessage(transport.BinaryMessage(data))
			} else {
				onMessage(string(data))
			}
			continue
		}
		_ = c.ws.Close()
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			onClose(transport.CloseEvent{Code: ce.Code, Reason: ce.Text})
		} else {
			onClose(transport.CloseEvent{Code: websocket.CloseAbnormalClosure})
		}
		return
	}
}

func (c *conn) Send(data string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ws.WriteMessage(websocket.TextMessage, []byte(data))
}

func (c *conn) Close() {
	_ = c.ws.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	_ = c.ws.Close()
}
