package watch_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lsports/defendcheck/diagnosis"
	"github.com/lsports/defendcheck/internal/logbuf"
	"github.com/lsports/defendcheck/internal/scenario"
	"github.com/lsports/defendcheck/watch"
)

// prometheusBinary is Debian's Prometheus (the prometheus package, which
// the test command installs): PROMETHEUS names another. In CI its absence
// fails the test; elsewhere it skips it.
func prometheusBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("PROMETHEUS"); p != "" {
		return p
	}
	p, err := exec.LookPath("prometheus")
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no prometheus binary (Debian's prometheus package); .ci/test installs it")
	}
	t.Skip("no prometheus binary; install Debian's prometheus package or set PROMETHEUS")
	return ""
}

// TestPrometheusScrapesTheWatcher: a real Prometheus scrapes a watcher of
// a healthy simulator, and its HTTP API returns defendcheck_connected = 1.
func TestPrometheusScrapesTheWatcher(t *testing.T) {
	t.Parallel()
	bin := prometheusBinary(t)
	tgt, _ := simAt(t, "127.0.0.1:0", nil)
	w := start(t, watch.Config{Targets: []diagnosis.Target{tgt}, CustomerID: "12345"})
	addr, err := scenario.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	config := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(config, []byte(`global:
  scrape_interval: 1s
scrape_configs:
  - job_name: defendcheck
    static_configs:
      - targets: ['`+strings.TrimPrefix(w.url, "http://")+`']
`), 0o600); err != nil {
		t.Fatal(err)
	}
	var out logbuf.Buffer
	cmd := exec.Command(bin, "--config.file="+config, "--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	query := "http://" + addr + "/api/v1/query?query=" + url.QueryEscape(`defendcheck_connected{target="`+tgt.String()+`"}`)
	until(t, 90*time.Second, "defendcheck_connected = 1 from Prometheus", func() (bool, string) {
		v, saw := queryValue(query)
		return v == "1", saw + "\nprometheus:\n" + tail(out.String())
	})
}

// queryValue is the value of an instant query's one sample ("" for none)
// and what the API answered.
func queryValue(query string) (value, saw string) {
	resp, err := http.Get(query)
	if err != nil {
		return "", err.Error()
	}
	defer resp.Body.Close()
	var body struct {
		Status string
		Data   struct {
			Result []struct {
				Value [2]any
			}
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return "", err.Error()
	}
	if body.Status != "success" || len(body.Data.Result) != 1 {
		return "", resp.Status + " " + body.Status
	}
	v, _ := body.Data.Result[0].Value[1].(string)
	return v, "value " + v
}

// tail is the last 2000 bytes of s.
func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}
