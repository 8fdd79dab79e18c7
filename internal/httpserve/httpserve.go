// Package httpserve runs an HTTP server on a loopback or given address with
// the timeouts every defendcheck server needs: the page's, the simulator's
// and the test servers'. It links nothing of the page, so the simulator
// command uses it without the page's assets and brotli.
package httpserve

import (
	"context"
	"net"
	"net/http"
	"time"
)

// Server is a running HTTP server.
type Server struct {
	srv *http.Server
	ln  net.Listener
}

// Listen's server timeouts.
//
// writeTimeout bounds one response, from the end of its request's headers.
// The longest is the page's WebAssembly, over a megabyte even gzipped (for
// a browser without brotli): on a poor mobile link (64 kbit/s, 8 kB/s) it
// takes minutes, and 5 min leaves room for TCP's slow start, a slower link
// or a somewhat larger build, and still frees a client that stopped
// reading. The simulator's responses are far shorter: a long-poll
// waits at most its 25 s ping interval, and an upgraded WebSocket has no
// deadline (gorilla/websocket clears it).
//
// idleTimeout closes a keep-alive connection that sent no request for
// 2 min. A page load's requests come within seconds of each other, and a
// check's back to back, so waiting longer only holds the sockets of tabs
// that are done. Without it (and with no ReadTimeout) they stay forever.
//
// readHeaderTimeout: a request's line and headers, a few hundred bytes,
// arrive within 10 s even at 8 kB/s; it drops a client that opens a
// connection and never finishes a request (slowloris).
//
// readTimeout bounds reading a whole request, its body too: without it a
// request whose body never comes holds its connection for as long as the
// client wishes. The bodies served here are small (the page takes none; a
// check's Socket.IO POSTs are a few hundred bytes) and arrive within
// seconds even at 8 kB/s. It ends no handler: net/http cancels no request
// for it, and gorilla/websocket clears it on an upgrade.
const (
	writeTimeout      = 5 * time.Minute
	idleTimeout       = 2 * time.Minute
	readHeaderTimeout = 10 * time.Second
	readTimeout       = time.Minute
)

// Listen serves h on addr ("127.0.0.1:0" picks a free port) until Close.
func Listen(addr string, h http.Handler) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{ln: ln, srv: &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
	}}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// URL is the server's base URL, e.g. http://127.0.0.1:8080.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Close stops the server, giving open requests a second to finish.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		return s.srv.Close()
	}
	return nil
}
