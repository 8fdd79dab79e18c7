package main

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lsports/defendcheck/check"
	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/logbuf"
	"github.com/lsports/defendcheck/internal/scenario"
	"github.com/lsports/defendcheck/rmssim"
	"github.com/lsports/defendcheck/transport/native"
)

// browser is what a native check reports in place of the browser.
var browser = fmt.Sprintf("defendcheck check (%s %s/%s)", runtime.Version(), runtime.GOOS, runtime.GOARCH)

// testChecker is the check command with the suites' bounds and retry
// delays (package scenario) and env as its environment.
func testChecker(env map[string]string) checker {
	c := newChecker(func(k string) string { return env[k] })
	c.bounds = scenario.Bounds
	c.retryDelays = scenario.RetryDelays
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
	servers, err := scenario.Start(rmssim.Options{EventInterval: scenario.EventInterval})
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
			if diff := tc.Mismatch(scenario.OutcomeOf(&res)); diff != "" {
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
			if res.Attempts != tc.Attempts || res.Browser != browser || res.TokenSent() {
				t.Errorf("attempts %d, browser %q, tokenSent %v; want %d, %q, false", res.Attempts, res.Browser, res.TokenSent(), tc.Attempts, browser)
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
			Bounds: scenario.Bounds, RetryDelays: c.retryDelays, Browser: browser, Hold: 90 * time.Second,
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

// silent is a scenario.SilentListener for the test.
func silent(t *testing.T) *scenario.SilentListener {
	t.Helper()
	l, err := scenario.ListenSilent()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	return l
}

// TestCheckStoppedEarly: -timeout and an interrupt end a check that
// would go on, with exit status 3, saying why, and the report so far.
func TestCheckStoppedEarly(t *testing.T) {
	c := testChecker(nil)
	c.bounds = check.DefaultBounds // a 10 s handshake: the check would go on
	out := c.try(t, context.Background(), "-target", "http://"+silent(t).Addr, "-customer-id", "12345", "-timeout", "1s")
	if out.code != 3 || !strings.Contains(out.stderr, "stopped by -timeout 1s before the check ended") || !strings.Contains(out.stdout, "check cancelled") {
		t.Errorf("want exit status 3, the -timeout named and the report so far\n%s", out)
	}

	l := silent(t)
	ctx, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	go func() {
		<-l.Accepted()
		interrupt()
	}()
	out = c.try(t, ctx, "-target", "http://"+l.Addr, "-customer-id", "12345", "-json")
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
