// Command wasm is the defendcheck page's WebAssembly: it reads the form,
// runs check.Run over package transport/browser, moves the view of the
// result (diagnosis.NewView) into the DOM, and publishes the result as
// window.defendcheck.result. Every browser call goes through
// github.com/hack-pad/safejs.
package main
