package wasmbuild

// BrotliBudget is the most bytes the browser build may take as the page
// serves it: Build's WebAssembly at brotli 11 with a window that holds it
// whole. Every byte is downloaded and compiled before the page is ready,
// so a change that goes over is seen when it lands (the root package's
// TestWasmWithinBudget fails); `go run ./cmd/wasmsize` shows where the
// bytes are.
//
// The goal is 950,000 B (issue 20); the build is not there yet (1,025,242 B
// at the commit that set this), so the budget holds what there is, with
// room for brotli-11's jitter of about 8 KB between builds, and is to be
// lowered as the build shrinks, never raised without a reason.
const BrotliBudget = 1_035_000
