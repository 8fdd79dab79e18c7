package native

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"

	"github.com/lsports/defendcheck/diagnosis"
)

// DefaultProbeTimeout bounds a Prober's whole probe when its Timeout is 0:
// the deadline of one of a check's requests.
const DefaultProbeTimeout = 10 * time.Second

// Prober tells why nothing answered at a target, as a browser cannot: the
// name does not resolve, the port refuses, the TLS handshake fails, or
// nothing answers in time. It connects as the Fetcher and Dialer do: where
// a proxy applies it probes the proxy and, for an https target, the
// tunnel through it and the TLS handshake at its end.
type Prober struct {
	// Resolver looks host names up; nil means net.DefaultResolver.
	Resolver *net.Resolver
	// Proxy picks the proxy for the target's URL; nil means
	// http.ProxyFromEnvironment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY).
	Proxy func(*http.Request) (*url.URL, error)
	// TLSConfig is the base of the TLS handshake; nil means the system's
	// roots.
	TLSConfig *tls.Config
	// Timeout bounds the whole probe; 0 means DefaultProbeTimeout.
	Timeout time.Duration
}

// Probe probes t with the zero Prober: the system's resolver and roots and
// the proxy from the environment. It has the type of check.Config.Probe.
func Probe(ctx context.Context, t diagnosis.Target) diagnosis.Probe {
	return Prober{}.Probe(ctx, t)
}

