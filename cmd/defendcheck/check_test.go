package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lsports/defendcheck/check"
	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/logbuf"
	"github.com/lsports/defendcheck/internal/scenario"
	"github.com/lsports/defendcheck/rmssim"
	"github.com/lsports/defendcheck/transport/native"
)

// fast are the bounds of check's own tests: short, with room for a loaded
// machine running -race.
var fast = check.Bounds{
	Handshake:  5 * time.Second,
	Namespace:  4 * time.Second,
	Upgrade:    5 * time.Second,
	FirstEvent: 3 * time.Second,
	Settle:     500 * time.Millisecond,
}

// browser is what a native check reports in place of the browser.
var browser = fmt.Sprintf("defendcheck check (%s %s/%s)", runtime.Version(), runtime.GOOS, runtime.GOARCH)

// testChecker is the check command with fast bounds and retries and env
// as its environment.
func testChecker(env map[string]string) checker {
	c := newChecker(func(k string) string { return env[k] })
	c.bounds = fast
	c.retryDelays = []time.Duration{20 * time.Millisecond, 20 * time.Millisecond}
	return c
}

// outcome is how one run of a command ended.
type outcome struct {
	code           int
	stdout, stderr string
}

func (o outcome) String() string {
	return fmt.Sprintf("exit status %d\nstdout:\n%s\nstderr:\n%s", o.code, o.stdout, o.stderr)
}

// try runs the check command; -timeout, 3m by default, bounds it.
func (c checker) try(t *testing.T, ctx context.Context, args ...string) outcome {
	t.Helper()
	var stdout, stderr logbuf.Buffer
	code := c.run(ctx, args, &stdout, &stderr)
	return outcome{code, stdout.String(), stderr.String()}
}

// result decodes a check's -json output.
func result(t *testing.T, out outcome) diagnosis.Result {
	t.Helper()
	var res diagnosis.Result
	if err := json.Unmarshal([]byte(out.stdout), &res); err != nil {
		t.Fatalf("stdout is not a result: %v\n%s", err, out)
	}
	return res
}

var exitFor = map[diagnosis.Verdict]int{diagnosis.OK: 0, diagnosis.Warning: 1, diagnosis.Error: 2}

// TestCheckEveryCase runs the command against every case of package
// scenario, the simulator's rows and the misbehaving targets, a refusing
// port among them: the exit status follows the verdict, and the JSON is
// the result the case names. The server's message is in the report as it
// is, and in the messages as it is or Go-quoted (a connect_error's).
func TestCheckEveryCase(t *testing.T) {
	servers, err := scenario.Start(rmssim.Options{EventInterval: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(servers.Close)
	c := testChecker(nil)
	for _, tc := range scenario.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			out := c.try(t, context.Background(), "-target", servers.Target(tc.Server).String(), "-customer-id", tc.CustomerID, "-json")
			res := result(t, out)
			if diff := tc.Mismatch(string(res.Verdict), string(res.Kind), res.StatusCode, res.CloseCode, res.Transport); diff != "" {
				t.Fatalf("%s\n%s", diff, res.Report)
			}
			// Natively the probe tells what a browser cannot: nothing
			// listens (refused), or something accepted the connection
			// and never answered (ok, for a timeout).
			reach := map[scenario.Server]diagnosis.Reachability{scenario.Refused: diagnosis.ReachRefused, scenario.Silent: diagnosis.ReachOK}
			if want, ok := reach[tc.Server]; ok && (res.Reachability == nil || *res.Reachability != want || !strings.Contains(res.Report, "Reachability:  "+string(want)+": ")) {
				t.Errorf("reachability %v, want %s in the result and the report\n%s", res.Reachability, want, res.Report)
			}
			if out.code != exitFor[tc.Verdict] {
				t.Errorf("exit status %d for %s, want %d\n%s", out.code, res.Verdict, exitFor[tc.Verdict], out.stderr)
			}
			if msg := verbatim(tc); msg != "" {
				quoted := func(m string) bool { return strings.Contains(m, msg) || strings.Contains(m, strconv.Quote(msg)) }
				if !strings.Contains(res.Report, msg) || !slices.ContainsFunc(res.Messages, quoted) {
					t.Errorf("the report and messages %q do not quote %q\n%s", res.Messages, msg, res.Report)
				}
			}
			if res.Attempts != tc.Attempts || res.Browser != browser || res.TokenSent {
				t.Errorf("attempts %d, browser %q, tokenSent %v; want %d, %q, false", res.Attempts, res.Browser, res.TokenSent, tc.Attempts, browser)
			}
			if out.stderr != "" {
				t.Errorf("stderr is not empty:\n%s", out.stderr)
			}
		})
	}
}

