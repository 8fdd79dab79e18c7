package wasmsize

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"unicode/utf8"
)

// ErrNoNames is returned for a binary without function names, such as a Go
// build linked with -ldflags=-s.
var ErrNoNames = errors.New(`no function names: the binary has no "name" section, or it names no function (a Go build keeps them unless linked with -ldflags=-s)`)

// Section ids, from the WebAssembly binary format.
const (
	secCustom   = 0
	secImport   = 2
	secCode     = 10
	secData     = 11
	nameFuncSub = 1 // the function-name subsection of the "name" section
)

// Module is what Parse finds in a binary.
type Module struct {
	FileSize int
	Sections []Section
	// Funcs are the functions the code section defines, in order.
	Funcs []Func
	// BuildInfo is the Go build information the binary embeds (module
	// path, dependencies), or nil when it has none.
	BuildInfo *debug.BuildInfo
}

// Section is one section of the binary. Size counts its contents, without
// the id and size that precede them.
type Section struct {
	ID   byte
	Name string // "code", "data", …; a custom section's own name
	Size int
}

// Func is one function body of the code section. Size counts the body (its
// locals and instructions), without the size that precedes it.
type Func struct {
	// Name is the function's name as the name section has it, "" when it
	// has none. Go's linker writes every character but letters, digits,
	// '_' and '.' as '_': "github.com_x_y.__T_.M" for github.com/x/y.(*T).M.
	Name string
	// Package is the import path of the function's Go package, Other or
	// Unnamed.
	Package string
	Size    int
}

var sectionNames = [...]string{"custom", "type", "import", "function", "table", "memory",
	"global", "export", "start", "element", "code", "data", "data count", "tag"}

// SectionSize is the total size of the sections with the given name
// ("code", "data", or a custom section's name).
func (m *Module) SectionSize(name string) int {
	n := 0
	for _, s := range m.Sections {
		if s.Name == name {
			n += s.Size
		}
	}
	return n
}

// CodeBodies is the sum of the function bodies' sizes.
func (m *Module) CodeBodies() int {
	n := 0
	for _, f := range m.Funcs {
		n += f.Size
	}
	return n
}

// Parse reads a WebAssembly binary. It fails with ErrNoNames when no
// function has a name.
func Parse(b []byte) (*Module, error) {
	if len(b) < 8 || string(b[:4]) != "\x00asm" {
		return nil, errors.New("not a WebAssembly binary (no \\0asm magic)")
	}
	if v := uint32(b[4]) | uint32(b[5])<<8 | uint32(b[6])<<16 | uint32(b[7])<<24; v != 1 {
		return nil, fmt.Errorf("WebAssembly binary version %d, want 1", v)
	}
	m := &Module{FileSize: len(b)}
	r := &reader{b: b, off: 8}
	var (
		imported int            // function imports come first in the function index space
		names    map[int]string // function index -> name
		bodies   []int
		data     []byte
	)
	for r.off < len(b) {
		start := r.off
		id := r.byte()
		size := r.u32()
		if r.err != nil {
			return nil, fmt.Errorf("section header at offset %#x: %w", start, r.err)
		}
		sec := r.sub(size)
		if r.err != nil {
			return nil, fmt.Errorf("section %d at offset %#x: %d bytes, but the file ends first", id, start, size)
		}
		s := Section{ID: id, Size: size}
		if int(id) < len(sectionNames) {
			s.Name = sectionNames[id]
		} else {
			s.Name = fmt.Sprintf("unknown %d", id)
		}
		var err error
		switch id {
		case secCustom:
			s.Name = sec.name()
			if sec.err == nil && s.Name == "name" {
				names, err = parseNames(sec)
			}
			err = errors.Join(sec.err, err)
		case secImport:
			imported, err = countFuncImports(sec)
		case secCode:
			bodies, err = parseCode(sec)
		case secData:
			data = sec.b[sec.off:]
			m.BuildInfo = findBuildInfo(data)
		}
		if err != nil {
			return nil, fmt.Errorf("%s section at offset %#x: %w", s.Name, start, err)
		}
		m.Sections = append(m.Sections, s)
	}
	if len(names) == 0 {
		return nil, ErrNoNames
	}
	pkgs := packagesIn(data, m.modulePaths())
	for i, size := range bodies {
		name := names[imported+i]
		m.Funcs = append(m.Funcs, Func{Name: name, Package: pkgs.of(name), Size: size})
	}
	return m, nil
}

// parseCode returns the sizes of the code section's function bodies.
func parseCode(r *reader) ([]int, error) {
	n := r.count(1)
	sizes := make([]int, 0, n)
	for range n {
		size := r.u32()
		r.sub(size)
		sizes = append(sizes, size)
	}
	return sizes, r.end()
}

