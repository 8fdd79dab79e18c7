package wasmbuild

// BrotliBudget is the most bytes the browser build may take as the page
// serves it: Build's WebAssembly at brotli 11 with a window that holds it
// whole. Every byte is downloaded and compiled before the page is ready,
// so a change that goes over is seen when it lands (the root package's
// TestWasmWithinBudget fails); `go run ./cmd/wasmsize` shows where the
// bytes are.
const BrotliBudget = 950_000
