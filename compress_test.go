package defendcheck_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/bits"
	"math/rand/v2"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/lsports/defendcheck"
)

// textWASM stands in for a real build in the compression tests: like code,
// it compresses well, and brotli 11 makes it clearly smaller than the fast
// level the handler starts with. Small enough for brotli 11 to take
// milliseconds.
var textWASM = append([]byte("\x00asm\x01\x00\x00\x00"), words(8<<10)...)

// words returns about n bytes of pseudo-random words, the same every run.
func words(n int) []byte {
	vocabulary := strings.Fields("socket customer verdict handshake namespace upgrade join event " +
		"polling websocket transport timeout reserve bet accept reject status close code runtime " +
		"func type struct return error nil context target origin header token report")
	r := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	for b.Len() < n {
		b.WriteString(vocabulary[r.IntN(len(vocabulary))])
		b.WriteByte(" \n.,"[r.IntN(4)])
		fmt.Fprint(&b, r.IntN(100))
	}
	return b.Bytes()
}

// best11 is what Recompress makes of body: brotli 11, with the smallest
// window that holds body.
func best11(t *testing.T, body []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := brotli.NewWriterOptions(&buf, brotli.WriterOptions{Quality: 11, LGWin: min(24, max(10, bits.Len(uint(len(body)))))})
	if _, err := w.Write(body); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// wasmURL is the content-hashed URL of the page's WebAssembly.
func wasmURL(t *testing.T, base string) string {
	t.Helper()
	_, page := get(t, base+"/", "identity")
	name := regexp.MustCompile(`main\.[0-9a-f]{12}\.wasm`).FindString(string(page))
	if name == "" {
		t.Fatalf("the page names no WebAssembly:\n%s", page)
	}
	return base + "/" + name
}

// getBrotli fetches url accepting brotli, checks that the response is
// brotli, whole, and decodes to want, and returns the compressed body.
func getBrotli(t *testing.T, url string, want []byte) []byte {
	t.Helper()
	body, err := fetchBrotli(url, want)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// fetchBrotli is getBrotli for any goroutine.
func fetchBrotli(url string, want []byte) ([]byte, error) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "br" || res.Header.Get("Vary") != "Accept-Encoding" {
		return nil, fmt.Errorf("GET %s: %d, Content-Encoding %q, Vary %q; want 200 br Accept-Encoding",
			url, res.StatusCode, res.Header.Get("Content-Encoding"), res.Header.Get("Vary"))
	}
	if res.ContentLength != int64(len(body)) {
		return nil, fmt.Errorf("GET %s: Content-Length %d for a %d-byte body", url, res.ContentLength, len(body))
	}
	if dec, err := io.ReadAll(brotli.NewReader(bytes.NewReader(body))); err != nil || !bytes.Equal(dec, want) {
		return nil, fmt.Errorf("GET %s: the brotli body does not decode to the asset (%v)", url, err)
	}
	return body, nil
}

// headLength is the Content-Length a HEAD request accepting brotli gets.
func headLength(t *testing.T, url string) int64 {
	t.Helper()
	req, _ := http.NewRequest(http.MethodHead, url, nil)
	req.Header.Set("Accept-Encoding", "br")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "br" {
		t.Fatalf("HEAD %s: %d, Content-Encoding %q", url, res.StatusCode, res.Header.Get("Content-Encoding"))
	}
	return res.ContentLength
}

func TestRecompressSwitchesToBrotli11AndCachesIt(t *testing.T) {
	dir := t.TempDir()
	best := best11(t, textWASM)
	h, base := start(t, defendcheck.Config{WASM: textWASM, WasmExec: fakeExec, CacheDir: dir})
	url := wasmURL(t, base)

	first := getBrotli(t, url, textWASM)
	if len(first) <= len(best) {
		t.Fatalf("before Recompress the wasm is %d bytes of brotli, want a fast level's, larger than brotli 11's %d", len(first), len(best))
	}
	if got := headLength(t, url); got != int64(len(first)) {
		t.Errorf("HEAD: Content-Length %d, GET sent %d", got, len(first))
	}
	if _, err := os.Stat(cacheFile(dir, textWASM)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a cache entry exists before Recompress: %v", err)
	}

	if err := h.Recompress(context.Background()); err != nil {
		t.Fatalf("Recompress: %v", err)
	}
	if got := getBrotli(t, url, textWASM); !bytes.Equal(got, best) {
		t.Errorf("after Recompress the wasm is %d bytes of brotli, want brotli 11's %d", len(got), len(best))
	}
	if got := headLength(t, url); got != int64(len(best)) {
		t.Errorf("HEAD after Recompress: Content-Length %d, want %d", got, len(best))
	}
	res, gz := get(t, url, "gzip")
	if res.Header.Get("Content-Encoding") != "gzip" || res.ContentLength != int64(len(gz)) {
		t.Errorf("gzip after Recompress: Content-Encoding %q, Content-Length %d for %d bytes",
			res.Header.Get("Content-Encoding"), res.ContentLength, len(gz))
	}
	if cached, err := os.ReadFile(cacheFile(dir, textWASM)); err != nil || !bytes.Equal(cached, best) {
		t.Errorf("the cache does not hold the brotli-11 copy (%d bytes, %v)", len(cached), err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 4 { // main.wasm, wasm_exec.js, app.js, style.css
		t.Errorf("cache holds %q, want the 4 immutable assets' .br11 and nothing else", names)
	}
	if err := h.Recompress(context.Background()); err != nil {
		t.Errorf("a second Recompress: %v", err)
	}
}

// TestResponsesWhileRecompressing runs requests during the switch (under
// -race, it also checks the switch's memory safety): each response is
// whole, one copy or the other, never a mix.
func TestResponsesWhileRecompressing(t *testing.T) {
	h, base := start(t, defendcheck.Config{WASM: textWASM, WasmExec: fakeExec})
	url := wasmURL(t, base)
	fast := getBrotli(t, url, textWASM)
	best := best11(t, textWASM)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seen = map[int]int{} // body length -> responses
	)
	done := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				// fetchBrotli checks Content-Length against the body and decodes it.
				body, err := fetchBrotli(url, textWASM)
				if err != nil {
					t.Error(err)
					return
				}
				if !bytes.Equal(body, fast) && !bytes.Equal(body, best) {
					t.Errorf("a %d-byte response is neither the fast copy (%d) nor brotli 11 (%d)", len(body), len(fast), len(best))
				}
				mu.Lock()
				seen[len(body)]++
				mu.Unlock()
			}
		})
	}
	err := h.Recompress(context.Background())
	close(done)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if got := getBrotli(t, url, textWASM); !bytes.Equal(got, best) {
		t.Errorf("after Recompress: %d bytes, want brotli 11's %d", len(got), len(best))
	}
	t.Logf("responses by body length during Recompress: %v", seen)
}

func TestRecompressStopsWithItsContext(t *testing.T) {
	dir := t.TempDir()
	h, base := start(t, defendcheck.Config{WASM: textWASM, WasmExec: fakeExec, CacheDir: dir})
	url := wasmURL(t, base)
	fast := getBrotli(t, url, textWASM)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := h.Recompress(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Recompress with a cancelled context = %v, want context.Canceled", err)
	}
	if got := getBrotli(t, url, textWASM); !bytes.Equal(got, fast) {
		t.Errorf("after a stopped Recompress the response changed: %d bytes, was %d", len(got), len(fast))
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a stopped Recompress left %d files in the cache", len(entries))
	}
	// What was stopped is done by the next call.
	if err := h.Recompress(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := getBrotli(t, url, textWASM); !bytes.Equal(got, best11(t, textWASM)) {
		t.Errorf("after the next Recompress: %d bytes, not brotli 11", len(got))
	}
}
