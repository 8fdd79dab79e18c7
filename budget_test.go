//go:build !race

package defendcheck

import (
	"context"
	"testing"
	"time"

	"github.com/lsports/defendcheck/wasmbuild"
)

// TestWasmWithinBudget builds the browser build and compresses it as the
// page serves it (brotli 11, the window that holds it whole), and fails
// when that is over wasmbuild.BrotliBudget. It is built only without
// -race, which would make brotli 11 of the build take minutes instead of
// seconds and changes none of its bytes: .ci/test runs it on its own,
// before the -race run.
func TestWasmWithinBudget(t *testing.T) {
	// Brotli 11 of the 6 MB build takes about 20 s here, more on a busy
	// machine.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	built, err := wasmbuild.Build(ctx)
	if err != nil {
		t.Fatal(err)
	}
	br, err := brotliCompress(ctx, built.WASM, bestBrotli, bestWindow(len(built.WASM)))
	if err != nil {
		t.Fatal(err)
	}
	if len(br) > wasmbuild.BrotliBudget {
		t.Fatalf("the browser build is %d B brotli 11 as served (%d B raw), over the budget of %d B (wasmbuild.BrotliBudget) by %d B; see where the bytes are with `go run ./cmd/wasmsize -top 30 -funcs 40`",
			len(br), len(built.WASM), wasmbuild.BrotliBudget, len(br)-wasmbuild.BrotliBudget)
	}
	t.Logf("the browser build is %d B brotli 11 as served (%d B raw), %d B under the budget of %d B",
		len(br), len(built.WASM), wasmbuild.BrotliBudget-len(br), wasmbuild.BrotliBudget)
}
