//go:build !js

package check_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lsports/defendcheck/check"
	"github.com/lsports/defendcheck/diagnosis"
)

// TestMalformedPacketsAreNamed: a Socket.IO packet the client cannot parse
// ends the check as not-engineio with the packet's first bytes, never as a
// lost connection, whether it comes after the namespace connected or as
// the answer to its CONNECT.
func TestMalformedPacketsAreNamed(t *testing.T) {
	// Socket.IO packets, each sent as an Engine.IO message.
	packets := []string{
		`2`, `2[`, `2{}`, `2"x"`, `2[]`, `2["a"`, `2null`,
		`9`, `x`, `1[]`, `4`, `3`, `5`, `5x-["a"]`, `599-["a",{"_placeholder":true,"num":0}]`,
		`2/` + strings.Repeat("n", 600) + `,["a"]`, `2123456789012345678901234["a"]`,
		`51-["a",{"_placeholder":true,"num":0}]` + "\x1e" + `42["b"]`, // text while an attachment is awaited
	}
	for _, p := range packets {
		t.Run(p[:min(len(p), 20)], func(t *testing.T) {
			t.Parallel()
			srv := startCounted(t, &looper{poll: firstThen(payload(`40{"sid":"bad"}`, "4"+p), nil)})
			res := run(t, config(target(srv.URL), "12345"))
			head := p
			if i := strings.LastIndex(p, "\x1e4"); i >= 0 {
				head = p[i+2:] // the packet that fails
			}
			assertNamed(t, res, head)
			srv.waitIdle(t, 2*time.Second)
		})
	}
	// An attachment without its event; a CONNECT whose data is not an
	// object; an Engine.IO open packet, mid-session, whose data is not.
	for _, p := range []string{"bAQID", `40[]`, `0[]`} {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			srv := startCounted(t, &looper{poll: firstThen(p, nil)})
			res := run(t, config(target(srv.URL), "12345"))
			head := map[string]string{"bAQID": `binary, 3 bytes: "\x01\x02\x03"`, `40[]`: `0[]`, `0[]`: "Engine.IO open packet: []"}[p]
			assertNamed(t, res, head)
			if res.Steps[2].Name != diagnosis.StepNamespace || res.Steps[2].Status != diagnosis.StepFailed {
				t.Errorf("steps %+v, want the namespace step failed", res.Steps)
			}
			srv.waitIdle(t, 2*time.Second)
		})
	}
}

// assertNamed checks that res is not-engineio, naming the packet that
// began with head.
func assertNamed(t *testing.T, res *diagnosis.Result, head string) {
	t.Helper()
	messages := strings.Join(res.Messages, "\n")
	if res.Kind != diagnosis.KindUnreadablePacket || !strings.Contains(messages, "a packet this check cannot parse") || !strings.Contains(messages, head[:min(len(head), 60)]) {
		t.Errorf("kind %s, want unreadable-packet naming %.60q:\n%s", res.Kind, head, messages)
	}
	assertKeptClean(t, res)
}

// TestHoldCountsEveryEventOfABurst: bursts of events during a hold, many
// in one poll answer, are all counted.
func TestHoldCountsEveryEventOfABurst(t *testing.T) {
	const bursts, size = 10, 300
	holding := make(chan struct{})
	var once sync.Once
	s := &looper{poll: firstThen(payload(`40{"sid":"hold"}`, `42["first"]`), func(w http.ResponseWriter, r *http.Request, n int64, _ *looper) {
		select {
		case <-holding:
		case <-r.Context().Done():
			return
		}
		if n-1 > bursts {
			<-r.Context().Done()
			return
		}
		write(w, payload(events(size)...))
	})}
	srv := startCounted(t, s)
	cfg := config(target(srv.URL), "12345")
	cfg.Bounds.Upgrade = 200 * time.Millisecond // no upgrade is offered
	cfg.Hold = 3 * time.Second
	cfg.OnProgress = func(p check.Progress) {
		for _, st := range p.Steps {
			if st.Name == diagnosis.StepHold && st.Status == diagnosis.StepRunning {
				once.Do(func() { close(holding) })
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := check.Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Hold == nil || res.Hold.Events != bursts*size || res.Kind != diagnosis.KindPollingOnly {
		t.Fatalf("kind %s, hold %+v, want polling-only with %d events held\n%s", res.Kind, res.Hold, bursts*size, res.Report)
	}
	srv.waitIdle(t, 2*time.Second)
}
