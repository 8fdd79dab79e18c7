package httpserve_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lsports/defendcheck/internal/httpserve"
)

// TestRequestsWhoseBodyNeverComesAreCut: 300 requests that send their
// headers and never the body they announce are each cut by the server
// within its read bound (a minute), with 30 s to spare for a busy
// machine, so that they hold no connection for ever; a quick request
// is still served meanwhile.
func TestRequestsWhoseBodyNeverComesAreCut(t *testing.T) {
	const n, bound = 300, time.Minute + 30*time.Second
	srv, err := httpserve.Listen("127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err == nil {
			_, _ = io.WriteString(w, "read")
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL(), "http://")
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- slowBody(addr, i, start.Add(bound))
		}()
	}
	res, err := http.Post(srv.URL()+"/", "text/plain", strings.NewReader("quick"))
	if err != nil {
		t.Fatalf("a quick request beside the slow ones: %v", err)
	}
	res.Body.Close()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	t.Logf("%d slow bodies cut within %s", n, time.Since(start))
}

// slowBody sends a request's headers and none of its body, and waits
// until by for the server to close the connection.
func slowBody(addr string, i int, by time.Time) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := fmt.Fprintf(c, "POST /%d HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n", i); err != nil {
		return err
	}
	_ = c.SetReadDeadline(by)
	_, err = io.Copy(io.Discard, c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return fmt.Errorf("request %d: still open at %s, past the bound", i, by.Format(time.TimeOnly))
	}
	return nil
}
