package scenario_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/scenario"
	"github.com/lsports/defendcheck/rmssim"
)

// TestCasesFollowTheSimulatorsTable holds Cases to rmssim's own table:
// one case per row, with the row's status or close code.
func TestCasesFollowTheSimulatorsTable(t *testing.T) {
	answered := map[string]int{}
	for _, c := range scenario.Cases {
		row, ok := c.Row()
		if !ok {
			continue
		}
		answered[row.CustomerID]++
		want := struct{ status, close *int }{}
		switch {
		case c.Attempts == 0: // not sent: the simulator never answers
		case row.Behavior == rmssim.Refuse:
			want.status = &row.StatusCode
		case row.Behavior == rmssim.CloseAfterJoin:
			want.close = &row.CloseCode
		case row.Behavior == rmssim.PollingOnly:
			want.close = c.CloseCode // the checker's own code for a refused upgrade
		}
		if show(c.StatusCode) != show(want.status) || show(c.CloseCode) != show(want.close) {
			t.Errorf("%s: status %s close %s, but the simulator's row %s gives %s %s", c.Name,
				show(c.StatusCode), show(c.CloseCode), row.CustomerID, show(want.status), show(want.close))
		}
	}
	for _, row := range rmssim.Outcomes {
		if n := answered[row.CustomerID]; n != 1 {
			t.Errorf("the simulator's row %s has %d cases, want 1", row.CustomerID, n)
		}
	}
	for _, c := range scenario.Cases {
		if e := diagnosis.Lookup(c.Kind); e.Verdict != c.Verdict {
			t.Errorf("%s: verdict %s, but the mapping table gives %s for %s", c.Name, c.Verdict, e.Verdict, c.Kind)
		}
	}
}

// TestREADMEListsEveryCase holds the README's table of customer IDs to
// Cases and the simulator's table: each row names the kind the page shows,
// and the simulator's message or close code.
func TestREADMEListsEveryCase(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range scenario.Cases {
		row, ok := c.Row()
		if !ok {
			if !strings.Contains(string(readme), "(`"+string(c.Kind)+"`)") {
				t.Errorf("the README does not name %s (`%s`)", c.Name, c.Kind)
			}
			continue
		}
		label := "| `" + c.CustomerID + "`"
		if c.Server == scenario.Stripper {
			label = "| header missing"
		}
		line := lineStarting(string(readme), label)
		if line == "" {
			t.Errorf("the README's table has no row %q for %s", label, c.Name)
			continue
		}
		if !strings.Contains(line, "(`"+string(c.Kind)+"`") || !strings.Contains(line, string(c.Verdict)) {
			t.Errorf("the README's row for %s does not say %s (`%s`):\n%s", c.Name, c.Verdict, c.Kind, line)
		}
		if row.Message != "" && row.Behavior == rmssim.Refuse && !strings.Contains(line, row.Message+"`, "+strconv.Itoa(row.StatusCode)) {
			t.Errorf("the README's row for %s does not say `%s`, %d:\n%s", c.Name, row.Message, row.StatusCode, line)
		}
		if row.Behavior == rmssim.CloseAfterJoin && !strings.Contains(line, "close "+strconv.Itoa(row.CloseCode)) {
			t.Errorf("the README's row for %s does not say close %d:\n%s", c.Name, row.CloseCode, line)
		}
	}
}

