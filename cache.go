package defendcheck

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/lsports/defendcheck/internal/atomicfile"
)

// brotliCache is the directory of brotli-11 copies (Config.CacheDir), one
// file per content; "" keeps none.
type brotliCache string

// cacheSuffix ends the name of a cached brotli-11 copy:
// <sha256 of the uncompressed content>.br11; cacheTmpPrefix starts one
// being written.
const (
	cacheSuffix    = ".br11"
	cacheTmpPrefix = ".tmp-"
)

// Cached copies not used for cacheMaxAge are removed, and abandoned
// temporary files after tmpMaxAge.
const (
	cacheMaxAge = 30 * 24 * time.Hour
	tmpMaxAge   = time.Hour
)

// path is where the brotli-11 copy of a's content is kept.
func (c brotliCache) path(a *asset) string {
	return filepath.Join(string(c), hex.EncodeToString(a.sum[:])+cacheSuffix)
}

// load returns the cached brotli-11 copy of a, or nil when there is none or
// it does not decode to a's content, which is checked on every load, a
// small cost beside compressing: a truncated or damaged file is never
// served, and Recompress replaces it. Using an entry marks it as recently
// used.
func (c brotliCache) load(a *asset) []byte {
	if c == "" {
		return nil
	}
	p := c.path(a)
	br := readRegular(p, int64(len(a.body)+len(a.body)/16+64))
	if br == nil || !decodesTo(br, a.sum, len(a.body)) {
		return nil
	}
	now := time.Now()
	_ = os.Chtimes(p, now, now)
	return br
}

// readRegular returns the content of the regular file at p when it is
// shorter than limit bytes, else nil. It never waits: a FIFO, a device or
// a directory put there is opened without blocking and not read, and the
// size is checked before reading (and the read bounded, should the file
// grow).
func readRegular(p string, limit int64) []byte {
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() || info.Size() >= limit {
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(f, limit))
	if err != nil || int64(len(b)) >= limit {
		return nil
	}
	return b
}

// decodesTo reports whether br is one brotli stream that decodes to size
// bytes with the SHA-256 sum, and nothing after it.
func decodesTo(br []byte, sum [sha256.Size]byte, size int) bool {
	d := sha256.New()
	n, err := io.Copy(d, io.LimitReader(brotli.NewReader(bytes.NewReader(br)), int64(size)+1))
	return err == nil && n == int64(size) && bytes.Equal(d.Sum(nil), sum[:])
}

// store keeps br as a's copy, written whole so that another start never
// reads half a file.
func (c brotliCache) store(a *asset, br []byte) error {
	if c == "" {
		return nil
	}
	if err := os.MkdirAll(string(c), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(c.path(a), br, 0o600, cacheTmpPrefix)
}

// prune removes cached copies not used for cacheMaxAge (copies of builds
// long gone) and temporary files left by a process that died writing one.
func (c brotliCache) prune(now time.Time) {
	if c == "" {
		return
	}
	entries, err := os.ReadDir(string(c))
	if err != nil {
		return
	}
	for _, e := range entries {
		maxAge := cacheMaxAge
		switch name := e.Name(); {
		case strings.HasPrefix(name, cacheTmpPrefix):
			maxAge = tmpMaxAge
		case !strings.HasSuffix(name, cacheSuffix) || !e.Type().IsRegular():
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > maxAge {
			_ = os.Remove(filepath.Join(string(c), e.Name()))
		}
	}
}
