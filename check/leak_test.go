//go:build !js

package check_test

import (
	"bufio"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"
	"time"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/eventually"
)

// TestHundredChecksLeaveNoGoroutines runs 100 checks of mixed outcomes in
// one process, as the page does in one tab, and requires the goroutine
// count to come back to where it was before them. The simulator runs in a
// process of its own, so that only the checker's goroutines are counted.
// The Socket.IO library keeps a goroutine per pending timer (ping and
// connect timeouts), so the count is given until those have run out.
func TestHundredChecksLeaveNoGoroutines(t *testing.T) {
	tgt := simulatorProcess(t)
	before := settled(0)
	ids := []string{"12345", "402", "4401", "1006", "500"}
	for i := 0; i < 100; i++ {
		id := ids[i%len(ids)]
		cfg := config(tgt, id)
		cfg.Bounds.Settle = 50 * time.Millisecond
		cfg.RetryDelays = []time.Duration{time.Millisecond, time.Millisecond}
		cfg.Budget = &diagnosis.Budget{} // the page's budget would pace these over 10 minutes
		if res := run(t, cfg); res.Kind == diagnosis.KindTimeout || res.Kind == diagnosis.KindUnreachable {
			t.Fatalf("check %d (%s): %s\n%s", i, id, res.Kind, res.Report)
		}
	}
	peak := runtime.NumGoroutine()
	after := settled(before)
	t.Logf("goroutines before: %d; right after 100 checks: %d; once timers ran out: %d", before, peak, after)
	if after > before {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines grew from %d to %d over 100 checks:\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
}

// settled closes idle keep-alive connections and waits, for at most three
// minutes, until at most want goroutines run (want 0: one second); it
// returns the count.
func settled(want int) int {
	d := 3 * time.Minute
	if want == 0 {
		d = time.Second
	}
	var n int
	eventually.True(d, 200*time.Millisecond, func() bool {
		http.DefaultClient.CloseIdleConnections()
		n = runtime.NumGoroutine()
		return want > 0 && n <= want
	})
	return n
}

// simulatorProcess builds cmd/rmssim and runs it on 127.0.0.1:0 until the
// test ends.
func simulatorProcess(t *testing.T) diagnosis.Target {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "rmssim")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/lsports/defendcheck/cmd/rmssim").CombinedOutput(); err != nil {
		t.Fatalf("building rmssim: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-conn-per-minute", "0", "-event-interval", "200ms")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	origin := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(line)
	if err != nil || origin == "" {
		t.Fatalf("rmssim printed %q (%v)", line, err)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return target(origin)
}
