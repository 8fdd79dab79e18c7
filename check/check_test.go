//go:build !js

package check_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lsports/defendcheck/check"
	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/logbuf"
	"github.com/lsports/defendcheck/internal/scenario"
	"github.com/lsports/defendcheck/rmssim"
	"github.com/lsports/defendcheck/transport/native"
)

func config(target diagnosis.Target, id string) check.Config {
	return check.Config{
		Target: target, CustomerID: id,
		Fetcher: native.Fetcher{}, Dialer: native.Dialer{},
		Bounds:      scenario.Bounds,
		RetryDelays: scenario.RetryDelays,
	}
}

func run(t *testing.T, cfg check.Config) *diagnosis.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := check.Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// simulator serves rmssim on 127.0.0.1:0 and returns its target and log.
func simulator(t *testing.T) (diagnosis.Target, *logbuf.Buffer) {
	t.Helper()
	logs := &logbuf.Buffer{}
	sim := rmssim.New(rmssim.Options{EventInterval: scenario.EventInterval, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	srv := httptest.NewServer(sim)
	t.Cleanup(func() {
		_ = sim.Close()
		srv.Close()
	})
	return target(srv.URL), logs
}

func target(origin string) diagnosis.Target {
	return diagnosis.Target{Origin: origin, Path: rmssim.Path}
}

func ptr(n int) *int { return &n }

// TestEveryCase runs every case of package scenario (one per row of the
// simulator's table, and one per misbehaving target) and requires the
// outcome the case names, within its bound.
func TestEveryCase(t *testing.T) {
	servers, err := scenario.Start(rmssim.Options{EventInterval: scenario.EventInterval})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(servers.Close)
	// The longest one attempt may take, and its close.
	attempt := scenario.Bounds.Handshake + scenario.Bounds.Namespace + scenario.Bounds.FirstEvent + scenario.Bounds.Settle + 3*time.Second
	for _, c := range scenario.Cases {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			res := run(t, config(servers.Target(c.Server), c.CustomerID))
			if diff := c.Mismatch(scenario.OutcomeOf(res)); diff != "" {
				t.Fatalf("%s\n%s", diff, res.Report)
			}
			if res.Attempts != c.Attempts {
				t.Errorf("%d attempts, want %d", res.Attempts, c.Attempts)
			}
			if took := time.Since(start); took > time.Duration(max(c.Attempts, 1))*attempt {
				t.Errorf("the check took %s, past its bound", took)
			}
			if len(res.Steps) != len(diagnosis.StepNames) {
				t.Errorf("%d steps, want %d", len(res.Steps), len(diagnosis.StepNames))
			}
			for _, s := range res.Steps {
				if s.Status == diagnosis.StepPending || s.Status == diagnosis.StepRunning {
					t.Errorf("step %s still %s when the check ended", s.Name, s.Status)
				}
			}
			if (c.Server == scenario.Refused || c.Server == scenario.Silent) && res.Steps[1].Status != diagnosis.StepFailed {
				t.Errorf("handshake %s, want failed\n%s", res.Steps[1].Status, res.Report)
			}
			stepsTellTheTruth(t, c, res)
		})
	}
}

// closeKinds are the kinds of a connection the server closed after it
// connected.
var closeKinds = map[diagnosis.Kind]bool{
	diagnosis.KindClosedNormal: true, diagnosis.KindGoingAway: true,
	diagnosis.KindAuthFailedAfterUpgrade: true, diagnosis.KindAuthorizationRevoked: true,
}