// verbatim is the message tc's server sends that the result must quote:
// the simulator's connect_error message or close reason, or the HTML
// refuser's message; "" where there is none.
func verbatim(tc scenario.Case) string {
	if tc.Server == scenario.HTMLRefuser {
		return scenario.HTMLMessage
	}
	if row, ok := tc.Row(); ok && tc.Attempts > 0 {
		return row.Message
	}
	return ""
}

// recorder serves the simulator and records the Authorization header of
// every polling request.
type recorder struct {
	sim *rmssim.Simulator
	mu  sync.Mutex
	got []string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.URL.Query().Get("transport") == "polling" {
		r.mu.Lock()
		r.got = append(r.got, req.Header.Get("Authorization"))
		r.mu.Unlock()
	}
	r.sim.ServeHTTP(w, req)
}

// authorizations lists the headers recorded since the last call.
func (r *recorder) authorizations() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.got
	r.got = nil
	return got
}

// TestCheckSendsTheTokenAndNeverPrintsIt: the token from the environment,
// or from -token-file, which wins, goes as a Bearer header on every
// polling request and nowhere into the output, report or JSON.
func TestCheckSendsTheTokenAndNeverPrintsIt(t *testing.T) {
	const envToken, fileToken = "eyJhbGciOi.from-the-environment.sig", "eyJhbGciOi.from-the-file.sig"
	rec := &recorder{sim: rmssim.New(rmssim.Options{EventInterval: 200 * time.Millisecond})}
	srv := httptest.NewServer(rec)
	t.Cleanup(func() {
		_ = rec.sim.Close()
		srv.Close()
	})
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte(fileToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := testChecker(map[string]string{tokenEnv: envToken})
	for _, tt := range []struct {
		name  string
		args  []string
		token string
	}{
		{"environment", nil, envToken},
		{"environment, JSON", []string{"-json"}, envToken},
		{"-token-file over the environment", []string{"-token-file", file}, fileToken},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := c.try(t, context.Background(), append([]string{"-target", srv.URL, "-customer-id", "12345"}, tt.args...)...)
			if out.code != 0 {
				t.Fatalf("want exit status 0\n%s", out)
			}
			got := rec.authorizations()
			if len(got) == 0 {
				t.Fatal("no polling request reached the server")
			}
			if slices.ContainsFunc(got, func(a string) bool { return a != "Bearer "+tt.token }) {
				t.Errorf("the polling requests had Authorization %q, want each the Bearer token from the %s", got, tt.name)
			}
			for _, tok := range []string{envToken, fileToken, "from-the-"} {
				if strings.Contains(out.stdout+out.stderr, tok) {
					t.Errorf("the output holds the token %q\n%s", tok, out)
				}
			}
			if slices.Contains(tt.args, "-json") {
				if res := result(t, out); !res.TokenSent || res.Kind != diagnosis.KindOK {
					t.Errorf("tokenSent %v kind %s, want true ok", res.TokenSent, res.Kind)
				}
				return
			}
			for _, want := range []string{"LSports DEFEND RMS-Socket connection check\n", "\nVerdict:       OK: ", "\nAccess token:  sent (not shown): not a JWT, so not read\n", "\nChecked from:  " + browser + "\n"} {
				if !strings.Contains(out.stdout, want) {
					t.Errorf("the report lacks %q:\n%s", want, out.stdout)
				}
			}
		})
	}
}

