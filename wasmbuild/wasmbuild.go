// Package wasmbuild builds the checker's WebAssembly with the go command
// on this machine, so that `go run ./cmd/defendcheck` and the browser tests
// need no build step of their own and never use a stale binary.
//
// The browser build uses the Socket.IO library trimmed for GOOS=js by this
// project's own patch series (patches/, one idea a patch, written to be
// offered upstream). go.mod stays on the published modules, which native
// builds, the simulator and the native tests use as they are. For the js
// build, Modfile copies the pinned modules the series touches out of the
// module cache, applies the series, and writes a go.mod with replace
// directives pointing at the copies, for the go command's -modfile flag.
//
// Why -modfile and not -overlay: the go command refuses overlays of files
// beneath GOMODCACHE, and a patch may add files. Why not a replace in
// go.mod: native builds must keep the published library, and go.mod must
// not point at a directory that exists only after a build step.
package wasmbuild

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/lsports/defendcheck/internal/atomicfile"
)

// Package is the import path of the checker's main package.
const Package = "github.com/lsports/defendcheck/wasm"

// libraryRepo is the repository of the Socket.IO library's modules.
const libraryRepo = "github.com/zishang520/socket.io"

// applierVersion changes when the way the copies are made changes, so that
// older copies in the cache are not reused.
const applierVersion = "1"

//go:embed patches/*.patch
var patches embed.FS

// Result is a built checker and the loader glue of the same toolchain.
type Result struct {
	WASM     []byte
	WasmExec []byte
}

// Build compiles Package for GOOS=js GOARCH=wasm against the trimmed
// library, stripped and without local paths. It must run inside this
// module.
func Build(ctx context.Context) (*Result, error) {
	wasm, err := BuildPackage(ctx, Package)
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

// BuildPackage compiles the main package pkg of this module as Build
// compiles the checker: for js/wasm against the trimmed library, with the
// same flags, stripped. The benchmark builds its floor page with it (a Go
// program that only sets the page ready), so that the floor and the
// checker differ in their code only.
func BuildPackage(ctx context.Context, pkg string) ([]byte, error) {
	return buildWasm(ctx, pkg, "-s -w")
}

// buildWasm compiles pkg for js/wasm with the given -ldflags.
func buildWasm(ctx context.Context, pkg, ldflags string) ([]byte, error) {
	modfile, err := Modfile(ctx)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "defendcheck-wasm-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "main.wasm")
	if _, err := goCmd(ctx, jsEnv, "build", "-modfile="+modfile, "-trimpath",
		"-ldflags="+ldflags, noInline, "-o", out, pkg); err != nil {
		return nil, err
	}
	return os.ReadFile(out)
}

// The browser build is compiled without inlining: the checker's own work is
// a few milliseconds of event handling per check, and every byte is
// downloaded before the first check can start, so a smaller download wins
// over faster code; without inlining the build is clearly smaller and no
// slower in the browser (the README's benchmark gives the numbers).
const noInline = "-gcflags=all=-l"

// jsEnv selects the browser target, with Go's classic garbage collector:
// Green Tea, the default since Go 1.26, wins by marking in parallel with
// better memory locality on many cores, and js/wasm runs one thread; it
// also adds code to the download. Go 1.26 keeps the classic collector
// behind this GOEXPERIMENT; a toolchain without it stops the build with
// "unknown GOEXPERIMENT", and this line is then to go.
var jsEnv = []string{"GOOS=js", "GOARCH=wasm", "GOEXPERIMENT=nogreenteagc"}

// Modfile prepares the trimmed library and returns the path of a go.mod
// to pass to `go -modfile` for the js build (`go vet` and `go list`
// included). The copies and the go.mod live in the user's cache directory,
// keyed by the pinned versions, the series and this module's go.mod and
// go.sum, and are made only when one of those changes.
func Modfile(ctx context.Context) (string, error) {
	gomod, err := goCmd(ctx, nil, "env", "GOMOD")
	if err != nil {
		return "", err
	}
	gomod = strings.TrimSpace(gomod)
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("wasmbuild must run inside the defendcheck module")
	}
	series, err := loadSeries(mustSub(patches, "patches"))
	if err != nil {
		return "", err
	}
	mods, err := patchedModules(ctx, series)
	if err != nil {
		return "", err
	}
	cache, err := cacheDir()
	if err != nil {
		return "", err
	}
	trimmed, err := prepareTrimmed(cache, mods, series)
	if err != nil {
		return "", err
	}
	return writeModfile(cache, gomod, mods, trimmed)
}

// module is one of the library's modules as the module cache holds it.
type module struct {
	Path, Version, Dir, Sum string
	repoDir                 string // its directory in the library's repository
}

