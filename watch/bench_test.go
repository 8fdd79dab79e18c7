package watch_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/scenario"
	"github.com/lsports/defendcheck/rmssim"
	"github.com/lsports/defendcheck/watch"
)

// BenchmarkChurn watches a server that cuts every connection 5 s after
// join (the simulator's 5006, in its own process so that only the
// watcher is measured) for DEFENDCHECK_CHURN (default 10m), and reports
// the watcher's connection attempts, goroutines and memory at the end,
// beside its goroutines and memory once it first connected:
//
//	go test -run '^$' -bench Churn -benchtime 1x ./watch/
func BenchmarkChurn(b *testing.B) {
	churn := 10 * time.Minute
	if s := os.Getenv("DEFENDCHECK_CHURN"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			b.Fatalf("DEFENDCHECK_CHURN: %v", err)
		}
		churn = d
	}
	tgt := churnServer(b)
	for range b.N {
		goroutines := runtime.NumGoroutine()
		r := start(b, watch.Config{Targets: []diagnosis.Target{tgt}, CustomerID: "5006"})
		r.metricIs(b, time.Minute, series("defendcheck_connected", tgt), is(1))
		startG, startHeap := measure()
		time.Sleep(churn)
		endG, endHeap := measure()
		scrape := r.scrape(b)
		attempts := 0.0
		for line := range strings.Lines(scrape) {
			if strings.HasPrefix(line, "defendcheck_attempts_total{") {
				v, _ := value(line, strings.Fields(line)[0])
				attempts += v
			}
		}
		rss, _ := value(scrape, "process_resident_memory_bytes")
		r.stop()
		b.ReportMetric(attempts, "attempts")
		b.ReportMetric(float64(startG-goroutines), "goroutines-at-connect")
		b.ReportMetric(float64(endG-goroutines), "goroutines-at-end")
		b.ReportMetric(float64(startHeap)/1e6, "heap-MB-at-connect")
		b.ReportMetric(float64(endHeap)/1e6, "heap-MB-at-end")
		b.ReportMetric(rss/1e6, "rss-MB-at-end")
	}
}

// measure is the goroutines and the heap in use after a collection.
func measure() (goroutines int, heap uint64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return runtime.NumGoroutine(), m.HeapInuse
}

// churnServer builds and starts the simulator's command in its own
// process, without a connection limit, until the benchmark ends.
func churnServer(b *testing.B) diagnosis.Target {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "rmssim")
	build := exec.Command("go", "build", "-o", bin, "github.com/lsports/defendcheck/cmd/rmssim")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("building the simulator: %v\n%s", err, out)
	}
	addr, err := scenario.FreeAddr()
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	sim := exec.CommandContext(ctx, bin, "-addr", addr, "-conn-per-minute", "0")
	if err := sim.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		cancel()
		_ = sim.Wait()
	})
	return diagnosis.Target{Origin: "http://" + addr, Path: rmssim.Path}
}