// TestCheckRefusesBadCommandLines: each bad command line ends with exit
// status 3 and a message on stderr, before anything connects, and never
// echoes a token.
func TestCheckRefusesBadCommandLines(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	dir := t.TempDir()
	file := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	empty, newline, twoLines := file("empty", ""), file("newline", "\n"), file("two-lines", "eyJ.first-line\neyJ.second-line\n")
	huge := file("huge", strings.Repeat("x", maxTokenBytes+1))
	ok := []string{"check", "-target", srv.URL, "-customer-id", "12345"}
	with := func(args ...string) []string { return append(slices.Clone(ok), args...) }
	for _, tt := range []struct {
		name  string
		args  []string
		env   map[string]string
		want  []string
		never string
	}{
		{"no -target", []string{"check", "-customer-id", "12345"}, nil,
			[]string{"-target is required", "-target https://rms.lsports.eu/rms-socket/socket.io\n", "-target https://rms.lsports.cloud/rms-socket/socket.io\n", "-sim"}, ""},
		{"no -customer-id", []string{"check", "-target", srv.URL}, nil, []string{"-customer-id is required"}, ""},
		{"blank -customer-id", []string{"check", "-target", srv.URL, "-customer-id", " "}, nil, []string{"-customer-id is required"}, ""},
		{"stray argument", with("eyJ.stray"), nil, []string{"check takes flags only; 1 argument(s) follow them"}, "eyJ.stray"},
		{"flags after a stray argument", []string{"check", "-target", srv.URL, "stray", "-customer-id", "12345"}, nil, []string{"check takes flags only; 3 argument(s)"}, "stray"},
		{"unknown command", []string{"chek", "-target", srv.URL}, nil, []string{`defendcheck: unknown command "chek"`, "defendcheck check -target URL"}, ""},
		{"-token as a flag", with("-token", "eyJ.s3cret"), nil, []string{"flag provided but not defined: -token", tokenEnv}, "eyJ.s3cret"},
		{"-token=value", with("-token=eyJ.s3cret"), nil, []string{"flag provided but not defined: -token"}, "eyJ.s3cret"},
		{"missing token file", with("-token-file", filepath.Join(dir, "absent")), nil, []string{"-token-file: open " + filepath.Join(dir, "absent") + ": no such file or directory"}, ""},
		{"unreadable token file", with("-token-file", dir), nil, []string{"-token-file: read " + dir + ": is a directory"}, ""},
		{"empty token file", with("-token-file", empty), nil, []string{"-token-file " + empty + " is empty"}, ""},
		{"token file of a newline", with("-token-file", newline), nil, []string{"-token-file " + newline + " is empty"}, ""},
		{"token file too long", with("-token-file", huge), nil, []string{"-token-file " + huge + ": longer than 65536 bytes, so not a token"}, "xxx"},
		{"token file of two lines", with("-token-file", twoLines), nil, []string{"-token-file " + twoLines + ": the access token has a space, line break or character outside ASCII at byte 15"}, "first-line"},
		{"token with a space", ok, map[string]string{tokenEnv: "eyJ.s3cret eyJ"}, []string{tokenEnv + ": the access token has a space, line break or character outside ASCII at byte 11"}, "s3cret"},
		{"-sim and -target", with("-sim"), nil, []string{"-sim and -target exclude each other"}, ""},
		{"two targets", with("-target", srv.URL), nil, []string{"2 -target flags: a check has one"}, ""},
		{"bad target", []string{"check", "-target", "ftp://rms.lsports.eu", "-customer-id", "12345"}, nil, []string{`scheme "ftp": want http or https`}, ""},
		{"-hold over 15m", with("-hold", "16m"), nil, []string{"-hold 16m0s: want 0 to 15m0s"}, ""},
		{"negative -hold", with("-hold", "-1s"), nil, []string{"-hold -1s: want 0 to 15m0s"}, ""},
		{"negative -timeout", with("-timeout", "-1s"), nil, []string{"-timeout -1s: want a positive duration"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr logbuf.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr, func(k string) string { return tt.env[k] })
			out := outcome{code, stdout.String(), stderr.String()}
			if code != 3 || out.stdout != "" {
				t.Errorf("want exit status 3 and nothing on stdout\n%s", out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.stderr, w) {
					t.Errorf("stderr lacks %q\n%s", w, out)
				}
			}
			if tt.never != "" && strings.Contains(out.stderr, tt.never) {
				t.Errorf("stderr echoes %q\n%s", tt.never, out)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("%d requests reached the target from bad command lines", n)
	}
}

// TestCheckConfig: the flags reach check.Run as they should, with the
// native transports and probe, and -timeout bounds the run (3m plus
// -hold by default).
func TestCheckConfig(t *testing.T) {
	for _, tt := range []struct {
		args    []string
		timeout time.Duration
	}{
		{[]string{"-hold", "90s"}, 3*time.Minute + 90*time.Second},
		{[]string{"-hold", "90s", "-timeout", "20s"}, 20 * time.Second},
	} {
		c := testChecker(map[string]string{tokenEnv: "eyJ.token\n"})
		var got check.Config
		var deadline time.Time
		c.check = func(ctx context.Context, cfg check.Config) (*diagnosis.Result, error) {
			got, deadline = cfg, time.Time{}
			if d, ok := ctx.Deadline(); ok {
				deadline = d
			}
			return &diagnosis.Result{Verdict: diagnosis.Warning, Report: "the report\n"}, nil
		}
		before := time.Now()
		out := c.try(t, context.Background(), append([]string{"-target", "https://rms.lsports.eu", "-customer-id", " 12345 "}, tt.args...)...)
		after := time.Now()
		if out.code != 1 || out.stdout != "the report\n" {
			t.Errorf("%q: want exit status 1 and the report\n%s", tt.args, out)
		}
		want := check.Config{
			Target: diagnosis.Target{Origin: "https://rms.lsports.eu", Path: rmssim.Path}, CustomerID: " 12345 ", Token: "eyJ.token",
			Bounds: fast, RetryDelays: c.retryDelays, Browser: browser, Hold: 90 * time.Second,
		}
		if got.Probe == nil {
			t.Errorf("%q: no reachability probe", tt.args)
		}
		if _, ok := got.Fetcher.(native.Fetcher); !ok {
			t.Errorf("%q: fetcher %T, want native.Fetcher", tt.args, got.Fetcher)
		}
		if d, ok := got.Dialer.(native.Dialer); !ok || d.Proxy == nil {
			t.Errorf("%q: dialer %#v, want a native.Dialer with the proxy", tt.args, got.Dialer)
		}
		got.Fetcher, got.Dialer, got.Probe = nil, nil, nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: config\n%+v\nwant\n%+v", tt.args, got, want)
		}
		if deadline.Before(before.Add(tt.timeout)) || deadline.After(after.Add(tt.timeout)) {
			t.Errorf("%q: the run's deadline is %v after its start, want %v", tt.args, deadline.Sub(before), tt.timeout)
		}
	}
}

// silentListener accepts connections and never answers; accepted is
// closed at the first.
func silentListener(t *testing.T) (addr string, accepted <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	first := make(chan struct{})
	var wg sync.WaitGroup
	var conns []net.Conn
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if conns = append(conns, c); len(conns) == 1 {
				close(first)
			}
		}
	})
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String(), first
}

