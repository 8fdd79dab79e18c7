// Package wasmsize tells where the bytes of a Go WebAssembly binary go: it
// reads the module's sections, the function bodies of the code section and
// their names from the "name" custom section (which a Go build keeps unless
// linked with -ldflags=-s), and sums the bodies by Go package and by module.
//
// Only the structure is read, never the code itself. Malformed input is an
// error, never a panic.
package wasmsize
