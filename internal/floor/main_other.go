//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

// main explains itself when the floor is built for the wrong target.
func main() {
	fmt.Fprintln(os.Stderr, "the floor page runs in a browser: build it with GOOS=js GOARCH=wasm")
	os.Exit(2)
}
