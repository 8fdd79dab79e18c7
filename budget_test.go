package defendcheck

import (
	"context"
	"testing"
	"time"

	"github.com/lsports/defendcheck/wasmbuild"
)

// TestWasmWithinBudget builds the browser build and compresses it as the
// page serves it (brotli 11, the window that holds it whole), and fails
// when that is over wasmbuild.BrotliBudget.
func TestWasmWithinBudget(t *testing.T) {
	// Brotli 11 of the 6 MB build takes about 25 s here, several times
	// that with -race on a busy machine.
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
