package wasmsize

import (
	"bytes"
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Buckets for what is not a Go package's code.
const (
	Other   = "(other)"   // compiler-generated (type:.eq…), assembly stubs without a package
	Unnamed = "(unnamed)" // bodies the name section does not name
	Std     = "std"       // the standard library, as a module
)

// Group is the code of one package or module.
type Group struct {
	Name  string
	Size  int // function body bytes
	Funcs int
}

// Package returns the import path of the Go package a function belongs
// to, given the function's full Go name: "github.com/x/y" for
// "github.com/x/y.(*T).M", "runtime" for "runtime.main", Other for
// "type:.eq.…" or a name without a package. The package is everything
// before the first '.' after the last '/' (generic arguments, in brackets,
// aside). Import paths whose last element has a dot, such as
// gopkg.in/yaml.v3, are recognised when they are among modules.
func Package(symbol string, modules ...string) string {
	for _, m := range modules {
		last := m[strings.LastIndex(m, "/")+1:]
		if strings.Contains(last, ".") && strings.HasPrefix(symbol, m+".") {
			return m
		}
	}
	head := symbol
	if i := strings.IndexByte(head, '['); i >= 0 {
		head = head[:i]
	}
	slash := strings.LastIndexByte(head, '/')
	dot := strings.IndexByte(head[slash+1:], '.')
	if dot <= 0 {
		return Other // "wasm_pc_f_loop", "_rt0_wasm_js"
	}
	pkg := head[:slash+1+dot]
	if strings.ContainsAny(pkg, ": ()*,;{}") || strings.HasSuffix(pkg, "/") || strings.HasPrefix(pkg, "/") {
		return Other // "type:.eq.…", "go:…", not a name
	}
	return pkg
}

// Mangle is what Go's linker makes of a name for the name section: every
// character but letters, digits, '_' and '.' becomes '_'.
func Mangle(name string) string {
	b := []byte(name)
	for i, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.') {
			b[i] = '_'
		}
	}
	return string(b)
}

// packageIndex maps a package's mangled import path to the path.
type packageIndex map[string]string

// packagesIn finds the import paths of the packages with code in the
// binary. Their functions' full names are in the data section (the
// runtime's function table), each ended by a NUL; the name section's
// names are mangled, which '/', '-' and '_' in paths make ambiguous.
func packagesIn(data []byte, modules []string) packageIndex {
	idx := packageIndex{}
	for len(data) > 0 {
		end := bytes.IndexByte(data, 0)
		if end < 0 {
			end = len(data)
		}
		s := data[:end]
		data = data[min(end+1, len(data)):]
		if len(s) < 3 || len(s) > 4096 || bytes.IndexByte(s, '.') < 0 || !utf8.Valid(s) {
			continue
		}
		if pkg := Package(string(s), modules...); pkg != Other {
			if _, seen := idx[Mangle(pkg)]; !seen {
				idx[Mangle(pkg)] = pkg
			}
		}
	}
	return idx
}

// of returns the package of a function named as in the name section: the
// known package whose mangled path, followed by '.', is the longest
// prefix of the name; Unnamed for no name, Other for none found.
func (idx packageIndex) of(name string) string {
	if name == "" {
		return Unnamed
	}
	pkg := Other
	for i := range len(name) {
		if name[i] != '.' {
			continue
		}
		if p, ok := idx[name[:i]]; ok {
			pkg = p
		}
	}
	return pkg
}

// ByPackage sums the function bodies by Go package, largest first.
func (m *Module) ByPackage() []Group {
	return group(m.Funcs, func(f Func) string { return f.Package })
}

// ByModule sums the function bodies by module: the module of the build
// that provides the package (from the build information the binary
// embeds), Std for the standard library, and this module for package main.
// Without build information a third-party package's module is guessed
// from its path (host/owner/repo).
func (m *Module) ByModule() []Group {
	mods := m.modulePaths()
	mainMod := "main"
	if m.BuildInfo != nil && m.BuildInfo.Main.Path != "" {
		mainMod = m.BuildInfo.Main.Path
	}
	// Longest first, so that a nested module wins over its parent.
	slices.SortFunc(mods, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return group(m.Funcs, func(f Func) string {
		pkg := f.Package
		switch pkg {
		case Other, Unnamed:
			return pkg
		case "main":
			return mainMod
		}
		for _, mod := range mods {
			if pkg == mod || strings.HasPrefix(pkg, mod+"/") {
				return mod
			}
		}
		first, _, _ := strings.Cut(pkg, "/")
		if !strings.Contains(first, ".") {
			return Std // runtime, internal/abi, vendor/golang.org/x/net/…
		}
		return guessModule(pkg)
	})
}

// modulePaths lists the main module and its dependencies.
func (m *Module) modulePaths() []string {
	bi := m.BuildInfo
	if bi == nil {
		return nil
	}
	var mods []string
	if bi.Main.Path != "" {
		mods = append(mods, bi.Main.Path)
	}
	for _, d := range bi.Deps {
		mods = append(mods, d.Path)
	}
	return mods
}

// guessModule is the module root of a package outside any known module:
// host/owner/repo (plus a /vN major version) on the usual code hosts, the
// whole path elsewhere.
func guessModule(pkg string) string {
	parts := strings.Split(pkg, "/")
	n := len(parts)
	switch parts[0] {
	case "github.com", "gitlab.com", "bitbucket.org", "golang.org", "go.googlesource.com":
		n = min(n, 3)
		if len(parts) > 3 && len(parts[3]) > 1 && parts[3][0] == 'v' && strings.Trim(parts[3][1:], "0123456789") == "" {
			n = 4
		}
	}
	return strings.Join(parts[:n], "/")
}

// group sums funcs by key, largest first, then by name.
func group(funcs []Func, key func(Func) string) []Group {
	sums := map[string]*Group{}
	for _, f := range funcs {
		k := key(f)
		g := sums[k]
		if g == nil {
			g = &Group{Name: k}
			sums[k] = g
		}
		g.Size += f.Size
		g.Funcs++
	}
	out := make([]Group, 0, len(sums))
	for _, g := range sums {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b Group) int {
		if c := cmp.Compare(b.Size, a.Size); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}