// countFuncImports counts the import section's functions.
func countFuncImports(r *reader) (int, error) {
	funcs := 0
	n := r.count(3)
	for range n {
		r.name()
		r.name()
		switch kind := r.byte(); kind {
		case 0: // function: type index
			r.u32()
			funcs++
		case 1: // table: reference type, limits
			r.byte()
			r.limits()
		case 2: // memory: limits
			r.limits()
		case 3: // global: value type, mutability
			r.byte()
			r.byte()
		case 4: // tag: attribute, type index
			r.byte()
			r.u32()
		default:
			if r.err == nil {
				return 0, fmt.Errorf("import of unknown kind %d", kind)
			}
		}
	}
	return funcs, r.end()
}

// parseNames reads the function-name subsection of a "name" section.
func parseNames(r *reader) (map[int]string, error) {
	names := map[int]string{}
	for r.err == nil && r.off < len(r.b) {
		id := r.byte()
		sub := r.sub(r.u32())
		if r.err != nil || id != nameFuncSub {
			continue
		}
		n := sub.count(2)
		for range n {
			idx := sub.u32()
			names[idx] = sub.name()
		}
		if err := sub.end(); err != nil {
			return nil, fmt.Errorf("function names: %w", err)
		}
	}
	return names, r.err
}

// Go embeds its build information (runtime/debug.BuildInfo's text form)
// between these markers, the ones cmd/go writes.
const (
	modinfoStart = "\x30\x77\xaf\x0c\x92\x74\x08\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6"
	modinfoEnd   = "\xf9\x32\x43\x31\x86\x18\x20\x72\x00\x82\x42\x10\x41\x16\xd8\xf2"
)

// findBuildInfo finds the Go build information in the data section.
func findBuildInfo(data []byte) *debug.BuildInfo {
	s := string(data)
	i := strings.Index(s, modinfoStart)
	if i < 0 {
		return nil
	}
	s = s[i+len(modinfoStart):]
	j := strings.Index(s, modinfoEnd)
	if j < 0 {
		return nil
	}
	bi, err := debug.ParseBuildInfo(s[:j])
	if err != nil || bi.Main.Path == "" {
		return nil
	}
	return bi
}

// reader decodes the binary format. The first error sticks: later reads
// return zero values, so a caller checks err once after a run of reads.
type reader struct {
	b   []byte
	off int
	err error
}

var errTruncated = errors.New("unexpected end of data")

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

func (r *reader) byte() byte {
	if r.err != nil || r.off >= len(r.b) {
		r.fail(errTruncated)
		return 0
	}
	c := r.b[r.off]
	r.off++
	return c
}

// u32 reads an unsigned LEB128 number of at most 32 bits, as an int.
func (r *reader) u32() int {
	var v uint64
	for shift := 0; ; shift += 7 {
		c := r.byte()
		if r.err != nil {
			return 0
		}
		if shift == 28 && c > 0x0f {
			r.fail(fmt.Errorf("bad u32 at offset %#x", r.off-1))
			return 0
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return int(v)
		}
	}
}

// u64 reads an unsigned LEB128 number of at most 64 bits and drops it.
func (r *reader) u64() {
	for shift := 0; ; shift += 7 {
		c := r.byte()
		if r.err != nil {
			return
		}
		if shift == 63 && c > 0x01 {
			r.fail(fmt.Errorf("bad u64 at offset %#x", r.off-1))
			return
		}
		if c < 0x80 {
			return
		}
	}
}

// sub returns a reader over the next n bytes and skips them.
func (r *reader) sub(n int) *reader {
	if r.err == nil && n > len(r.b)-r.off {
		r.fail(errTruncated)
	}
	if r.err != nil {
		return &reader{err: r.err}
	}
	s := &reader{b: r.b[r.off : r.off+n]}
	r.off += n
	return s
}

// count reads a vector's length, which cannot exceed the bytes left when
// each element takes at least minSize bytes.
func (r *reader) count(minSize int) int {
	n := r.u32()
	if r.err == nil && n > (len(r.b)-r.off)/minSize {
		r.fail(fmt.Errorf("%d entries cannot fit in the %d bytes left", n, len(r.b)-r.off))
	}
	if r.err != nil {
		return 0
	}
	return n
}

// name reads a length-prefixed UTF-8 string.
func (r *reader) name() string {
	s := r.sub(r.u32())
	if r.err != nil {
		return ""
	}
	if !utf8.Valid(s.b) {
		r.fail(fmt.Errorf("name at offset %#x is not UTF-8", r.off-len(s.b)))
		return ""
	}
	return string(s.b)
}

// limits reads a table's or memory's limits (memory64 and shared included).
func (r *reader) limits() {
	flags := r.byte()
	if flags > 0x07 {
		r.fail(fmt.Errorf("bad limits flags %#x", flags))
		return
	}
	r.u64()
	if flags&1 != 0 {
		r.u64()
	}
}

// end reports the reader's error, or that it did not use all its bytes.
func (r *reader) end() error {
	if r.err == nil && r.off != len(r.b) {
		return fmt.Errorf("%d bytes left over", len(r.b)-r.off)
	}
	return r.err
}