// patchedModules finds the library's modules that the series touches.
func patchedModules(ctx context.Context, series []patch) ([]module, error) {
	out, err := goCmd(ctx, nil, "list", "-m", "-f", "{{.Path}}", "all")
	if err != nil {
		return nil, err
	}
	known := map[string]string{} // repository dir -> module path
	for _, p := range strings.Fields(out) {
		if dir, ok := repoDir(p); ok {
			known[dir] = p
		}
	}
	want := map[string]bool{}
	for _, name := range touched(series) {
		best, found := owner(known, name)
		if !found {
			return nil, fmt.Errorf("the patch series changes %s, which is in none of the library's modules this module requires", name)
		}
		want[known[best]] = true
	}
	paths := make([]string, 0, len(want))
	for p := range want {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	raw, err := goCmd(ctx, nil, append([]string{"mod", "download", "-json"}, paths...)...)
	if err != nil {
		return nil, err
	}
	var mods []module
	dec := json.NewDecoder(strings.NewReader(raw))
	for dec.More() {
		var m module
		if err := dec.Decode(&m); err != nil {
			return nil, fmt.Errorf("go mod download: %w", err)
		}
		if m.Dir == "" {
			return nil, fmt.Errorf("go mod download gave no directory for %s", m.Path)
		}
		m.repoDir, _ = repoDir(m.Path)
		mods = append(mods, m)
	}
	return mods, nil
}

// prepareTrimmed returns the directory that holds the patched copies,
// laid out as the library's repository, making it if needed. It is built
// under a temporary name and renamed, so that concurrent builds (go test
// runs packages in parallel) never see a half-made copy.
func prepareTrimmed(cache string, mods []module, series []patch) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "applier %s\n", applierVersion)
	for _, m := range mods {
		fmt.Fprintf(h, "module %s %s %s\n", m.Path, m.Version, m.Sum)
	}
	for _, p := range series {
		raw, err := fs.ReadFile(patches, "patches/"+p.name)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "patch %s %x\n", p.name, sha256.Sum256(raw))
	}
	dir := filepath.Join(cache, "socketio-trimmed-"+hex.EncodeToString(h.Sum(nil))[:16])
	if _, err := os.Stat(dir); err == nil {
		return dir, nil
	}
	tmp, err := os.MkdirTemp(cache, "tmp-socketio-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	t := trees{}
	for _, m := range mods {
		dst := filepath.Join(tmp, filepath.FromSlash(m.repoDir))
		if err := copyTree(dst, m.Dir); err != nil {
			return "", fmt.Errorf("copying %s@%s: %w", m.Path, m.Version, err)
		}
		t[m.repoDir] = dst
	}
	if err := t.apply(series); err != nil {
		return "", fmt.Errorf("%w (the series in wasmbuild/patches is written against %s)", err, versions(mods))
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(dir); statErr == nil {
			return dir, nil // another build made it first
		}
		return "", err
	}
	return dir, nil
}

func versions(mods []module) string {
	var s []string
	for _, m := range mods {
		s = append(s, m.Path+"@"+m.Version)
	}
	return strings.Join(s, ", ")
}

// writeModfile writes this module's go.mod with replace directives for the
// patched modules, and its go.sum beside it (the go command reads x.sum
// for -modfile=x.mod).
func writeModfile(cache, gomod string, mods []module, trimmed string) (string, error) {
	mod, err := os.ReadFile(gomod)
	if err != nil {
		return "", err
	}
	sum, err := os.ReadFile(strings.TrimSuffix(gomod, ".mod") + ".sum")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	var b bytes.Buffer
	b.Write(mod)
	b.WriteString("\n// Added by wasmbuild for the browser build: the library with this project's patch series applied.\n")
	for _, m := range mods {
		fmt.Fprintf(&b, "replace %s %s => %s\n", m.Path, m.Version, filepath.Join(trimmed, filepath.FromSlash(m.repoDir)))
	}
	key := sha256.Sum256(append(append(b.Bytes(), 0), sum...))
	dir := filepath.Join(cache, "modfile-"+hex.EncodeToString(key[:])[:16])
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, "go.mod")
	if err := atomicfile.Write(filepath.Join(dir, "go.sum"), sum, 0o644, ".tmp-"); err != nil {
		return "", err
	}
	if err := atomicfile.Write(path, b.Bytes(), 0o644, ".tmp-"); err != nil {
		return "", err
	}
	return path, nil
}

// cacheDir is defendcheck's directory in the user's cache directory, or in
// the temporary directory where there is none.
func cacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "defendcheck")
	return dir, os.MkdirAll(dir, 0o755)
}

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err) // dir is a constant embedded directory
	}
	return sub
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
