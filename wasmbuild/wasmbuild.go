// Package wasmbuild builds the checker's WebAssembly with the go command
// on this machine, so that `go run ./cmd/defendcheck` and the browser tests
// need no build step of their own and never use a stale binary.
package wasmbuild

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Package is the import path of the checker's main package.
const Package = "github.com/lsports/defendcheck/wasm"

// Result is a built checker and the loader glue of the same toolchain.
type Result struct {
	WASM     []byte
	WasmExec []byte
}

// Build compiles Package for GOOS=js GOARCH=wasm, stripped and without
// local paths. It must run inside this module.
func Build(ctx context.Context) (*Result, error) {
	dir, err := os.MkdirTemp("", "defendcheck-wasm-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "main.wasm")
	if _, err := goCmd(ctx, []string{"GOOS=js", "GOARCH=wasm"},
		"build", "-trimpath", "-ldflags=-s -w", "-o", out, Package); err != nil {
		return nil, err
	}
	wasm, err := os.ReadFile(out)
	if err != nil {
		return nil, err
	}
	root, err := goCmd(ctx, nil, "env", "GOROOT")
	if err != nil {
		return nil, err
	}
	exec, err := readWasmExec(strings.TrimSpace(root))
	if err != nil {
		return nil, err
	}
	return &Result{WASM: wasm, WasmExec: exec}, nil
}

// readWasmExec finds wasm_exec.js: lib/wasm since Go 1.24, misc/wasm before.
func readWasmExec(goroot string) ([]byte, error) {
	var firstErr error
	for _, p := range []string{"lib/wasm/wasm_exec.js", "misc/wasm/wasm_exec.js"} {
		b, err := os.ReadFile(filepath.Join(goroot, p))
		if err == nil {
			return b, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, fmt.Errorf("wasm_exec.js not found in GOROOT %s: %w", goroot, firstErr)
}

func goCmd(ctx context.Context, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}
