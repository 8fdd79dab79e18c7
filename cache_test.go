package defendcheck_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lsports/defendcheck"
)

// cacheFile is where a handler with CacheDir dir keeps the brotli-11 copy
// of body.
func cacheFile(dir string, body []byte) string {
	sum := sha256.Sum256(body)
	return filepath.Join(dir, hex.EncodeToString(sum[:])+".br11")
}

func TestSecondStartServesBrotli11FromTheCache(t *testing.T) {
	dir := t.TempDir()
	best := best11(t, textWASM)
	h, _ := start(t, defendcheck.Config{WASM: textWASM, WasmExec: fakeExec, CacheDir: dir})
	if err := h.Recompress(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, base := start(t, defendcheck.Config{WASM: textWASM, WasmExec: fakeExec, CacheDir: dir})
	url := wasmURL(t, base)
	if got := getBrotli(t, url, textWASM); !bytes.Equal(got, best) {
		t.Errorf("the second handler's first response is %d bytes of brotli, want the cached brotli 11's %d", len(got), len(best))
	}
	if got := headLength(t, url); got != int64(len(best)) {
		t.Errorf("HEAD: Content-Length %d, want %d", got, len(best))
	}
}

func TestDamagedCacheEntryIsNotServed(t *testing.T) {
	// A cache with every asset, so that each case recompresses the wasm only.
	warm := t.TempDir()
	h, _ := start(t, defendcheck.Config{WASM: textWASM, WasmExec: fakeExec, CacheDir: warm})
	if err := h.Recompress(context.Background()); err != nil {
		t.Fatal(err)
	}
	best := best11(t, textWASM)
	other := best11(t, words(1000))
	tests := []struct {
		name  string
		entry []byte
	}{
		{"empty", nil},
		{"truncated", best[:len(best)/2]},
		{"one byte changed", func() []byte {
			b := bytes.Clone(best)
			b[len(b)/2] ^= 0x55
			return b
		}()},
		{"trailing bytes", append(bytes.Clone(best), "junk"...)},
		{"not brotli", textWASM},
		{"another content", other},
		{"another content of the same size", func() []byte {
			b := bytes.Clone(textWASM)
			b[len(b)/2] ^= 1
			return best11(t, b)
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS(warm)); err != nil {
				t.Fatal(err)
			}
			path := cacheFile(dir, textWASM)
			if err := os.WriteFile(path, tt.entry, 0o644); err != nil {
				t.Fatal(err)
			}
			h, base := start(t, defendcheck.Config{WASM: textWASM, WasmExec: fakeExec, CacheDir: dir})
			url := wasmURL(t, base)
			if got := getBrotli(t, url, textWASM); bytes.Equal(got, tt.entry) {
				t.Fatal("the damaged cache entry was served")
			}
			if err := h.Recompress(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := getBrotli(t, url, textWASM); !bytes.Equal(got, best) {
				t.Errorf("after Recompress: %d bytes of brotli, want brotli 11's %d", len(got), len(best))
			}
			if cached, err := os.ReadFile(path); err != nil || !bytes.Equal(cached, best) {
				t.Errorf("Recompress did not replace the damaged entry (%d bytes, %v)", len(cached), err)
			}
		})
	}
}

func TestRecompressPrunesTheCache(t *testing.T) {
	dir := t.TempDir()
	month := -31 * 24 * time.Hour
	files := []struct {
		name string
		body []byte
		age  time.Duration
		kept bool
	}{
		{filepath.Base(cacheFile(dir, textWASM)), best11(t, textWASM), month, true}, // in use: touched on load
		{strings.Repeat("a", 64) + ".br11", []byte("old build"), month, false},
		{strings.Repeat("b", 64) + ".br11", []byte("recent build"), -24 * time.Hour, true},
		{".tmp-123", []byte("left by a crash"), -2 * time.Hour, false},
		{".tmp-456", []byte("being written"), -time.Minute, true},
		{"notes.txt", []byte("not ours"), month, true},
	}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, f.body, 0o644); err != nil {
			t.Fatal(err)
		}
		when := time.Now().Add(f.age)
		if err := os.Chtimes(p, when, when); err != nil {
			t.Fatal(err)
		}
	}
	h, _ := start(t, defendcheck.Config{WASM: textWASM, WasmExec: fakeExec, CacheDir: dir})
	if err := h.Recompress(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		_, err := os.Stat(filepath.Join(dir, f.name))
		if kept := err == nil; kept != f.kept {
			t.Errorf("%s (%v old): kept %v, want %v", f.name, -f.age, kept, f.kept)
		}
	}
}

func TestRecompressReportsAnUnwritableCache(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	h, base := start(t, defendcheck.Config{WASM: textWASM, WasmExec: fakeExec, CacheDir: filepath.Join(file, "cache")})
	err := h.Recompress(context.Background())
	if err == nil || !strings.Contains(err.Error(), "caching the brotli-11 copy of main.") {
		t.Errorf("Recompress with a cache under a file = %v, want an error naming the wasm", err)
	}
	if got := getBrotli(t, wasmURL(t, base), textWASM); !bytes.Equal(got, best11(t, textWASM)) {
		t.Errorf("with the cache unwritable, the wasm is %d bytes of brotli, not brotli 11", len(got))
	}
}

func TestDefaultCacheDir(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	user, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := defendcheck.DefaultCacheDir(), filepath.Join(user, "defendcheck", "brotli"); got != want {
		t.Errorf("DefaultCacheDir() = %q, want %q", got, want)
	}
	// Where there is no cache directory (on Unix, no XDG_CACHE_HOME and no HOME), none.
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "")
	if got := defendcheck.DefaultCacheDir(); got != "" {
		t.Errorf("DefaultCacheDir() = %q with no cache directory, want \"\"", got)
	}
}

// TestCacheEntryThatIsNotAFileNeverBlocks: a FIFO nobody writes to, or a
// directory, where a cached copy goes is not read (opening a FIFO to read
// waits for a writer, and the server answered 503 for ever); the handler
// serves, and Recompress puts a copy in its place, within a minute.
func TestCacheEntryThatIsNotAFileNeverBlocks(t *testing.T) {
	for _, tt := range []struct {
		name string
		make func(string) error
	}{
		{"FIFO", func(p string) error { return syscall.Mkfifo(p, 0o644) }},
		{"directory", func(p string) error { return os.Mkdir(p, 0o755) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := cacheFile(dir, textWASM)
			if err := tt.make(path); err != nil {
				t.Fatal(err)
			}
			start0 := time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			h, base := start(t, defendcheck.Config{WASM: textWASM, WasmExec: fakeExec, CacheDir: dir})
			getBrotli(t, wasmURL(t, base), textWASM)
			err := h.Recompress(ctx)
			t.Logf("served and recompressed in %s", time.Since(start0))
			if ctx.Err() != nil {
				t.Fatal("not served and recompressed within a minute")
			}
			if tt.name == "FIFO" {
				if err != nil {
					t.Fatal(err)
				}
				if cached, err := os.ReadFile(path); err != nil || !bytes.Equal(cached, best11(t, textWASM)) {
					t.Errorf("Recompress did not replace the FIFO with the copy (%d bytes, %v)", len(cached), err)
				}
			}
		})
	}
}