// stepsTellTheTruth: no step after a failed one is ok, a success is all ok,
// and a close after the connect is the failed stays-open step, with its
// code and how long after the connect it came.
func stepsTellTheTruth(t *testing.T, c scenario.Case, res *diagnosis.Result) {
	t.Helper()
	failed := ""
	for _, s := range res.Steps {
		if failed != "" && s.Status == diagnosis.StepOK {
			t.Errorf("step %s is ok after %s failed\n%s", s.Name, failed, res.Report)
		}
		if s.Status == diagnosis.StepFailed && failed == "" {
			failed = s.Name
		}
		if c.Verdict == diagnosis.OK && s.Status != diagnosis.StepOK {
			t.Errorf("step %s is %s in a success", s.Name, s.Status)
		}
	}
	if c.Verdict == diagnosis.Error && failed == "" {
		t.Errorf("no step failed under an error verdict\n%s", res.Report)
	}
	last := res.Steps[len(res.Steps)-1]
	if last.Name != diagnosis.StepStaysOpen {
		t.Fatalf("last step %s, want %s", last.Name, diagnosis.StepStaysOpen)
	}
	if closeKinds[c.Kind] {
		want := fmt.Sprintf("closed with code %d", *c.CloseCode)
		if last.Status != diagnosis.StepFailed || !strings.HasPrefix(last.Detail, want) || !regexp.MustCompile(`, [0-9.]+ m?s after connecting$`).MatchString(last.Detail) {
			t.Errorf("stays-open %s %q, want failed %q…, <time> after connecting", last.Status, last.Detail, want)
		}
	}
}

func TestRefusalsAreNeverRetriedAndServerErrorsAreRetriedTwice(t *testing.T) {
	tgt, logs := simulator(t)
	var notices []string
	var mu sync.Mutex
	cfg := config(tgt, "500")
	cfg.RetryDelays = []time.Duration{1100 * time.Millisecond, 20 * time.Millisecond}
	cfg.OnProgress = func(p check.Progress) {
		mu.Lock()
		defer mu.Unlock()
		if p.Notice != "" {
			notices = append(notices, p.Notice)
		}
	}
	res := run(t, cfg)
	if res.Attempts != 3 || strings.Count(logs.String(), "customer_id=500") != 3 {
		t.Errorf("500: %d attempts, server saw %d; want 3\n%s", res.Attempts, strings.Count(logs.String(), "customer_id=500"), res.Report)
	}
	// Every attempt carries the run ID, so the service's logs name it.
	if n := strings.Count(logs.String(), "run_id="+res.RunID+" "); res.RunID == "" || n != 3 {
		t.Errorf("the server saw run ID %q in %d of 3 attempts:\n%s", res.RunID, n, logs.String())
	}
	mu.Lock()
	if len(notices) == 0 || !strings.Contains(notices[0], "retrying in 2 s (attempt 2 of 3)") {
		t.Errorf("no visible backoff: notices %q", notices)
	}
	mu.Unlock()
	for _, id := range []string{"400", "402", "403", "429"} {
		res := run(t, config(tgt, id))
		if n := strings.Count(logs.String(), "customer_id="+id+" "); res.Attempts != 1 || n != 1 {
			t.Errorf("%s: %d attempts, server saw %d; want 1", id, res.Attempts, n)
		}
	}
}

func TestInvalidIDIsNotSent(t *testing.T) {
	tgt, logs := simulator(t)
	res := run(t, config(tgt, " 12a45 "))
	if res.Kind != diagnosis.KindInvalidFormat || !res.NotSent || res.StatusCode != nil || res.CustomerID != "12a45" || !res.Trimmed {
		t.Errorf("got kind %s notSent %v status %s id %q trimmed %v", res.Kind, res.NotSent, scenario.Code(res.StatusCode), res.CustomerID, res.Trimmed)
	}
	if res.Steps[0].Status != diagnosis.StepFailed || res.Steps[1].Status != diagnosis.StepNotReached {
		t.Errorf("steps %+v", res.Steps)
	}
	if !strings.Contains(res.Report, "Status code:   - (not sent: caught before connecting") {
		t.Errorf("report gives a status for a request never made:\n%s", res.Report)
	}
	if logs.String() != "" {
		t.Errorf("an invalid ID reached the server:\n%s", logs.String())
	}
}

