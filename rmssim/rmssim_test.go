package rmssim_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/lsports/defendcheck/internal/eventually"
	"github.com/lsports/defendcheck/internal/logbuf"
	"github.com/lsports/defendcheck/internal/scenario"
	"github.com/lsports/defendcheck/rmssim"
)

// start serves a simulator on 127.0.0.1:0 for the test.
func start(t *testing.T, opts rmssim.Options) string {
	t.Helper()
	sim := rmssim.New(opts)
	srv := httptest.NewServer(sim)
	t.Cleanup(func() {
		_ = sim.Close()
		srv.Close()
	})
	return srv.URL
}

func ptr[T any](v T) *T { return &v }

// row is one row of the simulator's table as a client reaches it.
type row struct {
	name string
	id   *string // nil: no customerid header
	want outcome
}

// rows are the cases of package scenario that the simulator answers, one
// per row of its table, each with the header it receives and what a
// client must see.
func rows() []row {
	var rs []row
	for _, c := range scenario.Cases {
		o, ok := c.Row()
		if !ok {
			continue
		}
		var id *string
		if v, present := c.Header(); present {
			id = &v
		}
		rs = append(rs, row{c.Name, id, want(o)})
	}
	return rs
}

// want is what a client sees of the simulator's row o.
func want(o rmssim.Outcome) outcome {
	switch o.Behavior {
	case rmssim.Refuse:
		return outcome{StatusCode: ptr(o.StatusCode), Message: o.Message}
	case rmssim.CloseAfterJoin:
		return outcome{Connected: true, Upgraded: true, Event: "RESERVE_BET_ACCEPT", CloseCode: ptr(o.CloseCode)}
	case rmssim.NeverAnswer:
		// The engine session (and its upgrade) works; the client's own
		// deadline ends it.
		return outcome{Upgraded: true, TimedOut: true}
	case rmssim.PollingOnly:
		// Every upgrade is refused, yet join and events work over polling.
		return outcome{Connected: true, Event: "RESERVE_BET_ACCEPT"}
	case rmssim.Silent:
		return outcome{Connected: true, Upgraded: true, TimedOut: true}
	}
	return outcome{Connected: true, Upgraded: true, Event: "RESERVE_BET_ACCEPT"}
}

func TestEveryRowWithTheGoClient(t *testing.T) {
	url := start(t, rmssim.Options{})
	for _, r := range rows() {
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			got := connect(t, url, r.id, "")
			if !reflect.DeepEqual(got, r.want) {
				t.Errorf("customer ID %s:\n got %s\nwant %s", show(r.id), jsonOf(got), jsonOf(r.want))
			}
		})
	}
}

// TestOfficialJavaScriptClientAgrees runs every row with socket.io-client
// 4.8 under Node and requires the outcome the Go client saw.
func TestOfficialJavaScriptClientAgrees(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("testdata", "peer"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "socket.io-client")); err != nil {
		t.Fatalf("socket.io-client is not installed: run `npm ci --prefix rmssim/testdata/peer` (.ci/run does): %v", err)
	}
	url := start(t, rmssim.Options{})
	for _, r := range rows() {
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			id := "-"
			if r.id != nil {
				id = *r.id
			}
			cmd := exec.Command("node", filepath.Join(dir, "peer.mjs"), url, rmssim.Path, id)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			stdout, err := cmd.Output()
			if err != nil {
				t.Fatalf("node peer.mjs: %v\n%s", err, stderr.String())
			}
			var got outcome
			if err := json.Unmarshal(stdout, &got); err != nil {
				t.Fatalf("peer output %q: %v", stdout, err)
			}
			got = normalize(got)
			if !reflect.DeepEqual(got, r.want) {
				t.Errorf("customer ID %s, official JS client:\n got %s\nwant %s", show(r.id), jsonOf(got), jsonOf(r.want))
			}
		})
	}
}

func TestEleventhConnectionInAMinuteIsRateLimited(t *testing.T) {
	url := start(t, rmssim.Options{ConnPerMinute: 10})
	for i := 1; i <= 10; i++ {
		if got := connect(t, url, ptr("402"), ""); got.StatusCode == nil || *got.StatusCode != 402 {
			t.Fatalf("connection %d: got %s, want the 402 row (within the limit)", i, jsonOf(got))
		}
	}
	got := connect(t, url, ptr("12345"), "")
	want := outcome{StatusCode: ptr(429), Message: "Rate limit exceeded"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("11th connection: got %s, want %s", jsonOf(got), jsonOf(want))
	}
}

func TestNoRateLimitWhenOff(t *testing.T) {
	url := start(t, rmssim.Options{ConnPerMinute: 0})
	for i := 1; i <= 12; i++ {
		if got := connect(t, url, ptr("403"), ""); got.StatusCode == nil || *got.StatusCode != 403 {
			t.Fatalf("connection %d: got %s, want 403 (no limit)", i, jsonOf(got))
		}
	}
}