// Probe resolves t's host, connects to its port (the scheme's default when
// it names none) and, for https, completes a TLS handshake. Every string
// it returns is cleaned with diagnosis.Clean; a proxy's user info is never
// in it, nor its credentials however the proxy echoes them.
func (p Prober) Probe(ctx context.Context, t diagnosis.Target) diagnosis.Probe {
	timeout := p.Timeout
	if timeout == 0 {
		timeout = DefaultProbeTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	pr := probe{Prober: p, timeout: timeout}
	res := pr.run(ctx, t)
	// A proxy may echo the credentials it was sent, in its status line.
	proxy, _ := ProxyFor(p.Proxy, t)
	res.Detail = diagnosis.Clean(redactProxy(res.Detail, proxy), "")
	return res
}

// probe is one run of a Prober.
type probe struct {
	Prober
	timeout time.Duration
}

func (p probe) run(ctx context.Context, t diagnosis.Target) diagnosis.Probe {
	if (t.Scheme() != "http" && t.Scheme() != "https") || t.Host() == "" {
		return diagnosis.Probe{Reachability: diagnosis.ReachNetwork, Detail: fmt.Sprintf("target %q is not an http(s) URL", t.String())}
	}
	proxy, err := ProxyFor(p.Proxy, t)
	if err != nil {
		return diagnosis.Probe{Reachability: diagnosis.ReachNetwork, Detail: err.Error()}
	}
	target := net.JoinHostPort(t.Host(), t.Port())
	if proxy == nil {
		conn, fail := p.dial(ctx, target, "")
		if fail != nil {
			return *fail
		}
		defer conn.Close()
		if t.Scheme() == "http" {
			return diagnosis.Probe{Reachability: diagnosis.ReachOK, Detail: "connected to " + describe(target, conn)}
		}
		return p.handshake(ctx, conn, t.Host(), target, "connected to "+describe(target, conn)+", ", diagnosis.Probe{})
	}
	return p.throughProxy(ctx, t, target, proxy)
}

// throughProxy probes the proxy the check's requests went through and, for
// an https target, the tunnel it opens to the target and the TLS handshake
// at its end, as net/http and gorilla/websocket connect.
func (p probe) throughProxy(ctx context.Context, t diagnosis.Target, target string, proxy *url.URL) diagnosis.Probe {
	via := diagnosis.Probe{Proxy: ShownProxy(proxy)}
	proxyAddr := proxyHostPort(proxy)
	prefix := "the proxy " + proxyAddr + ": "
	conn, fail := p.dial(ctx, proxyAddr, prefix)
	if fail != nil {
		fail.Proxy = via.Proxy
		return *fail
	}
	defer conn.Close()
	switch proxy.Scheme {
	case "http", "https":
	default:
		via.Reachability = diagnosis.ReachOK
		via.Detail = "connected to the " + proxy.Scheme + " proxy " + describe(proxyAddr, conn) + "; the target was not probed through it"
		return via
	}
	if proxy.Scheme == "https" {
		tc, fail := p.tlsClient(ctx, conn, proxy.Hostname(), proxyAddr, prefix, via)
		if fail != nil {
			return *fail
		}
		conn = tc
	}
	if t.Scheme() == "http" {
		via.Reachability = diagnosis.ReachOK
		via.Detail = "connected to the proxy " + describe(proxyAddr, conn) + "; it sends http requests on to " + target + " itself, so the target was not dialled from here"
		return via
	}
	if fail := p.connect(ctx, conn, proxy, target, prefix, via); fail != nil {
		return *fail
	}
	return p.handshake(ctx, conn, t.Host(), target, "through the proxy "+proxyAddr+": tunnel to "+target+" open, ", via)
}

// connect asks the proxy on conn for a tunnel to target, with the proxy's
// user info as Basic credentials, as net/http does.
func (p probe) connect(ctx context.Context, conn net.Conn, proxy *url.URL, target, prefix string, via diagnosis.Probe) *diagnosis.Probe {
	req := &http.Request{Method: http.MethodConnect, URL: &url.URL{Opaque: target}, Host: target, Header: http.Header{}}
	if u := proxy.User; u != nil {
		pass, _ := u.Password()
		req.Header.Set("Proxy-Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u.Username()+":"+pass)))
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	err := req.Write(conn)
	var res *http.Response
	if err == nil {
		res, err = http.ReadResponse(bufio.NewReader(conn), req)
	}
	if err != nil {
		return p.failed(ctx, err, prefix, "no answer to CONNECT "+target, via)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		via.Reachability = diagnosis.ReachRefused
		via.Detail = prefix + "it refused the tunnel to " + target + ": " + res.Status
		if r := redirected(res); r != "" {
			via.Detail += ", " + r
		}
		by := diagnosis.NameAnswer(res.StatusCode, refusalPage(conn, res), signature(res.Header))
		by.Proxy = true // whatever it names, the proxy answered
		via.AnsweredBy = &by
		return &via
	}
	return nil
}

// refusalPage is the start of the page with which a proxy refused a
// tunnel, read for what it names; at most half a second is spent on it,
// for a proxy that neither frames the page nor closes the connection.
func refusalPage(conn net.Conn, res *http.Response) string {
	_ = conn.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	page, _ := io.ReadAll(io.LimitReader(res.Body, 8<<10))
	return string(page)
}

// dial connects to addr, host:port, resolving the host with p.Resolver. A
// failure is returned as the probe's answer, its detail after prefix.
func (p probe) dial(ctx context.Context, addr, prefix string) (net.Conn, *diagnosis.Probe) {
	d := net.Dialer{Resolver: p.Resolver}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err == nil {
		return conn, nil
	}
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr):
		why := dnsErr.Err
		if dnsErr.IsNotFound {
			why = "no such host"
		}
		return nil, &diagnosis.Probe{Reachability: diagnosis.ReachDNS, Detail: fmt.Sprintf("%sthe name %s does not resolve (%s)", prefix, dnsErr.Name, why)}
	case errors.Is(err, syscall.ECONNREFUSED):
		return nil, &diagnosis.Probe{Reachability: diagnosis.ReachRefused, Detail: prefix + addr + " refused the connection: nothing listens on that port, or a firewall rejects it"}
	}
	return nil, p.failed(ctx, err, prefix, "no connection to "+addr, diagnosis.Probe{})
}

// handshake completes a TLS handshake with host over conn and says so
// after done, or returns why it failed.
func (p probe) handshake(ctx context.Context, conn net.Conn, host, addr, done string, via diagnosis.Probe) diagnosis.Probe {
	tc, fail := p.tlsClient(ctx, conn, host, addr, "", via)
	if fail != nil {
		return *fail
	}
	via.Reachability = diagnosis.ReachOK
	via.Detail = done + "TLS handshake completed (" + tls.VersionName(tc.ConnectionState().Version) + ")"
	return via
}

// tlsClient completes a TLS handshake with host over conn.
func (p probe) tlsClient(ctx context.Context, conn net.Conn, host, addr, prefix string, via diagnosis.Probe) (*tls.Conn, *diagnosis.Probe) {
	cfg := &tls.Config{}
	if p.TLSConfig != nil {
		cfg = p.TLSConfig.Clone()
	}
	cfg.ServerName = host
	tc := tls.Client(conn, cfg)
	err := tc.HandshakeContext(ctx)
	if err == nil {
		return tc, nil
	}
	if timedOut(ctx, err) {
		return nil, p.failed(ctx, err, prefix, addr+" accepted the connection but did not complete a TLS handshake", via)
	}
	via.Reachability = diagnosis.ReachTLS
	via.Detail = prefix + "the TLS handshake with " + addr + " failed: " + tlsHint(err) + err.Error()
	return nil, &via
}

// failed is the answer for err, which ended the step that what says did
// not happen: a timeout when the probe's time ran out or it was stopped,
// else a network failure with the error's own words.
func (p probe) failed(ctx context.Context, err error, prefix, what string, via diagnosis.Probe) *diagnosis.Probe {
	if errors.Is(ctx.Err(), context.Canceled) {
		via.Reachability = diagnosis.ReachTimeout
		via.Detail = prefix + what + ": the probe was stopped before an answer came"
		return &via
	}
	if timedOut(ctx, err) {
		via.Reachability = diagnosis.ReachTimeout
		via.Detail = fmt.Sprintf("%s%s within %s: a firewall may be dropping the packets", prefix, what, p.timeout)
		return &via
	}
	via.Reachability = diagnosis.ReachNetwork
	via.Detail = prefix + what + ": " + err.Error()
	return &via
}

func timedOut(ctx context.Context, err error) bool {
	var ne net.Error
	return ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// tlsHint says in plain words what the common certificate errors mean.
func tlsHint(err error) string {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &unknown):
		return "the certificate is not signed by an authority this machine trusts (a proxy or firewall that inspects TLS may be in between); "
	case errors.As(err, &hostname):
		return "the certificate is for another name (something else answers at this address); "
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return "the certificate has expired or is not yet valid (check this machine's clock); "
	}
	return ""
}

// describe names addr and, when addr is a name, the address conn reached.
func describe(addr string, conn net.Conn) string {
	remote := conn.RemoteAddr().String()
	if remote == addr {
		return addr
	}
	return addr + " (" + remote + ")"
}
