package wasmsize

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// A tiny Go program for js/wasm, built once for the tests that need a real
// binary: with names, and stripped.
const tinyMain = `package main

import (
	"fmt"
	"os"
	"strings"
)

type greeter struct{ name string }

//go:noinline
func (g *greeter) greet() string { return strings.Repeat("hello ", 2) + g.name }

func main() { fmt.Fprintln(os.Stdout, (&greeter{os.Args[0]}).greet()) }
`

var tiny struct {
	once            sync.Once
	named, stripped []byte
	err             error
}

func tinyWasm(t *testing.T) (named, stripped []byte) {
	t.Helper()
	tiny.once.Do(func() {
		dir, err := os.MkdirTemp("", "wasmsize-test-")
		if err != nil {
			tiny.err = err
			return
		}
		defer os.RemoveAll(dir)
		for name, body := range map[string]string{
			"go.mod":  "module example.com/tiny\n\ngo 1.24\n",
			"main.go": tinyMain,
		} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
				tiny.err = err
				return
			}
		}
		build := func(out string, ldflags string) []byte {
			cmd := exec.Command("go", "build", "-trimpath", "-ldflags="+ldflags, "-o", out, ".")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "GOFLAGS=-buildvcs=false", "GOWORK=off")
			if msg, err := cmd.CombinedOutput(); err != nil {
				tiny.err = errors.Join(tiny.err, errors.New(string(msg)), err)
				return nil
			}
			b, err := os.ReadFile(out)
			tiny.err = errors.Join(tiny.err, err)
			return b
		}
		tiny.named = build(filepath.Join(dir, "named.wasm"), "")
		tiny.stripped = build(filepath.Join(dir, "stripped.wasm"), "-s -w")
	})
	if tiny.err != nil {
		t.Fatalf("building the tiny program for js/wasm: %v", tiny.err)
	}
	return tiny.named, tiny.stripped
}

func TestParseARealGoBuild(t *testing.T) {
	named, _ := tinyWasm(t)
	m, err := Parse(named)
	if err != nil {
		t.Fatal(err)
	}
	if m.FileSize != len(named) {
		t.Errorf("FileSize %d, file %d", m.FileSize, len(named))
	}
	sections := 0
	for _, s := range m.Sections {
		sections += s.Size
	}
	if sections >= m.FileSize || m.SectionSize("code") == 0 || m.SectionSize("data") == 0 || m.SectionSize("name") == 0 {
		t.Errorf("sections: %+v (file %d)", m.Sections, m.FileSize)
	}
	bodies := m.CodeBodies()
	if bodies == 0 || bodies >= m.SectionSize("code") {
		t.Errorf("function bodies %d, code section %d: want 0 < bodies < section", bodies, m.SectionSize("code"))
	}

	pkgs := m.ByPackage()
	size := map[string]int{}
	sum := 0
	for _, g := range pkgs {
		size[g.Name] = g.Size
		sum += g.Size
		if g.Name != Other && g.Name != Unnamed && strings.ContainsAny(g.Name, "_ ") && !strings.HasPrefix(g.Name, "vendor/") {
			t.Errorf("package %q looks mangled", g.Name)
		}
	}
	if sum != bodies {
		t.Errorf("packages sum to %d bytes, the function bodies to %d", sum, bodies)
	}
	for _, want := range []string{"runtime", "main", "fmt", "strings", "internal/abi", "internal/runtime/atomic"} {
		if size[want] == 0 {
			t.Errorf("package %s: no code (packages: %v)", want, pkgs)
		}
	}
	if size[Other] > bodies/10 || size[Unnamed] != 0 {
		t.Errorf("%s has %d and %s %d of %d bytes: packages not recognised", Other, size[Other], Unnamed, size[Unnamed], bodies)
	}
	if !slices.ContainsFunc(m.Funcs, func(f Func) bool { return f.Name == "main.__greeter_.greet" && f.Package == "main" && f.Size > 0 }) {
		t.Error(`no function "main.__greeter_.greet" (main.(*greeter).greet) in package main`)
	}

	if m.BuildInfo == nil || m.BuildInfo.Main.Path != "example.com/tiny" {
		t.Fatalf("build info %v, want main module example.com/tiny", m.BuildInfo)
	}
	mods := m.ByModule()
	modSize := map[string]int{}
	sum = 0
	for _, g := range mods {
		modSize[g.Name] = g.Size
		sum += g.Size
	}
	if sum != bodies || modSize[Std] == 0 || modSize["example.com/tiny"] != size["main"] {
		t.Errorf("modules %v: want std and example.com/tiny (package main's %d bytes), summing to %d", mods, size["main"], bodies)
	}
}