func TestLogLineNamesTheAuthorizationNeverItsValue(t *testing.T) {
	var logs logbuf.Buffer
	url := start(t, rmssim.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	connect(t, url, ptr("402"), "Bearer s3cret-token")
	connect(t, url, ptr("403"), "")
	out := logs.String()
	if strings.Contains(out, "s3cret") {
		t.Fatalf("the log contains the token:\n%s", out)
	}
	for _, want := range []string{
		`customer_id=402`, `authorization=present`, `outcome=refused`, `status=402`, `transport=polling`, `remote=127.0.0.1:`,
		`customer_id=403`, `authorization=absent`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "connection attempt"); n != 2 {
		t.Errorf("got %d log lines for 2 attempts:\n%s", n, out)
	}
}

func TestCORS(t *testing.T) {
	url := start(t, rmssim.Options{})
	preflight := func(origin string) *http.Response {
		req, _ := http.NewRequest(http.MethodOptions, url+rmssim.Path+"/?EIO=4&transport=polling", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "GET")
		req.Header.Set("Access-Control-Request-Headers", "customerid,authorization")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	for _, origin := range []string{"http://127.0.0.1:8080", "http://localhost:3000", "http://[::1]:9"} {
		res := preflight(origin)
		if got := res.Header.Get("Access-Control-Allow-Origin"); got != origin {
			t.Errorf("origin %s: Access-Control-Allow-Origin = %q, want it echoed", origin, got)
		}
		allowed := strings.ToLower(res.Header.Get("Access-Control-Allow-Headers"))
		for _, h := range []string{"customerid", "authorization", "content-type"} {
			if !strings.Contains(allowed, h) {
				t.Errorf("origin %s: Access-Control-Allow-Headers = %q, lacks %s", origin, allowed, h)
			}
		}
	}
	if got := preflight("https://evil.example").Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("a non-loopback origin was allowed by default: %q", got)
	}

	listed := start(t, rmssim.Options{AllowedOrigins: []string{"https://support.example"}})
	url = listed
	if got := preflight("https://support.example").Header.Get("Access-Control-Allow-Origin"); got != "https://support.example" {
		t.Errorf("a listed origin was refused: %q", got)
	}
	if got := preflight("http://127.0.0.1:8080").Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("with a list, an unlisted loopback origin was allowed: %q", got)
	}
}

func TestLandingPageListsTheTable(t *testing.T) {
	url := start(t, rmssim.Options{})
	res, err := http.Get(url + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type = %q", ct)
	}
	for _, o := range rmssim.Outcomes {
		if !bytes.Contains(body, []byte(o.CustomerID)) {
			t.Errorf("landing page lacks the row for %s", o.CustomerID)
		}
	}
	if !bytes.Contains(body, []byte(rmssim.Path)) {
		t.Error("landing page does not say the Socket.IO path")
	}
}

func TestOutcomeFor(t *testing.T) {
	tests := []struct {
		id      string
		present bool
		want    rmssim.Behavior
		status  int
		close   int
	}{
		{"", false, rmssim.Refuse, 401, 0},
		{"", true, rmssim.Refuse, 400, 0},
		{"12a", true, rmssim.Refuse, 400, 0},
		{" 12", true, rmssim.Refuse, 400, 0},
		{"400", true, rmssim.Refuse, 400, 0},
		{"402", true, rmssim.Refuse, 402, 0},
		{"403", true, rmssim.Refuse, 403, 0},
		{"429", true, rmssim.Refuse, 429, 0},
		{"500", true, rmssim.Refuse, 500, 0},
		{"1000", true, rmssim.CloseAfterJoin, 0, 1000},
		{"1001", true, rmssim.CloseAfterJoin, 0, 1001},
		{"4401", true, rmssim.CloseAfterJoin, 0, 4401},
		{"4403", true, rmssim.CloseAfterJoin, 0, 4403},
		{"408", true, rmssim.NeverAnswer, 0, 0},
		{"1006", true, rmssim.PollingOnly, 0, 0},
		{"204", true, rmssim.Silent, 0, 0},
		{"4020", true, rmssim.Healthy, 0, 0},
		{"0402", true, rmssim.Healthy, 0, 0},
	}
	for _, tt := range tests {
		got := rmssim.OutcomeFor(tt.id, tt.present)
		if got.Behavior != tt.want || got.StatusCode != tt.status || got.CloseCode != tt.close {
			t.Errorf("OutcomeFor(%q, %v) = %v/%d/%d, want %v/%d/%d", tt.id, tt.present,
				got.Behavior, got.StatusCode, got.CloseCode, tt.want, tt.status, tt.close)
		}
	}
}

func TestCloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	sim := rmssim.New(rmssim.Options{EventInterval: 20 * time.Millisecond})
	srv := httptest.NewServer(sim)
	connect(t, srv.URL, ptr("12345"), "")
	srv.CloseClientConnections()
	if err := sim.Close(); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	if !eventually.True(10*time.Second, 50*time.Millisecond, func() bool { return runtime.NumGoroutine() <= before }) {
		n := runtime.NumGoroutine()
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines before, %d after Close:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

func show(id *string) string {
	if id == nil {
		return "(no header)"
	}
	return *id
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