func lineStarting(text, prefix string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// TestServersMisbehaveAsNamed talks to each server over real HTTP and
// Engine.IO: each does what its name says, and only that.
func TestServersMisbehaveAsNamed(t *testing.T) {
	srv, err := scenario.Start(rmssim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	if n := len(srv.Targets()); n != int(scenario.Gateway502)+1 {
		t.Fatalf("%d targets, want one per server", n)
	}

	t.Run("simulator", func(t *testing.T) {
		got := refusal(t, srv.Target(scenario.Sim), "402")
		if got.Message != "Account inactive or expired" || got.Data.StatusCode != 402 {
			t.Errorf("402 on the simulator: %+v", got)
		}
	})
	t.Run("stripper", func(t *testing.T) {
		got := refusal(t, srv.Target(scenario.Stripper), "402")
		if got.Message != "Missing customerid header" || got.Data.StatusCode != 401 {
			t.Errorf("402 through the stripper: %+v, want the simulator's missing-header refusal", got)
		}
	})
	t.Run("HTML refuser", func(t *testing.T) {
		got := refusal(t, srv.Target(scenario.HTMLRefuser), "12345")
		if got.Message != scenario.HTMLMessage || got.Data.StatusCode != 418 {
			t.Errorf("got %+v", got)
		}
	})
	for which, want := range map[scenario.Server]struct {
		status int
		body   string
	}{scenario.HTTP429: {http.StatusTooManyRequests, "Too Many Requests"}, scenario.Gateway502: {http.StatusBadGateway, "<center>nginx/1.22.1</center>"}} {
		t.Run(fmt.Sprintf("front answering %d", want.status), func(t *testing.T) {
			url := srv.Target(which).String() + "/?EIO=4&transport=polling"
			res, body := do(t, http.DefaultClient, http.MethodGet, url, "")
			if res.StatusCode != want.status || !strings.Contains(body, want.body) || res.Header.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("GET: %d %q, want %d with %q, readable by any page", res.StatusCode, body, want.status, want.body)
			}
			res, _ = do(t, http.DefaultClient, http.MethodOptions, url, "")
			if res.StatusCode != http.StatusNoContent || !strings.Contains(res.Header.Get("Access-Control-Allow-Headers"), "customerid") {
				t.Errorf("preflight: %d %q, want it let through", res.StatusCode, res.Header.Get("Access-Control-Allow-Headers"))
			}
		})
	}
	t.Run("refused", func(t *testing.T) {
		_, err := http.Get(srv.Target(scenario.Refused).String())
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("got %v, want connection refused", err)
		}
	})
	t.Run("silent", func(t *testing.T) {
		client := &http.Client{Timeout: 500 * time.Millisecond}
		_, err := client.Get(srv.Target(scenario.Silent).String())
		var ne interface{ Timeout() bool }
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("got %v, want a timeout: connected, no answer", err)
		}
	})
}

func TestCloseStopsEveryServer(t *testing.T) {
	srv, err := scenario.Start(rmssim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
	for _, which := range []scenario.Server{scenario.Sim, scenario.Stripper, scenario.HTTP429, scenario.HTMLRefuser, scenario.Silent} {
		if _, err := http.Get(srv.Target(which).String()); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("server %d after Close: %v, want connection refused", which, err)
		}
	}
}

// connectError is a Socket.IO CONNECT_ERROR packet's payload.
type connectError struct {
	Message string `json:"message"`
	Data    struct {
		StatusCode int `json:"statusCode"`
	} `json:"data"`
}

// refusal opens an Engine.IO session on tgt by long-polling with the
// customerid header, sends the Socket.IO CONNECT and returns the server's
// CONNECT_ERROR.
func refusal(t *testing.T, tgt diagnosis.Target, customerID string) connectError {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	url := tgt.String() + "/?EIO=4&transport=polling"
	req := func(method, url, body string) string {
		t.Helper()
		r, err := http.NewRequest(method, url, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("customerid", customerID)
		res, err := client.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: %d %s", method, url, res.StatusCode, b)
		}
		return string(b)
	}
	var open struct{ SID string }
	handshake := req(http.MethodGet, url, "")
	if !strings.HasPrefix(handshake, "0") || json.Unmarshal([]byte(handshake[1:]), &open) != nil || open.SID == "" {
		t.Fatalf("handshake: %q, want an Engine.IO OPEN packet", handshake)
	}
	url += "&sid=" + open.SID
	if got := req(http.MethodPost, url, "40"); got != "ok" {
		t.Fatalf("CONNECT: %q", got)
	}
	answer := req(http.MethodGet, url, "")
	var ce connectError
	if !strings.HasPrefix(answer, "44") || json.Unmarshal([]byte(answer[2:]), &ce) != nil {
		t.Fatalf("answer to CONNECT: %q, want a CONNECT_ERROR packet", answer)
	}
	return ce
}

