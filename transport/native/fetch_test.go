package native_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/lsports/defendcheck/transport"
	"github.com/lsports/defendcheck/transport/native"
)

// TestFetchEndsWithItsContext: a request to a server that never answers
// ends when its context does, with an error that wraps the context's and
// says so once (transport.Aborted).
func TestFetchEndsWithItsContext(t *testing.T) {
	addr := silent(t)
	for _, tt := range []struct {
		name string
		end  func() (context.Context, context.CancelFunc)
		is   error
	}{
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 200*time.Millisecond)
		}, context.DeadlineExceeded},
		{"cancelled", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(200*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := tt.end()
			defer cancel()
			_, err := native.Fetcher{}.Fetch(ctx, transport.Request{Method: "GET", URL: "http://" + addr + "/", Limit: 100})
			if !errors.Is(err, tt.is) || strings.Count(err.Error(), tt.is.Error()) != 1 {
				t.Errorf("err %v, want one that wraps %q and says it once", err, tt.is)
			}
		})
	}
}

// TestDialEndsWithItsContext: a WebSocket upgrade that is never answered
// ends when its context is cancelled, long before the dialer's own
// handshake timeout, as a close 1006 that says so.
func TestDialEndsWithItsContext(t *testing.T) {
	addr := silent(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, err := native.Dialer{Proxy: noProxy}.Dial(ctx, "ws://"+addr+"/", func(string) {}, func(transport.CloseEvent) {})
	took := time.Since(start)
	var ce *transport.CloseEvent
	if !errors.As(err, &ce) || ce.Code != 1006 {
		t.Errorf("err %v, want a close 1006", err)
	}
	// gorilla/websocket's own handshake timeout is 45 s.
	if took > 20*time.Second {
		t.Errorf("the dial ended %s after its start, not when it was cancelled", took)
	}
}

// TestDialOutlivesItsContextOnceOpen: a WebSocket that opened is not ended
// by the end of the dial's context, which Session.dial cancels once Dial
// returns.
func TestDialOutlivesItsContextOnceOpen(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		for {
			kind, msg, err := c.ReadMessage()
			if err != nil || c.WriteMessage(kind, msg) != nil {
				return
			}
		}
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan string, 1)
	conn, err := native.Dialer{Proxy: noProxy}.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/", func(m string) { got <- m }, func(transport.CloseEvent) {})
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Send("still open"); err != nil {
		t.Fatalf("send after the dial's context ended: %v", err)
	}
	select {
	case m := <-got:
		if m != "still open" {
			t.Errorf("echo %q", m)
		}
	case <-time.After(time.Minute):
		t.Fatal("no echo within a minute: the WebSocket ended with the dial's context")
	}
}
