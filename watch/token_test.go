package watch_test

import (
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/watch"
)

// jwt is an unsigned JWT whose exp is exp.
func jwt(exp time.Time, id string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc([]byte(`{"sub":"`+id+`","exp":`+strconv.FormatInt(exp.Unix(), 10)+`}`)) + ".c2ln"
}

// headers records the Authorization headers a server was sent.
type headers struct {
	mu   sync.Mutex
	seen []string
}

func (h *headers) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		if a := r.Header.Get("Authorization"); !slices.Contains(h.seen, a) {
			h.seen = append(h.seen, a)
		}
		h.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func (h *headers) sent(token string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Contains(h.seen, "Bearer "+token)
}

// TestRotatedTokenIsUsedOnTheNextConnection: the token file is read
// before every attempt; the next connection after a rotation carries the
// new token, its exp is exported, and no token is in a metric or a log
// line.
func TestRotatedTokenIsUsedOnTheNextConnection(t *testing.T) {
	t.Parallel()
	var h headers
	tgt, _ := simAt(t, "127.0.0.1:0", h.wrap)
	file := filepath.Join(t.TempDir(), "token")
	expA, expB := time.Now().Add(30*time.Minute).Truncate(time.Second), time.Now().Add(time.Hour).Truncate(time.Second)
	a, b := jwt(expA, "first"), jwt(expB, "second")
	if err := os.WriteFile(file, []byte(a+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	read := func() (string, error) {
		raw, err := os.ReadFile(file)
		return strings.TrimSpace(string(raw)), err
	}
	// 1001 closes after its first event, so the watcher connects again
	// after a second, then two, four...
	w := start(t, watch.Config{Targets: []diagnosis.Target{tgt}, CustomerID: "1001", Token: read})
	expiry := series("defendcheck_token_expiry_timestamp_seconds", tgt)
	w.metricIs(t, 30*time.Second, expiry, is(float64(expA.Unix())))
	until(t, 30*time.Second, "connection with the first token", func() (bool, string) { return h.sent(a), "" })
	if err := os.WriteFile(file, []byte(b+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	until(t, 30*time.Second, "connection with the rotated token", func() (bool, string) { return h.sent(b), w.logs.String() })
	w.metricIs(t, 10*time.Second, expiry, is(float64(expB.Unix())))
	scrape, logs := w.scrape(t), w.logs.String()
	for _, tok := range []string{a, b} {
		for _, part := range strings.Split(tok, ".")[:2] {
			if strings.Contains(scrape, part) || strings.Contains(logs, part) {
				t.Errorf("a token's part %q is in the metrics or the log", part)
			}
		}
	}
}

// TestUnreadableTokenFileIsNoAttempt: a token file that cannot be read
// stops each attempt before it connects, says so, and counts none.
func TestUnreadableTokenFileIsNoAttempt(t *testing.T) {
	t.Parallel()
	tgt, _ := simAt(t, "127.0.0.1:0", nil)
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte("opaque-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	read := func() (string, error) {
		raw, err := os.ReadFile(file)
		return strings.TrimSpace(string(raw)), err
	}
	w := start(t, watch.Config{Targets: []diagnosis.Target{tgt}, CustomerID: "1001", Token: read})
	connects := series("defendcheck_attempts_total", tgt, "kind", "ok")
	w.metricIs(t, 30*time.Second, connects, is(1))
	if _, ok := value(w.scrape(t), series("defendcheck_token_expiry_timestamp_seconds", tgt)); ok {
		t.Error("an opaque token has an expiry")
	}
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	until(t, 30*time.Second, "line for the unreadable token", func() (bool, string) {
		return strings.Contains(w.logs.String(), `msg="not connecting: the access token could not be read"`), w.logs.String()
	})
	// One target's attempts come one after the other: every attempt that
	// read the file has ended by now, and every later one finds none.
	before, _ := value(w.scrape(t), connects)
	time.Sleep(3 * time.Second)
	if v, _ := value(w.scrape(t), connects); v != before {
		t.Errorf("%v connects, %v when the token file went: one connected without it", v, before)
	}
}
