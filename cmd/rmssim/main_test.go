package main

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lsports/defendcheck/internal/eventually"
	"github.com/lsports/defendcheck/internal/logbuf"
)

func TestRunServesTheSimulatorUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr logbuf.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-conn-per-minute", "0"}, &stdout, &stderr) }()

	url := regexp.MustCompile(`http://127\.0\.0\.1:\d+`)
	if !eventually.True(10*time.Second, 10*time.Millisecond, func() bool { return url.FindString(stdout.String()) != "" }) {
		t.Fatalf("no URL printed; stdout %q stderr %q", stdout.String(), stderr.String())
	}
	res, err := http.Get(url.FindString(stdout.String()) + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), "Simulated RMS-Socket") {
		t.Errorf("landing page: %d %.200s", res.StatusCode, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run returned %v after cancel", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancel")
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-conn-per-minute", "-1"},
		{"-event-interval", "0s"},
		{"-no-such-flag"},
		{"-addr", "not an address"},
	} {
		var stderr logbuf.Buffer
		if err := run(context.Background(), args, io.Discard, &stderr); err == nil {
			t.Errorf("run %q succeeded", args)
		}
	}
}
