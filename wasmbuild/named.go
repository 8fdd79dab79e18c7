package wasmbuild

import "context"

// BuildNamed compiles Package as Build does (same library, same flags, no
// local paths) but keeps the symbol table, which the WebAssembly holds as
// its "name" section: about 0.6 MB more file, the code and data sections
// byte for byte those of Build, for reading the code size by Go package
// (cmd/wasmsize).
func BuildNamed(ctx context.Context) ([]byte, error) {
	return buildWasm(ctx, Package, "")
}
