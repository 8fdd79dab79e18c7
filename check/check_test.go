package check_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lsports/defendcheck/check"
	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/rmssim"
	"github.com/lsports/defendcheck/transport/native"
)

func startSim(t *testing.T, opts rmssim.Options) diagnosis.Target {
	t.Helper()
	sim := rmssim.New(opts)
	srv := httptest.NewServer(sim)
	t.Cleanup(func() {
		srv.CloseClientConnections()
		_ = sim.Close()
		srv.Close()
	})
	return diagnosis.Target{Origin: srv.URL, Path: rmssim.Path}
}

func TestRunAgainstSimulator(t *testing.T) {
	target := startSim(t, rmssim.Options{EventInterval: 200 * time.Millisecond})
	for _, id := range []string{"12345", "402", "4401", "1006", "204", "408", "500"} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			res, err := check.Run(context.Background(), check.Config{
				Target: target, CustomerID: id, Token: "secret-token",
				Fetcher: native.Fetcher{}, Dialer: native.Dialer{},
				Bounds:      check.Bounds{Handshake: 2 * time.Second, Namespace: 2 * time.Second, Upgrade: 2 * time.Second, FirstEvent: 2 * time.Second, Settle: 300 * time.Millisecond},
				RetryDelays: []time.Duration{10 * time.Millisecond, 10 * time.Millisecond},
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s\n%s", res.Kind, res.Report)
			if strings.Contains(res.Report, "secret-token") {
				t.Error("token in report")
			}
		})
	}
}