func do(t *testing.T, client *http.Client, method, url, body string) (*http.Response, string) {
	t.Helper()
	r, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func show(c *int) string {
	if c == nil {
		return "null"
	}
	return strconv.Itoa(*c)
}

// TestMismatch: the one comparison both suites make finds each field that
// differs, and nothing when all match.
func TestMismatch(t *testing.T) {
	n := func(v int) *int { return &v }
	c := scenario.Case{Verdict: diagnosis.Error, Kind: diagnosis.KindAccountInactive, StatusCode: n(402), Transport: "polling"}
	match := scenario.Outcome{Verdict: "error", Kind: "account-inactive", StatusCode: n(402), Transport: "polling"}
	with := func(change func(*scenario.Outcome)) scenario.Outcome {
		o := match
		change(&o)
		return o
	}
	tests := []struct {
		name       string
		got        scenario.Outcome
		wantSubstr string // "" for a match
	}{
		{"match", match, ""},
		{"kind", with(func(o *scenario.Outcome) { o.Kind = "not-found" }), "kind not-found"},
		{"verdict", with(func(o *scenario.Outcome) { o.Verdict = "warning" }), "verdict warning"},
		{"status", with(func(o *scenario.Outcome) { o.StatusCode = n(403) }), "statusCode 403"},
		{"status missing", with(func(o *scenario.Outcome) { o.StatusCode = nil }), "statusCode null"},
		{"close", with(func(o *scenario.Outcome) { o.CloseCode = n(1000) }), "closeCode 1000"},
		{"transport", with(func(o *scenario.Outcome) { o.Transport = "websocket" }), `transport "websocket"`},
	}
	for _, tt := range tests {
		got := c.Mismatch(tt.got)
		if (got == "") != (tt.wantSubstr == "") || !strings.Contains(got, tt.wantSubstr) {
			t.Errorf("%s: Mismatch = %q, want one naming %q", tt.name, got, tt.wantSubstr)
		}
	}
	anyTransport := scenario.Case{Kind: diagnosis.KindOK, Verdict: diagnosis.OK}
	if got := anyTransport.Mismatch(scenario.Outcome{Verdict: "ok", Kind: "ok", Transport: "websocket"}); got != "" {
		t.Errorf("a case that asserts no transport: Mismatch = %q", got)
	}
}

// TestOutcomeOf: a result's outcome is its verdict, kind, codes and
// transport, as Mismatch compares them.
func TestOutcomeOf(t *testing.T) {
	status := 402
	res := &diagnosis.Result{Verdict: diagnosis.Error, Kind: diagnosis.KindAccountInactive, StatusCode: &status, Transport: "polling"}
	want := scenario.Outcome{Verdict: "error", Kind: "account-inactive", StatusCode: &status, Transport: "polling"}
	if got := scenario.OutcomeOf(res); got != want {
		t.Errorf("OutcomeOf = %+v, want %+v", got, want)
	}
}

// TestSilentListener: Accepted is closed at the first connection and not
// before; the connection gets no byte; Close ends it.
func TestSilentListener(t *testing.T) {
	l, err := scenario.ListenSilent()
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-l.Accepted():
		t.Fatal("Accepted is closed before any connection")
	default:
	}
	c, err := net.Dial("tcp", l.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	select {
	case <-l.Accepted():
	case <-time.After(time.Minute):
		t.Fatal("Accepted is still open a minute after a connection")
	}
	_ = c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if n, err := c.Read(make([]byte, 1)); n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("read %d bytes, %v; want nothing until the deadline", n, err)
	}
	l.Close()
	_ = c.SetReadDeadline(time.Now().Add(time.Minute))
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Errorf("read after Close: %v, want EOF", err)
	}
}
