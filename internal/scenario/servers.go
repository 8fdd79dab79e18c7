package scenario

import (
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"

	"github.com/zishang520/socket.io/servers/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/pages"
	"github.com/lsports/defendcheck/rmssim"
)

// HTMLMessage is HTMLRefuser's connect_error message: markup that must be
// shown as text, never parsed (it would add #injected and set the title).
const HTMLMessage = `<img src=x id=injected onerror="document.title='pwned'">`

// Servers are the servers of a Start, each on its own loopback origin, as
// RMS-Socket is in production.
type Servers struct {
	targets []diagnosis.Target
	stops   []func()
}

// Start serves the simulator, with opts, and the misbehaving targets.
// Close them when done.
func Start(opts rmssim.Options) (*Servers, error) {
	s := &Servers{targets: make([]diagnosis.Target, serverCount)}
	if err := s.start(opts); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Servers) start(opts rmssim.Options) error {
	sim := rmssim.New(opts)
	s.stops = append(s.stops, func() { _ = sim.Close() })
	if err := s.serve(Sim, sim); err != nil {
		return err
	}
	if err := s.serve(Stripper, stripper(s.targets[Sim].Origin)); err != nil {
		return err
	}
	// A rate limiter in front of the service.
	if err := s.serve(HTTP429, front(http.StatusTooManyRequests, "text/plain; charset=utf-8", "Too Many Requests\n")); err != nil {
		return err
	}
	html := htmlRefuser()
	s.stops = append(s.stops, func() { html.Close(nil) })
	if err := s.serve(HTMLRefuser, html.ServeHandler(nil)); err != nil {
		return err
	}
	// nginx in front of a service that is down.
	if err := s.serve(Gateway502, front(http.StatusBadGateway, "text/html", pages.Nginx502)); err != nil {
		return err
	}
	if err := s.silent(); err != nil {
		return err
	}
	return s.refused()
}

// Target is the endpoint of one server: its origin and rmssim.Path.
func (s *Servers) Target(which Server) diagnosis.Target { return s.targets[which] }

// Targets lists every server's endpoint, indexed by Server: the browser
// tests' page offers them in this order.
func (s *Servers) Targets() []diagnosis.Target { return append([]diagnosis.Target(nil), s.targets...) }

// Close stops every server and closes every connection to them.
func (s *Servers) Close() {
	for i := len(s.stops) - 1; i >= 0; i-- {
		s.stops[i]()
	}
	s.stops = nil
}

func target(addr string) diagnosis.Target {
	return diagnosis.Target{Origin: "http://" + addr, Path: rmssim.Path}
}

// serve serves h as which on 127.0.0.1:0 until Close, which drops its
// connections at once.
func (s *Servers) serve(which Server, h http.Handler) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	s.stops = append(s.stops, func() {
		_ = srv.Close()
		_ = ln.Close() // in case Serve has not yet begun, and so not taken it
	})
	s.targets[which] = target(ln.Addr().String())
	return nil
}

// stripper is a reverse proxy that removes the customerid header, as some
// corporate proxies remove headers they do not know.
func stripper(upstream string) http.Handler {
	u, _ := url.Parse(upstream)
	return &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(u)
		r.Out.Header.Del("customerid")
	}}
}

// front is a server in front of the service that lets the CORS preflight
// through and answers every other request with status and body, with the
// CORS header such a front adds to every answer ("add_header ... always"
// in nginx), so that a page can read it.
func front(status int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		if r.Method == http.MethodOptions {
			w.Header().Set("Access-Control-Allow-Headers", "customerid, authorization, content-type")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// refused makes Refused a loopback port with nothing listening.
func (s *Servers) refused() error {
	addr, err := FreeAddr()
	s.targets[Refused] = target(addr)
	return err
}

// silent makes Silent a listener that accepts connections, holds them open
// and never sends a byte.
func (s *Servers) silent() error {
	l, err := ListenSilent()
	if err != nil {
		return err
	}
	s.stops = append(s.stops, l.Close)
	s.targets[Silent] = target(l.Addr)
	return nil
}

// htmlRefuser is a real Socket.IO server that refuses every connection
// with a status the docs do not list and HTMLMessage.
func htmlRefuser() *socket.Server {
	opts := socket.DefaultServerOptions()
	opts.SetPath(rmssim.Path)
	opts.SetServeClient(false)
	opts.SetCors(&types.Cors{Origin: "*", AllowedHeaders: []string{"customerid", "authorization", "content-type"}})
	io := socket.NewServer(nil, opts)
	io.Use(func(_ *socket.Socket, next func(*socket.ExtendedError)) {
		next(socket.NewExtendedError(HTMLMessage, map[string]any{"statusCode": 418}))
	})
	return io
}