func TestEmptyID(t *testing.T) {
	_, err := check.Run(context.Background(), config(target("http://127.0.0.1:1"), "  "))
	if !errors.Is(err, diagnosis.ErrEmptyCustomerID) {
		t.Errorf("err = %v, want ErrEmptyCustomerID", err)
	}
}

func TestTrimmedIDIsSentTrimmed(t *testing.T) {
	tgt, logs := simulator(t)
	res := run(t, config(tgt, "\t12345 "))
	if res.Kind != diagnosis.KindOK || res.CustomerID != "12345" || !res.Trimmed {
		t.Errorf("got %s %q trimmed=%v", res.Kind, res.CustomerID, res.Trimmed)
	}
	if !strings.Contains(logs.String(), "customer_id=12345 ") {
		t.Errorf("server did not see the trimmed ID:\n%s", logs.String())
	}
	if !strings.Contains(res.Report, "surrounding whitespace removed") {
		t.Errorf("report does not say the ID was trimmed:\n%s", res.Report)
	}
}

func TestHTTPLevel429BlocksTheBudget(t *testing.T) {
	servers, err := scenario.Start(rmssim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(servers.Close)
	cfg := config(servers.Target(scenario.HTTP429), "12345")
	cfg.Budget = &diagnosis.Budget{}
	res := run(t, cfg)
	if res.Kind != diagnosis.KindRateLimited || scenario.Code(res.StatusCode) != "429" || res.Attempts != 1 {
		t.Fatalf("got %s %s after %d attempts\n%s", res.Kind, scenario.Code(res.StatusCode), res.Attempts, res.Report)
	}
	if !strings.Contains(strings.Join(res.Messages, "\n"), "HTTP 429 on GET") || !strings.Contains(strings.Join(res.Messages, "\n"), "Too Many Requests") {
		t.Errorf("messages lack the HTTP status and body: %q", res.Messages)
	}
	if w := cfg.Budget.Wait(time.Now()); w < 50*time.Second {
		t.Errorf("after a 429 the budget waits %s, want about a minute", w)
	}
}

func TestSpentBudgetMakesNoConnection(t *testing.T) {
	tgt, logs := simulator(t)
	cfg := config(tgt, "12345")
	cfg.Budget = &diagnosis.Budget{}
	for i := 0; i < diagnosis.ServiceConnPerMinute; i++ {
		cfg.Budget.Record(time.Now())
	}
	res := run(t, cfg)
	if res.Kind != diagnosis.KindRateLimited || res.StatusCode != nil || res.Attempts != 0 {
		t.Errorf("got %s status %s attempts %d", res.Kind, scenario.Code(res.StatusCode), res.Attempts)
	}
	if msg := strings.Join(res.Messages, " "); !strings.Contains(msg, "made 10 connection attempts in the last minute") || !strings.Contains(msg, "wait") {
		t.Errorf("messages do not say how long to wait: %q", res.Messages)
	}
	if logs.String() != "" {
		t.Errorf("the check connected although its budget was spent:\n%s", logs.String())
	}
}

// TestTokenNeverLeaves runs against a server that echoes the Authorization
// header in its refusal: the token must still not appear in the result.
func TestTokenNeverLeaves(t *testing.T) {
	const token = "eyJhbGciOi.secret-token.sig"
	tgt, logs := simulator(t)
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			t.Errorf("the server got Authorization %q", r.Header.Get("Authorization"))
		}
		http.Error(w, "denied for "+r.Header.Get("Authorization"), http.StatusForbidden)
	}))
	t.Cleanup(echo.Close)
	for _, tg := range []diagnosis.Target{tgt, target(echo.URL)} {
		cfg := config(tg, "402")
		cfg.Token = token
		res := run(t, cfg)
		if !res.TokenSent() {
			t.Error("TokenSent is false")
		}
		if strings.Contains(res.Report, token) || strings.Contains(fmt.Sprint(res.Messages), token) {
			t.Errorf("the token is in the result:\n%s", res.Report)
		}
	}
	if strings.Contains(logs.String(), token) {
		t.Errorf("the token is in the simulator log")
	}
}
