package native_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/scenario"
	"github.com/lsports/defendcheck/transport/native"
)

// noProxy keeps a probe off any proxy the test's environment names.
func noProxy(*http.Request) (*url.URL, error) { return nil, nil }

func target(t *testing.T, origin string) diagnosis.Target {
	t.Helper()
	tgt, err := diagnosis.ParseTarget(origin)
	if err != nil {
		t.Fatal(err)
	}
	return tgt
}

func probe(t *testing.T, p native.Prober, origin string) diagnosis.Probe {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return p.Probe(ctx, target(t, origin))
}

func want(t *testing.T, got diagnosis.Probe, reach diagnosis.Reachability, proxy string, detail ...string) {
	t.Helper()
	if got.Reachability != reach || got.Proxy != proxy {
		t.Errorf("got %s via %q (%s), want %s via %q", got.Reachability, got.Proxy, got.Detail, reach, proxy)
	}
	for _, d := range detail {
		if !strings.Contains(got.Detail, d) {
			t.Errorf("detail %q does not say %q", got.Detail, d)
		}
	}
}

// refusedAddr is a loopback port nobody listens on.
func refusedAddr(t *testing.T) string {
	t.Helper()
	addr, err := scenario.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// silent accepts connections and never sends a byte.
func silent(t *testing.T) string {
	t.Helper()
	l, err := scenario.ListenSilent()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	return l.Addr
}

// trusting trusts srv's certificate, as a machine with its CA installed.
func trusting(srv *httptest.Server) *tls.Config {
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	return &tls.Config{RootCAs: roots}
}

// otherName serves TLS on loopback with a certificate for other.example
// only.
func otherName(t *testing.T) *httptest.Server {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "other.example"}, DNSNames: []string{"other.example"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func TestProbeDirect(t *testing.T) {
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()
	secure := httptest.NewTLSServer(http.NotFoundHandler())
	defer secure.Close()
	other := otherName(t)
	refused := refusedAddr(t)
	silent := silent(t)

	for _, tt := range []struct {
		name   string
		p      native.Prober
		origin string
		reach  diagnosis.Reachability
		detail []string
	}{
		{"http answers", native.Prober{Proxy: noProxy}, plain.URL, diagnosis.ReachOK,
			[]string{"connected to " + strings.TrimPrefix(plain.URL, "http://")}},
		{"https answers, trusted", native.Prober{Proxy: noProxy, TLSConfig: trusting(secure)}, secure.URL, diagnosis.ReachOK,
			[]string{"TLS handshake completed (TLS 1.3)"}},
		{"refused", native.Prober{Proxy: noProxy}, "https://" + refused, diagnosis.ReachRefused,
			[]string{refused + " refused the connection"}},
		{"untrusted certificate", native.Prober{Proxy: noProxy}, secure.URL, diagnosis.ReachTLS,
			[]string{"the TLS handshake with " + strings.TrimPrefix(secure.URL, "https://") + " failed", "not signed by an authority this machine trusts", "x509: certificate signed by unknown authority"}},
		{"certificate for another name", native.Prober{Proxy: noProxy, TLSConfig: trusting(other)}, other.URL, diagnosis.ReachTLS,
			[]string{"the certificate is for another name", "x509: cannot validate certificate for 127.0.0.1"}},
		{"TLS never answered", native.Prober{Proxy: noProxy, Timeout: 300 * time.Millisecond}, "https://" + silent, diagnosis.ReachTimeout,
			[]string{silent + " accepted the connection but did not complete a TLS handshake within 300ms"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want(t, probe(t, tt.p, tt.origin), tt.reach, "", tt.detail...)
		})
	}
}

// TestProbeOfTheZeroProber: Probe probes as the zero Prober does, on the
// proxy from the environment, which never applies to a loopback target.
func TestProbeOfTheZeroProber(t *testing.T) {
	addr := refusedAddr(t)
	got := native.Probe(context.Background(), target(t, "http://"+addr))
	want(t, got, diagnosis.ReachRefused, "", addr+" refused the connection")
}

// nxdomain answers every DNS query over UDP on loopback with NXDOMAIN. The
// resolver it returns asks it and nothing else.
func nxdomain(t *testing.T) (*net.Resolver, *atomic.Int32) {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var queries atomic.Int32
	var wg sync.WaitGroup
	wg.Go(func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if end, ok := questionEnd(buf[:n]); ok {
				queries.Add(1)
				res := append([]byte(nil), buf[:end]...)
				res[2] = 0x84 | buf[2]&0x01 // a response, authoritative, recursion desired as asked
				res[3] = 0x83               // recursion available, NXDOMAIN
				clear(res[6:12])            // no answer, authority or additional records
				_, _ = pc.WriteTo(res, from)
			}
		}
	})
	t.Cleanup(func() {
		pc.Close()
		wg.Wait()
	})
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", pc.LocalAddr().String())
	}}, &queries
}

// questionEnd is the end of a query's one question: the header, the name's
// labels up to the root, type and class.
func questionEnd(msg []byte) (int, bool) {
	if len(msg) < 12 || msg[4] != 0 || msg[5] != 1 {
		return 0, false
	}
	i := 12
	for i < len(msg) && msg[i] != 0 {
		i += 1 + int(msg[i])
	}
	return i + 5, i+5 <= len(msg)
}

func TestProbeDNS(t *testing.T) {
	resolver, queries := nxdomain(t)
	got := probe(t, native.Prober{Proxy: noProxy, Resolver: resolver}, "https://rms.defendcheck.invalid")
	want(t, got, diagnosis.ReachDNS, "", "the name rms.defendcheck.invalid does not resolve (no such host)")
	if queries.Load() == 0 {
		t.Error("the loopback DNS server got no query: the name was looked up elsewhere")
	}
}

