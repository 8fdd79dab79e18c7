package defendcheck

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"sync"
	"time"

	"github.com/andybalholm/brotli"
)

// Compression levels. NewHandler returns, and the page is served, only once
// every asset has a gzip and a brotli copy, so those are made at levels that
// are fast: a higher level makes the WebAssembly only a few percent smaller
// for several times the wait, and -race makes every level many times
// slower. Brotli 11 is clearly smaller but takes many seconds for the
// WebAssembly, so the immutable assets get it from Recompress, in the
// background, or from the cache.
const (
	fastBrotli = 5
	bestBrotli = 11
	gzipLevel  = gzip.DefaultCompression
)

// bestWindow is the brotli window (log2 of its size) for n bytes at
// bestBrotli: the smallest that holds them all, up to brotli's 16 MB, as a
// window that holds the whole WebAssembly makes it smaller than the default
// 4 MB does; a small asset gets a small window, as the encoder's memory
// grows with it.
func bestWindow(n int) int {
	return min(24, max(10, bits.Len(uint(n))))
}

// compress makes every asset's first gzip and brotli copies, all at once
// so that they share the machine's cores.
func (s *site) compress() {
	var wg sync.WaitGroup
	for _, a := range s.assets {
		wg.Go(func() { s.compressAsset(a) })
	}
	wg.Wait()
}

// compressAsset makes a's first gzip and brotli copies, at once. An
// immutable asset's brotli copy comes from the cache when it holds a sound
// one, else at the fast level; the page, a few KB fetched on every visit
// and rendered for this configuration, gets brotli 11 at once, which takes
// it milliseconds.
func (s *site) compressAsset(a *asset) {
	var wg sync.WaitGroup
	wg.Go(func() { a.gz = gzipCompress(a.body) })
	wg.Go(func() {
		if a.immutable {
			if br := s.cache.load(a); br != nil {
				a.br.Store(&br)
				a.best = true
				return
			}
		}
		level, window := fastBrotli, 0
		if !a.immutable {
			level, window = bestBrotli, bestWindow(len(a.body))
		}
		br, _ := brotliCompress(context.Background(), a.body, level, window)
		a.br.Store(&br)
	})
	wg.Wait()
}

// recompress gives every immutable asset that lacks one a brotli-11 copy,
// smallest asset first, and keeps each in the cache, as Handler.Recompress
// says; it returns the errors writing the cache apart from the error that
// stopped it.
func (s *site) recompress(ctx context.Context) (cacheErr, err error) {
	s.recompressing.Lock()
	defer s.recompressing.Unlock()
	var todo []*asset
	for _, a := range s.assets {
		if a.immutable && !a.best {
			todo = append(todo, a)
		}
	}
	slices.SortFunc(todo, func(a, b *asset) int { return cmp.Compare(len(a.body), len(b.body)) })
	var cacheErrs []error
	for _, a := range todo {
		br, err := brotliCompress(ctx, a.body, bestBrotli, bestWindow(len(a.body)))
		if err != nil {
			return nil, err
		}
		if len(br) < len(*a.br.Load()) {
			a.br.Store(&br)
		}
		a.best = true
		if err := s.cache.store(a, br); err != nil {
			cacheErrs = append(cacheErrs, fmt.Errorf("caching the brotli-11 copy of %s: %w", a.name, err))
		}
	}
	s.cache.prune(time.Now())
	return errors.Join(cacheErrs...), nil
}

func gzipCompress(body []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzipLevel)
	_, _ = zw.Write(body)
	_ = zw.Close()
	return buf.Bytes()
}

// brotliCompress compresses body at level with a window of 2^window bytes
// (0: the default), or returns ctx's error if ctx ends first. It feeds the
// encoder a little at a time, so that a cancellation waits for at most one
// input block's work, well under the second or so that Recompress promises.
func brotliCompress(ctx context.Context, body []byte, level, window int) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(body)/4 + 64)
	w := brotli.NewWriterOptions(&buf, brotli.WriterOptions{Quality: level, LGWin: window})
	for rest := body; len(rest) > 0; {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n := min(len(rest), 64<<10)
		if _, err := w.Write(rest[:n]); err != nil {
			return nil, err
		}
		rest = rest[n:]
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