func TestParseAStrippedBuild(t *testing.T) {
	_, stripped := tinyWasm(t)
	if _, err := Parse(stripped); !errors.Is(err, ErrNoNames) {
		t.Errorf("Parse(stripped build) = %v, want ErrNoNames", err)
	}
}

// wasm builds a binary from sections (id, contents).
func wasm(sections ...[]byte) []byte {
	b := []byte("\x00asm\x01\x00\x00\x00")
	for _, s := range sections {
		b = append(b, s...)
	}
	return b
}

func section(id byte, parts ...[]byte) []byte {
	body := bytes.Join(parts, nil)
	return append(append([]byte{id}, uleb(len(body))...), body...)
}

func uleb(n int) []byte {
	var b []byte
	for {
		c := byte(n & 0x7f)
		n >>= 7
		if n == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func str(s string) []byte { return append(uleb(len(s)), s...) }

func vec(n int, items ...[]byte) []byte { return append(uleb(n), bytes.Join(items, nil)...) }

// handmade is a module as Go's linker lays one out: one imported function,
// two defined ones with bodies of 4 and 2 bytes, the functions' full names
// and Go's build information in the data section, mangled names in the
// name section (with a module-name subsection before, to be skipped).
func handmade(modinfo string, names ...[]byte) []byte {
	data := "\x00github.com/x/y.(*T).M\x00main.main\x00runtime.x\x00" +
		modinfoStart + modinfo + modinfoEnd
	if names == nil {
		names = [][]byte{section(0, str("name"),
			section(0, str("module")),
			section(1, vec(2, uleb(1), str("github.com_x_y.__T_.M"), uleb(2), str("main.main"))))}
	}
	return wasm(append([][]byte{
		section(1, vec(1, []byte{0x60, 0, 0})),
		section(2, vec(2,
			str("gojs"), str("f"), []byte{0}, uleb(0), // a function
			str("env"), str("mem"), []byte{2, 1}, uleb(1), uleb(2))), // a memory, min and max
		section(3, vec(2, uleb(0), uleb(0))),
		section(10, vec(2, uleb(4), []byte{0, 1, 1, 0x0b}, uleb(2), []byte{0, 0x0b})),
		section(11, vec(1, []byte{0, 0x41, 0, 0x0b}, str(data))),
	}, names...)...)
}

const handmadeInfo = "path\tgithub.com/x/y/cmd/z\nmod\tgithub.com/x/y\t(devel)\t\n"

func TestParseHandmade(t *testing.T) {
	m, err := Parse(handmade(handmadeInfo))
	if err != nil {
		t.Fatal(err)
	}
	want := []Func{{"github.com_x_y.__T_.M", "github.com/x/y", 4}, {"main.main", "main", 2}}
	if !slices.Equal(m.Funcs, want) {
		t.Errorf("Funcs = %+v, want %+v", m.Funcs, want)
	}
	if m.SectionSize("code") != 9 || m.CodeBodies() != 6 {
		t.Errorf("code section %d bytes, bodies %d: want 9 and 6", m.SectionSize("code"), m.CodeBodies())
	}
	if got := m.ByModule(); !slices.Equal(got, []Group{{"github.com/x/y", 6, 2}}) {
		t.Errorf("ByModule = %+v, want package main in its module github.com/x/y", got)
	}
	if got := m.ByPackage(); !slices.Equal(got, []Group{{"github.com/x/y", 4, 1}, {"main", 2, 1}}) {
		t.Errorf("ByPackage = %+v", got)
	}
}

func TestModuleGuessedWithoutBuildInfo(t *testing.T) {
	m, err := Parse(handmade("not build info"))
	if err != nil {
		t.Fatal(err)
	}
	if m.BuildInfo != nil {
		t.Errorf("build info %v from a broken text", m.BuildInfo)
	}
	if got := m.ByModule(); !slices.Equal(got, []Group{{"github.com/x/y", 4, 1}, {"main", 2, 1}}) {
		t.Errorf("ByModule = %+v", got)
	}
	for pkg, want := range map[string]string{
		"github.com/a/b/c/d":    "github.com/a/b",
		"github.com/a/b/v2/c":   "github.com/a/b/v2",
		"github.com/a/b/vendor": "github.com/a/b",
		"golang.org/x/net/http": "golang.org/x/net",
		"resty.dev/v3":          "resty.dev/v3",
	} {
		if got := guessModule(pkg); got != want {
			t.Errorf("guessModule(%q) = %q, want %q", pkg, got, want)
		}
	}
}

func TestPackage(t *testing.T) {
	tests := []struct {
		symbol  string
		modules []string
		want    string
	}{
		{"github.com/x/y.(*T).M", nil, "github.com/x/y"},
		{"github.com/x/y.glob..func1", nil, "github.com/x/y"},
		{"runtime.foo", nil, "runtime"},
		{"main.main", nil, "main"},
		{"internal/abi.(*Type).Kind", nil, "internal/abi"},
		{"resty.dev/v3.(*Client).R", nil, "resty.dev/v3"},
		{"github.com/zishang520/socket.io/clients/engine/v3.(*socket).Open", nil, "github.com/zishang520/socket.io/clients/engine/v3"},
		{"vendor/golang.org/x/net/dns/dnsmessage.(*Parser).Start", nil, "vendor/golang.org/x/net/dns/dnsmessage"},
		{"slices.Sort[go.shape.[]github.com/x/y.T]", nil, "slices"},
		{"sync/atomic.(*Pointer[github.com/x/y.asset]).Load", nil, "sync/atomic"},
		{"gopkg.in/yaml.v3.Unmarshal", []string{"gopkg.in/yaml.v3"}, "gopkg.in/yaml.v3"},
		{"gopkg.in/yaml.v3/sub.F", []string{"gopkg.in/yaml.v3"}, "gopkg.in/yaml.v3/sub"},
		{"type:.eq.[2]interface {}", nil, Other},
		{"type:.eq.github.com/x/y.T", nil, Other},
		{"go:buildid", nil, Other},
		{"wasm_pc_f_loop", nil, Other},
		{"_rt0_wasm_js", nil, Other},
		{".x", nil, Other},
		{"a/.x", nil, Other},
		{" *map[string]int", nil, Other},
		{"", nil, Other},
	}
	for _, tt := range tests {
		if got := Package(tt.symbol, tt.modules...); got != tt.want {
			t.Errorf("Package(%q, %q) = %q, want %q", tt.symbol, tt.modules, got, tt.want)
		}
	}
}

func TestMangle(t *testing.T) {
	for in, want := range map[string]string{
		"github.com/x/y.(*T).M":          "github.com_x_y.__T_.M",
		"github.com/quic-go/quic-go.F":   "github.com_quic_go_quic_go.F",
		"type:.eq.[2]interface {}":       "type_.eq._2_interface___",
		"runtime.memequal16":             "runtime.memequal16",
		"π.x":                            "__.x",
		"slices.Sort[go.shape.[]uint8]":  "slices.Sort_go.shape.__uint8_",
		"internal/runtime/atomic.Load64": "internal_runtime_atomic.Load64",
	} {
		if got := Mangle(in); got != want {
			t.Errorf("Mangle(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseMalformed(t *testing.T) {
	named, _ := tinyWasm(t)
	good := handmade(handmadeInfo)
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "not a WebAssembly binary"},
		{"text", []byte("package main\n\nfunc main() {}\n"), "not a WebAssembly binary"},
		{"magic only", []byte("\x00asm"), "not a WebAssembly binary"},
		{"version 2", []byte("\x00asm\x02\x00\x00\x00"), "version 2"},
		{"no sections", wasm(), ErrNoNames.Error()},
		{"no name section", handmade(handmadeInfo, section(0, str("producers"))), ErrNoNames.Error()},
		{"name section naming nothing", handmade(handmadeInfo, section(0, str("name"), section(1, vec(0)))), ErrNoNames.Error()},
		{"section past the end", wasm([]byte{10, 0x80, 0x80, 0x04}), "the file ends first"},
		{"unterminated size", wasm([]byte{10, 0x80, 0x80}), "section header"},
		{"size over 32 bits", wasm([]byte{10, 0xff, 0xff, 0xff, 0xff, 0x7f}), "bad u32"},
		{"more bodies than bytes", wasm(section(10, uleb(1000), []byte{1, 0})), "cannot fit"},
		{"body past its section", wasm(section(10, vec(1, uleb(9), []byte{0, 0x0b}))), "unexpected end"},
		{"bytes after the bodies", wasm(section(10, vec(1, uleb(1), []byte{0x0b}), []byte{7})), "left over"},
		{"unknown import kind", wasm(section(2, vec(1, str("m"), str("f"), []byte{9}))), "unknown kind 9"},
		{"bad limits", wasm(section(2, vec(1, str("m"), str("f"), []byte{2, 0x10, 1}))), "limits"},
		{"name not UTF-8", handmade(handmadeInfo, section(0, str("name"), section(1, vec(1, uleb(1), str("\xff\xfe"))))), "not UTF-8"},
		{"name subsection past its section", handmade(handmadeInfo, section(0, str("name"), []byte{1, 50, 1})), "unexpected end"},
		{"custom section without a name", wasm(section(0)), "unexpected end"},
	}
	for _, n := range []int{9, 100, len(named) / 2, len(named) - 1} {
		tests = append(tests, struct {
			name string
			in   []byte
			want string
		}{"real build truncated to " + itoa(n), named[:n], ""})
	}
	for _, n := range []int{len(good) - 1, len(good) - 30} {
		tests = append(tests, struct {
			name string
			in   []byte
			want string
		}{"handmade truncated to " + itoa(n), good[:n], ""})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse = %v, want an error with %q", err, tt.want)
			}
			if m != nil {
				t.Errorf("Parse returned a module with its error")
			}
		})
	}
}

func itoa(n int) string {
	var b []byte
	for ; n > 0 || len(b) == 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// FuzzParse checks that no input makes Parse panic, and that what it
// accepts adds up.
func FuzzParse(f *testing.F) {
	good := handmade(handmadeInfo)
	f.Add(good)
	f.Add(good[:len(good)-5])
	f.Add(handmade("x"))
	f.Add(wasm())
	f.Add(wasm(section(10, vec(1, uleb(1), []byte{0x0b}))))
	f.Add([]byte("\x00asm\x01\x00\x00\x00\x00\x05\x04name"))
	f.Fuzz(func(t *testing.T, in []byte) {
		m, err := Parse(in)
		if err != nil {
			return
		}
		sum := 0
		for _, g := range m.ByPackage() {
			sum += g.Size
		}
		if sum != m.CodeBodies() || m.CodeBodies() > m.SectionSize("code") || m.FileSize != len(in) {
			t.Errorf("packages %d, bodies %d, code section %d, file %d of %d", sum, m.CodeBodies(), m.SectionSize("code"), m.FileSize, len(in))
		}
		_ = m.ByModule()
	})
}