// TestCheckStoppedEarly: -timeout and an interrupt end a check that
// would go on, with exit status 3, saying why, and the report so far.
func TestCheckStoppedEarly(t *testing.T) {
	c := testChecker(nil)
	c.bounds = check.DefaultBounds // a 10 s handshake: the check would go on
	addr, _ := silentListener(t)
	out := c.try(t, context.Background(), "-target", "http://"+addr, "-customer-id", "12345", "-timeout", "1s")
	if out.code != 3 || !strings.Contains(out.stderr, "stopped by -timeout 1s before the check ended") || !strings.Contains(out.stdout, "check cancelled") {
		t.Errorf("want exit status 3, the -timeout named and the report so far\n%s", out)
	}

	addr, accepted := silentListener(t)
	ctx, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	go func() {
		<-accepted
		interrupt()
	}()
	out = c.try(t, ctx, "-target", "http://"+addr, "-customer-id", "12345", "-json")
	if out.code != 3 || !strings.Contains(out.stderr, "interrupted before the check ended") || result(t, out).Kind != diagnosis.KindTimeout {
		t.Errorf("want exit status 3, the interruption named and the result so far\n%s", out)
	}
}

// TestCheckSimulator: -sim checks the built-in simulator, which says on
// stderr where it is and what it saw.
func TestCheckSimulator(t *testing.T) {
	var stdout, stderr logbuf.Buffer
	code := run(context.Background(), []string{"check", "-sim", "-customer-id", "402", "-json"}, &stdout, &stderr, noEnv)
	out := outcome{code, stdout.String(), stderr.String()}
	res := result(t, out)
	if code != 2 || res.Kind != diagnosis.KindAccountInactive || !strings.HasPrefix(res.Target.Origin, "http://127.0.0.1:") {
		t.Errorf("want exit status 2, account-inactive, a loopback target\n%s", out)
	}
	for _, want := range []string{"checking the built-in simulator at " + res.Target.String(), "customer_id=402", "authorization=absent"} {
		if !strings.Contains(out.stderr, want) {
			t.Errorf("stderr lacks %q\n%s", want, out)
		}
	}
}

