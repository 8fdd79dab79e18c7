//go:build !js

package check_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lsports/defendcheck/check"
	"github.com/lsports/defendcheck/diagnosis"
)

// names records what OnEvent is told.
type names struct {
	mu   sync.Mutex
	list []string
}

func (n *names) add(name string, _ time.Time) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.list = append(n.list, name)
}

func (n *names) get() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.list)
}

// TestHoldOnLastsUntilStopped: a hold of HoldOn outlasts every bound of
// the check, tells OnEvent every event (the one before the hold too), and
// ends as stopped when StopHold closes, the check's verdict unchanged.
func TestHoldOnLastsUntilStopped(t *testing.T) {
	tgt, _ := simulator(t)
	var seen names
	stop := make(chan struct{})
	cfg := config(tgt, "12345")
	cfg.Hold, cfg.StopHold, cfg.OnEvent = check.HoldOn, stop, seen.add
	held := make(chan struct{})
	var once sync.Once
	cfg.OnProgress = func(p check.Progress) {
		for _, s := range p.Steps {
			if s.Name == diagnosis.StepHold && s.Status == diagnosis.StepRunning {
				once.Do(func() { close(held) })
			}
		}
	}
	done := make(chan *diagnosis.Result, 1)
	go func() { done <- run(t, cfg) }()
	select {
	case <-held:
	case <-time.After(20 * time.Second):
		t.Fatal("the hold never began")
	}
	// Longer than the settle bound, with events every 200 ms.
	time.Sleep(3 * time.Second)
	select {
	case res := <-done:
		t.Fatalf("a HoldOn hold ended by itself: %s", res.Report)
	default:
	}
	close(stop)
	var res *diagnosis.Result
	select {
	case res = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after StopHold closed")
	}
	if res.Kind != diagnosis.KindOK || res.Hold == nil || !res.Hold.Stopped || res.Hold.ClosedAtS != nil {
		t.Fatalf("kind %s, hold %+v; want ok, stopped, never closed", res.Kind, res.Hold)
	}
	got := seen.get()
	if len(got) < res.Hold.Events+1 || res.Hold.Events < 5 {
		t.Errorf("OnEvent told of %d events, the hold counted %d; want the hold's and the first before it, several", len(got), res.Hold.Events)
	}
	for _, name := range got {
		if name != "RESERVE_BET_ACCEPT" && name != "RESERVE_BET_REJECT" {
			t.Errorf("OnEvent told of %q, which the simulator never sends", name)
		}
	}
}

// TestHoldOnEndsWithTheCut: a held connection that is cut (5006) ends the
// check as connection-lost with the close code, whatever the context.
func TestHoldOnEndsWithTheCut(t *testing.T) {
	tgt, _ := simulator(t)
	cfg := config(tgt, "5006")
	cfg.Hold = check.HoldOn
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := check.Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Fatalf("the cut never ended the hold: %s", res.Report)
	}
	if res.Kind != diagnosis.KindConnectionLost || res.CloseCode == nil || *res.CloseCode != 1006 || res.Hold == nil || res.Hold.ClosedAtS == nil {
		t.Fatalf("kind %s, close code %v, hold %+v; want connection-lost, 1006, closed", res.Kind, res.CloseCode, res.Hold)
	}
}