// connectProxy is an HTTP proxy on loopback that opens CONNECT tunnels, or
// refuses them all with refuse. It records each CONNECT's target and
// Proxy-Authorization.
type connectProxy struct {
	refuse int
	mu     sync.Mutex
	seen   []string
}

func (p *connectProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.seen = append(p.seen, r.Method+" "+r.Host+" "+r.Header.Get("Proxy-Authorization"))
	p.mu.Unlock()
	switch {
	case p.refuse != 0:
		http.Error(w, "no", p.refuse)
		return
	case r.Method != http.MethodConnect:
		http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
		return
	}
	scenario.Tunnel(w, r.Host)
}

func (p *connectProxy) requests() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.seen, "\n")
}

func TestProbeThroughProxy(t *testing.T) {
	secure := httptest.NewTLSServer(http.NotFoundHandler())
	defer secure.Close()
	addr := strings.TrimPrefix(secure.URL, "https://")
	tunnel := &connectProxy{}
	open := httptest.NewServer(tunnel)
	defer open.Close()
	forbidding := httptest.NewServer(&connectProxy{refuse: http.StatusForbidden})
	defer forbidding.Close()
	down := refusedAddr(t)
	// The user info is sent to the proxy, never reported.
	via := func(proxy string) func(*http.Request) (*url.URL, error) {
		return func(r *http.Request) (*url.URL, error) {
			if r.URL.String() != secure.URL+diagnosis.DefaultPath {
				t.Errorf("the proxy was chosen for %s, want the target's URL", r.URL)
			}
			return url.Parse("http://probe:s3cret@" + strings.TrimPrefix(proxy, "http://"))
		}
	}
	for _, tt := range []struct {
		name   string
		proxy  string
		tls    *tls.Config
		reach  diagnosis.Reachability
		detail []string
	}{
		{"tunnel and TLS", open.URL, trusting(secure), diagnosis.ReachOK,
			[]string{"through the proxy " + strings.TrimPrefix(open.URL, "http://") + ": tunnel to " + addr + " open, TLS handshake completed"}},
		{"TLS inspected on the way", open.URL, nil, diagnosis.ReachTLS,
			[]string{"not signed by an authority this machine trusts"}},
		{"tunnel refused", forbidding.URL, trusting(secure), diagnosis.ReachRefused,
			[]string{"the proxy " + strings.TrimPrefix(forbidding.URL, "http://") + ": it refused the tunnel to " + addr + ": 403 Forbidden"}},
		{"proxy down", "http://" + down, trusting(secure), diagnosis.ReachRefused,
			[]string{"the proxy " + down + ": " + down + " refused the connection"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := probe(t, native.Prober{Proxy: via(tt.proxy), TLSConfig: tt.tls}, secure.URL)
			want(t, got, tt.reach, tt.proxy, tt.detail...)
			// Only a proxy that answered and refused is named as the answerer.
			refused := tt.proxy == forbidding.URL
			if by := got.AnsweredBy; refused && (by == nil || !by.Proxy || by.Status != http.StatusForbidden) || !refused && by != nil {
				t.Errorf("answeredBy %+v; want the proxy, with 403, only when it refused the tunnel", by)
			}
			if strings.Contains(got.Proxy+got.Detail, "s3cret") || strings.Contains(got.Proxy+got.Detail, "probe:") {
				t.Errorf("the proxy's user info is in the probe: %+v", got)
			}
		})
	}
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("probe:s3cret"))
	if got, want := tunnel.requests(), "CONNECT "+addr+" "+auth; !strings.Contains(got, want) {
		t.Errorf("the proxy saw %q, want %q", got, want)
	}
}

// TestProbeThroughProxyToHTTP: for an http target the proxy sends the
// request on itself, so the probe reaches the proxy and says so.
func TestProbeThroughProxyToHTTP(t *testing.T) {
	proxy := &connectProxy{}
	srv := httptest.NewServer(proxy)
	defer srv.Close()
	got := probe(t, native.Prober{Proxy: func(*http.Request) (*url.URL, error) { return url.Parse(srv.URL) }}, "http://rms.defendcheck.invalid")
	want(t, got, diagnosis.ReachOK, srv.URL, "connected to the proxy", "the target was not dialled from here")
	if proxy.requests() != "" {
		t.Errorf("the probe sent the proxy a request: %s", proxy.requests())
	}
}

// TestDialerUsesItsProxy: the native Dialer opens WebSockets through the
// proxy it is given, as the Fetcher's client does.
func TestDialerUsesItsProxy(t *testing.T) {
	ws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not a WebSocket server", http.StatusTeapot)
	}))
	defer ws.Close()
	proxy := &connectProxy{}
	srv := httptest.NewServer(proxy)
	defer srv.Close()
	d := native.Dialer{Proxy: func(*http.Request) (*url.URL, error) { return url.Parse(srv.URL) }}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := d.Dial(ctx, "ws"+strings.TrimPrefix(ws.URL, "http")+"/x", func(string) {}, nil)
	if err == nil || !strings.Contains(err.Error(), "bad handshake") {
		t.Errorf("err %v, want the server's refusal of the upgrade (bad handshake)", err)
	}
	if got, want := proxy.requests(), "CONNECT "+strings.TrimPrefix(ws.URL, "http://"); !strings.HasPrefix(got, want) {
		t.Errorf("the proxy saw %q, want %q", got, want)
	}
}