// forwardProxy is an HTTP proxy on loopback that sends every request and
// every CONNECT tunnel to upstream, whatever host was asked for, and
// records what it was asked.
type forwardProxy struct {
	upstream *url.URL
	mu       sync.Mutex
	seen     []string
}

func (p *forwardProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.seen = append(p.seen, r.Method+" "+r.RequestURI)
	p.mu.Unlock()
	if r.Method != http.MethodConnect {
		(&httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(p.upstream) }}).ServeHTTP(w, r)
		return
	}
	scenario.Tunnel(w, p.upstream.Host)
}

func (p *forwardProxy) requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.seen)
}

// TestCheckThroughTheProxy: the polling requests and the WebSocket both go
// through the proxy the environment names, which the command reports
// without its user info. The target's name is never looked up here: only
// the proxy knows it.
func TestCheckThroughTheProxy(t *testing.T) {
	sim := rmssim.New(rmssim.Options{EventInterval: 200 * time.Millisecond})
	simSrv := httptest.NewServer(sim)
	t.Cleanup(func() {
		_ = sim.Close()
		simSrv.Close()
	})
	upstream, _ := url.Parse(simSrv.URL)
	proxy := &forwardProxy{upstream: upstream}
	proxySrv := httptest.NewServer(proxy)
	defer proxySrv.Close()
	c := testChecker(nil)
	c.proxy = func(r *http.Request) (*url.URL, error) {
		return url.Parse("http://probe:s3cret@" + strings.TrimPrefix(proxySrv.URL, "http://"))
	}
	out := c.try(t, context.Background(), "-target", "http://rms.defendcheck.invalid", "-customer-id", "12345", "-json")
	res := result(t, out)
	if out.code != 0 || res.Kind != diagnosis.KindOK || res.Transport != "websocket" {
		t.Fatalf("want exit status 0, ok over websocket\n%s", out)
	}
	seen := strings.Join(proxy.requests(), "\n")
	for _, want := range []string{"GET http://rms.defendcheck.invalid/rms-socket/socket.io/?", "POST http://rms.defendcheck.invalid/rms-socket/socket.io/?", "CONNECT rms.defendcheck.invalid:80"} {
		if !strings.Contains(seen, want) {
			t.Errorf("the proxy was not asked %q; it saw:\n%s", want, seen)
		}
	}
	if want := "connecting through the proxy " + proxySrv.URL + " "; !strings.Contains(out.stderr, want) || strings.Contains(out.stderr, "s3cret") {
		t.Errorf("stderr does not name the proxy without its user info (%q)\n%s", want, out)
	}
	if res.Proxy != proxySrv.URL || !strings.Contains(res.Report, "Proxy:         "+proxySrv.URL+"\n") || strings.Contains(out.stdout, "s3cret") {
		t.Errorf("the result and report do not name the proxy without its user info: proxy %q\n%s", res.Proxy, res.Report)
	}
}

// TestCheckRefusesABadProxySetting: a proxy setting that is not a URL
// stops the command before it connects, without quoting the setting and
// the password it may hold.
func TestCheckRefusesABadProxySetting(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	c := testChecker(nil)
	c.proxy = func(*http.Request) (*url.URL, error) {
		return nil, errors.New(`invalid proxy address "http://probe:s3cret@proxy corp:3128"`)
	}
	out := c.try(t, context.Background(), "-target", srv.URL, "-customer-id", "12345")
	if out.code != 3 || !strings.Contains(out.stderr, "the proxy setting (HTTPS_PROXY, HTTP_PROXY) is not a usable proxy URL") || strings.Contains(out.stderr, "s3cret") {
		t.Errorf("want exit status 3 and the proxy setting refused without its password\n%s", out)
	}
	if hits.Load() != 0 {
		t.Error("the command connected with a bad proxy setting")
	}
}
